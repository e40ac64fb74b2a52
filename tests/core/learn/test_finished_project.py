"""Learn mode on a project `supatui run` finished, with supatui's own records deleted: still done, nothing changed.

`supatui check` must judge the world, not supatui's saved state or transcript; and it must be
read-only: the catalogs, the tables and every file of the folder are compared before and after.
The run starts from a copy of the session's prepared Prisma 7 project (what step 2 makes of an empty
folder): the check is under test, not step 2's npm install.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from supatui.core.database import connect_target
from tests.conftest import ROOT, require_tool

pytestmark = pytest.mark.slow
pytest_plugins = ["tests.prisma_fixture"]

if TYPE_CHECKING:
    from tests.prisma_fixture import PreparedProject

CATALOG_QUERIES = (
    "select rolname, rolcanlogin, rolbypassrls, rolcreatedb from pg_roles order by 1",
    "select roleid::regrole::text, member::regrole::text, admin_option from pg_auth_members order by 1, 2",
    "select defaclrole::regrole::text, defaclobjtype, defaclacl::text from pg_default_acl order by 1, 2",
    "select n.nspname, c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace "
    "where n.nspname = 'public' order by 1, 2",
    "select nspacl::text from pg_namespace where nspname = 'public'",
)


def _supatui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supatui", *args], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)


def _folder(project: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(project)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(project.rglob("*")) if p.is_file() and "node_modules" not in p.parts}


def _catalogs(sandbox: Any) -> list[Any]:
    with connect_target(sandbox.target, "postgres", sandbox.postgres_password, "session") as conn:
        seen: list[Any] = [conn.execute(query).fetchall() for query in CATALOG_QUERIES]
        seen.append(conn.execute('select count(*), max(id) from public."User"').fetchall())
        seen.append(conn.execute("select migration_name, finished_at from public._prisma_migrations").fetchall())
        return seen


def test_finished_project_without_supatui_records_is_done_and_unchanged(
        sandbox: Any, prisma7_project: PreparedProject, tmp_path: Path) -> None:
    from tests.prisma_fixture import copy_project  # not at import time: pytest_plugins loads (rewrites) it first

    require_tool("npm")
    project = copy_project(prisma7_project.path, tmp_path / "hello-prisma")
    run = _supatui("run", "--yes", "--sandbox", "--dir", str(project))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    shutil.rmtree(project / ".supatui", ignore_errors=True)
    for name in ("supatui-transcript.md", "supatui-replay.sh"):
        (project / name).unlink(missing_ok=True)

    files, catalogs = _folder(project), _catalogs(sandbox)
    checked = _supatui("check", "--sandbox", "--dir", str(project), "--json")
    assert "Traceback" not in checked.stderr
    reports = {step["id"]: step for step in json.loads(checked.stdout)["steps"]}
    assert list(reports) == ["role", "project", "connection", "migrations", "client", "test"]
    for step in ("role", "project", "connection", "migrations", "client", "test"):
        assert reports[step]["done"], (step, reports[step])
        assert reports[step]["missing"] == [] and reports[step]["hint"] == ""
    assert checked.returncode == 0
    assert _folder(project) == files  # not a byte nor an mtime changed
    assert _catalogs(sandbox) == catalogs

    # Break one thing by hand: the check says exactly that, with the fix, and exits 1.
    env_file = project / ".env"
    kept = env_file.read_text()
    env_file.write_text("\n".join(line for line in kept.splitlines() if not line.startswith("DATABASE_URL")) + "\n")
    broken = _supatui("check", "--sandbox", "--dir", str(project), "--step", "connection")
    assert broken.returncode == 1
    assert "missing: .env has no DATABASE_URL" in broken.stdout and 'fix:     add DATABASE_URL="' in broken.stdout
    assert sandbox.postgres_password not in broken.stdout + broken.stderr
