"""Learn mode, step 1 done by hand with psql: the check names exactly what is missing, and its fix works."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from supatui.core.context import StepContext
from supatui.core.learn import check_step
from supatui.core.session import RunOptions, build_context
from tests.conftest import require_tool


def _psql(sandbox: Any, sql: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PGPASSWORD": sandbox.postgres_password}
    target = sandbox.target
    return subprocess.run([require_tool("psql"), "-v", "ON_ERROR_STOP=1", "-X", "-q", "-h", target.pooler_host,
                           "-p", str(target.session_port), "-U", f"postgres.{target.ref}", "-d", "postgres", "-c", sql],
                          env=env, capture_output=True, text=True, timeout=60, check=False)


def _context(sandbox: Any, folder: Path, role: str) -> StepContext:
    """The context `supatui check --sandbox` builds: it does not create the folder."""
    options = RunOptions(project_dir=folder, sandbox=True, role=role)
    return build_context(options, sandbox=sandbox, need_target=False, create_dir=False).ctx


@pytest.fixture
def role(sandbox: Any) -> Iterator[str]:
    name = f"learner_{uuid.uuid4().hex[:8]}"
    yield name
    _psql(sandbox, f'drop owned by "{name}"; drop role if exists "{name}";')


def _guide_sql(role: str, *, bypassrls: bool) -> str:
    """The guide's step 1, as an attendee types it (here without BYPASSRLS when asked)."""
    attrs = "bypassrls createdb" if bypassrls else "createdb"
    return (f"create user \"{role}\" with password 'by-hand-{role}' {attrs}; grant \"{role}\" to \"postgres\"; "
            f"grant usage on schema public to {role}; grant create on schema public to {role}; "
            f"grant all on all tables in schema public to {role}; grant all on all routines in schema public to {role}; "
            f"grant all on all sequences in schema public to {role}; "
            f"alter default privileges for role postgres in schema public grant all on tables to {role}; "
            f"alter default privileges for role postgres in schema public grant all on routines to {role}; "
            f"alter default privileges for role postgres in schema public grant all on sequences to {role};")


def test_without_bypassrls_is_not_done_and_names_it(sandbox: Any, role: str, tmp_path: Path) -> None:
    ctx = _context(sandbox, tmp_path / "hello", role)
    missing_role = check_step(ctx, "role")
    assert not missing_role.done and f"no role `{role}`" in missing_role.missing[0].what

    typed = _psql(sandbox, _guide_sql(role, bypassrls=False))
    assert typed.returncode == 0, typed.stderr
    report = check_step(ctx, "role")
    assert not report.done
    assert [f.what for f in report.missing] == [f"the role `{role}` exists but lacks BYPASSRLS "
                                                "(it cannot bypass row level security)"]
    assert report.hint == f'alter role "{role}" bypassrls;'

    fixed = _psql(sandbox, report.hint)  # the fix, typed as shown
    assert fixed.returncode == 0, fixed.stderr
    after = check_step(ctx, "role")
    assert after.done, after.missing
    assert f"{role} has BYPASSRLS" in after.seen
    assert not (tmp_path / "hello").exists()  # checking never creates the project folder


def test_each_missing_grant_has_its_own_fix(sandbox: Any, role: str, tmp_path: Path) -> None:
    ctx = _context(sandbox, tmp_path / "hello", role)
    assert _psql(sandbox, f"create user \"{role}\" with password 'x-{role}' bypassrls createdb;").returncode == 0
    report = check_step(ctx, "role")
    fixes = [f.fix for f in report.missing]
    assert f'grant "{role}" to "postgres";' in fixes
    assert f'grant usage on schema public to "{role}";' in fixes
    assert f'grant create on schema public to "{role}";' in fixes
    assert f'alter default privileges for role "postgres" in schema public grant all on tables to "{role}";' in fixes
    for fix in fixes:  # applying every fix, as printed, finishes the step
        assert _psql(sandbox, fix).returncode == 0, fix
    assert check_step(ctx, "role").done


def test_creator_admin_option_is_not_the_guides_grant(sandbox: Any, role: str, tmp_path: Path) -> None:
    """From PostgreSQL 16 the creator holds ADMIN on a new role without inheriting it: a row in
    pg_auth_members that is not `grant prisma to postgres`. Neither learn mode nor step 1's own
    is_done may take it for the grant."""
    from supatui.core.steps.role import RoleStep

    sql = _guide_sql(role, bypassrls=True).replace(f'grant "{role}" to "postgres"; ', "")
    assert _psql(sandbox, sql).returncode == 0
    ctx = _context(sandbox, tmp_path / "hello", role)
    report = check_step(ctx, "role")
    assert [f.fix for f in report.missing] == [f'grant "{role}" to "postgres";']
    assert RoleStep().is_done(ctx) is False
    assert _psql(sandbox, report.hint).returncode == 0
    assert check_step(ctx, "role").done and RoleStep().is_done(ctx)
