"""Step 1 against the sandbox: the guide's statements, idempotent, verified from the catalogs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors as pgerrors

from supatui.core import secrets
from supatui.core.connstr import ConnectionTarget
from supatui.core.context import Secrets, StepContext, WalkthroughConfig
from supatui.core.database import connect_target
from supatui.core.errors import StepFailed, SupatuiError
from supatui.core.events import Event, EventKind
from supatui.core.rolesql import Statement, guide_statements, validate_role_name
from supatui.core.steps.role import RoleStep, explain_sql_failure, step1_sql_for_editor

WEIRD = "p@ss:w/o%rd#?'\" $ünï✓日本"


def test_statements_are_the_guides_ten_quoted() -> None:
    shown = [s.shown for s in guide_statements('we"ird', WEIRD, exists=False)]
    assert len(shown) == 10
    assert shown[0] == "create user \"we\"\"ird\" with password '****' bypassrls createdb"
    assert shown[1] == 'grant "we""ird" to "postgres"'
    assert shown[-1] == 'alter default privileges for role "postgres" in schema public grant all on sequences to "we""ird"'
    assert all("ünï" not in text for text in shown)
    alter = guide_statements("prisma", "x", exists=True)
    assert alter[0].shown == "alter user \"prisma\" with password '****'" and alter[0].kind == "alter"
    assert len(guide_statements("prisma", "x", exists=True, include_password=False)) == 9


def test_editor_sql_is_masked_unless_asked() -> None:
    text = step1_sql_for_editor("prisma")
    assert "'****'" in text and text.count(";") >= 10 and "do $supatui$" in text
    with pytest.raises(ValueError):
        step1_sql_for_editor("prisma", masked=False)
    unmasked = step1_sql_for_editor("prisma", masked=False, password=WEIRD)
    assert "ünï" not in unmasked and "SCRAM-SHA-256$4096:" in unmasked  # a verifier, never the password


@pytest.mark.parametrize("name", ["", "postgres", "anon", "pg_monitor", "a b", "x" * 64])
def test_bad_role_names(name: str) -> None:
    assert validate_role_name(name)


def test_pg15_without_supautils_is_explained() -> None:
    statement = guide_statements("prisma", "pw", exists=False)[0]
    exc = pgerrors.InsufficientPrivilege("must be superuser to create bypassrls users")
    failure = explain_sql_failure(exc, statement, 15)
    assert failure.code == "create-role-denied"
    assert "supautils" in failure.hint and "16" in failure.hint
    assert "'****'" in failure.message and "pw'" not in failure.message
    other = explain_sql_failure(pgerrors.InsufficientPrivilege("permission denied to create role"), statement, 17)
    assert "CREATEROLE" in other.hint


def test_validate_names_every_missing_field(tmp_path: Path) -> None:
    ctx = StepContext(WalkthroughConfig(project_dir=tmp_path))
    assert set(RoleStep().validate(ctx)) == {"ref", "pooler_host", "admin_password"}
    ctx.config.target = ConnectionTarget("short", "http://x")
    errors = RoleStep().validate(ctx)
    assert "20 lowercase" in errors["ref"] and "host" in errors["pooler_host"]


# --- against the sandbox ---

def drop_role(sandbox: Any, role: str) -> None:
    with connect_target(sandbox.target, "postgres", sandbox.postgres_password, "session") as conn:
        if conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone():
            conn.execute(psycopg.sql.SQL("drop owned by {}").format(psycopg.sql.Identifier(role)))
            conn.execute(psycopg.sql.SQL("drop role {}").format(psycopg.sql.Identifier(role)))


@pytest.fixture
def role_ctx(sandbox: Any, tmp_path: Path) -> Iterator[StepContext]:
    role = f"prisma_t{uuid.uuid4().hex[:8]}"
    config = WalkthroughConfig(project_dir=tmp_path, target=sandbox.target, role=role)
    yield StepContext(config, Secrets(admin_password=sandbox.postgres_password))
    drop_role(sandbox, role)
    secrets.delete_password(sandbox.ref, role)


def catalog_state(sandbox: Any, role: str) -> tuple[Any, ...]:
    with connect_target(sandbox.target, "postgres", sandbox.postgres_password, "session") as conn:
        attrs = conn.execute("select rolcanlogin, rolbypassrls, rolcreatedb, rolsuper from pg_roles where rolname = %s",
                             (role,)).fetchall()
        members = conn.execute("""select u.rolname, m.admin_option from pg_auth_members m join pg_roles r on r.oid = m.roleid
                                  join pg_roles u on u.oid = m.member where r.rolname = %s order by 1, 2""",
                               (role,)).fetchall()
        acl = conn.execute("select nspacl::text from pg_namespace where nspname = 'public'").fetchone()
        defaults = conn.execute("""select defaclobjtype::text, defaclacl::text from pg_default_acl d join pg_namespace n
                                   on n.oid = d.defaclnamespace where n.nspname = 'public' order by 1""").fetchall()
    return attrs, members, acl, defaults


def test_step1_end_to_end_then_rerun_changes_nothing(sandbox: Any, role_ctx: StepContext) -> None:
    step, role = RoleStep(), role_ctx.config.role
    assert step.validate(role_ctx) == {}
    assert not step.detect(role_ctx)
    plan = step.plan(role_ctx)
    assert len(plan.sql) == 10 and plan.sql[0].statement.startswith(f'create user "{role}" with password \'****\'')
    events: list[Event] = []
    step.run(role_ctx, events.append)
    password = role_ctx.secrets.prisma_password
    assert password and len(password) >= 32  # generated
    sql_events = [e for e in events if e.kind == EventKind.SQL]
    done = [e for e in events if e.kind == EventKind.SQL_DONE]
    assert len(sql_events) == 10 and len(done) == 10
    assert done[0].text == "CREATE ROLE" and done[1].text.startswith("GRANT")
    assert all(password not in e.text and password not in str(e.data) for e in events)
    checks = step.verify(role_ctx)
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert secrets.get_password(sandbox.ref, role) == password
    state = catalog_state(sandbox, role)
    assert state[0] == [(True, True, True, False)]
    assert ("postgres", False) in state[1]
    assert f"{role}=UC/" in state[2][0]
    assert sum(role in acl for _, acl in state[3]) == 3
    # Rerun: detected as done; running again anyway leaves the catalogs and the password alone.
    assert step.detect(role_ctx)
    rerun = step.plan(role_ctx)
    assert len(rerun.sql) == 9 and any("password is current" in note for note in rerun.notes)
    events.clear()
    step.run(role_ctx, events.append)
    assert not any(e.kind == EventKind.SQL and "password" in e.text for e in events)
    assert catalog_state(sandbox, role) == state
    with connect_target(sandbox.target, role, password, "session"):
        pass


def test_existing_role_keeps_its_password_unless_the_person_chooses(sandbox: Any, role_ctx: StepContext) -> None:
    """Issue 10 defect 1: an existing role's password is never changed behind the person's back."""
    role = role_ctx.config.role
    role_ctx.secrets.prisma_password = "first-Password-1"
    RoleStep().run(role_ctx, lambda e: None)
    # A different password is given, but the keyring's logs in: that one is used, nothing is altered.
    role_ctx.secrets.prisma_password = WEIRD
    events: list[Event] = []
    RoleStep().run(role_ctx, events.append)
    assert not any(e.kind == EventKind.SQL_DONE and e.text == "ALTER ROLE" for e in events)
    assert role_ctx.secrets.prisma_password == "first-Password-1"
    # Nothing known logs in: the step stops with one line, the role still has its old password.
    secrets.delete_password(sandbox.ref, role)
    role_ctx.secrets.prisma_password = WEIRD
    with pytest.raises(StepFailed) as info:
        RoleStep().run(role_ctx, lambda e: None)
    assert info.value.code == "prisma-password-unknown" and "--new-prisma-password" in info.value.hint
    assert "\n" not in info.value.message
    with connect_target(sandbox.target, role, "first-Password-1", "session"):
        pass
    # The person chooses a new password: it is set (with a warning), and Prisma's role works with it.
    role_ctx.config.new_prisma_password = True
    events.clear()
    RoleStep().run(role_ctx, events.append)
    assert any(e.kind == EventKind.SQL_DONE and e.text == "ALTER ROLE" for e in events)
    assert any(e.kind == EventKind.WARNING and "NEW password" in e.text for e in events)
    assert all(c.ok for c in RoleStep().verify(role_ctx))
    with connect_target(sandbox.target, role, WEIRD, "session") as conn:
        conn.execute(psycopg.sql.SQL("create table {} (id int)").format(psycopg.sql.Identifier(f"t_{role}")))
        conn.execute(psycopg.sql.SQL("drop table {}").format(psycopg.sql.Identifier(f"t_{role}")))
    with pytest.raises(SupatuiError):
        connect_target(sandbox.target, role, "first-Password-1", "session")


def test_password_from_env_when_keyring_empty(role_ctx: StepContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPATUI_PRISMA_PASSWORD", "from-the-Env-42")
    RoleStep().run(role_ctx, lambda e: None)
    assert role_ctx.secrets.prisma_password == "from-the-Env-42"


def test_editor_sql_runs_twice(sandbox: Any, role_ctx: StepContext) -> None:
    """The SQL-editor script is idempotent and leaves a role that verifies."""
    role = role_ctx.config.role
    role_ctx.secrets.prisma_password = WEIRD
    script = step1_sql_for_editor(role, masked=False, password=WEIRD)
    with connect_target(sandbox.target, "postgres", sandbox.postgres_password, "session") as conn:
        conn.execute(script.encode())  # type: ignore[call-overload]
        conn.execute(script.encode())  # type: ignore[call-overload]
    assert all(c.ok for c in RoleStep().verify(role_ctx))


def test_wrong_admin_password_is_clear(role_ctx: StepContext) -> None:
    role_ctx.secrets.admin_password = "definitely-wrong"
    with pytest.raises(StepFailed) as info:
        RoleStep().run(role_ctx, lambda e: None)
    assert info.value.code == "auth-failed"
    assert "postgres" in info.value.message and "Database" in info.value.hint


def test_wrong_ref_says_tenant_not_found(sandbox: Any, role_ctx: StepContext) -> None:
    role_ctx.config.target = ConnectionTarget("zzzzzzzzzzzzzzzzzzzz", sandbox.pooler_host, sandbox.session_port,
                                              sandbox.transaction_port)
    with pytest.raises(StepFailed) as info:
        RoleStep().run(role_ctx, lambda e: None)
    assert info.value.code == "tenant-not-found" and "Connect dialog" in info.value.hint
    assert isinstance(guide_statements("x", "y", exists=False)[0], Statement)


def test_rerun_gives_an_existing_role_the_attributes_it_lacks(sandbox: Any, role_ctx: StepContext) -> None:
    """A role made by hand without BYPASSRLS (or altered later): verify says 'run step 1 again', and step 1 again
    adds the attribute without touching the password."""
    role = role_ctx.config.role
    role_ctx.secrets.prisma_password = "first-Password-1"
    RoleStep().run(role_ctx, lambda e: None)
    with connect_target(sandbox.target, "postgres", sandbox.postgres_password, "session") as conn:
        conn.execute(psycopg.sql.SQL("alter user {} with nobypassrls nocreatedb").format(psycopg.sql.Identifier(role)))
    step = RoleStep()
    checks = step.verify(role_ctx)
    assert [c.name for c in checks if not c.ok] == [f"{role} bypasses RLS", f"{role} may create databases"]
    assert any("bypassrls createdb" in action.statement for action in step.plan(role_ctx).sql)
    events: list[Event] = []
    step.run(role_ctx, events.append)
    assert [e.text for e in events if e.kind == EventKind.SQL][0] == f'alter user "{role}" with login bypassrls createdb;'
    assert not any(e.kind == EventKind.SQL and "password" in e.text for e in events)
    assert catalog_state(sandbox, role)[0] == [(True, True, True, False)]
    assert all(c.ok for c in RoleStep().verify(role_ctx))
    with connect_target(sandbox.target, role, "first-Password-1", "session"):
        pass
