"""Issue 10 defect 6: every value in supatui-replay.sh is quoted, so running it never runs what a value holds.

A database name like ``x$(touch marker)`` in ``--url`` used to land unquoted in the PGDATABASE
default and run when the script ran. The script is run here with real bash and a ``psql`` stub
that records what it was given.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

from psycopg import sql

from supatui.core.connstr import ConnectionTarget
from supatui.core.context import WalkthroughConfig
from supatui.core.database import connect_target
from supatui.core.events import Event, EventKind
from supatui.core.transcript import transcript_for
from tests.conftest import ROOT, require_tool
from tests.core.test_role_step import drop_role

STUB_PSQL = """#!/bin/sh
printf '%s\\n' "$PGHOST" "$PGPORT" "$PGUSER" "$PGDATABASE" > "$SUPATUI_STUB_OUT"
cat >> "$SUPATUI_STUB_OUT"
"""


MARK = "PWNED"


def evil(marker: str = MARK) -> str:
    return f"x$(touch {marker})`touch {marker}`;touch {marker}'\"$(touch {marker})"


def markers(root: Path) -> list[Path]:
    return list(root.rglob(f"{MARK}*"))


def run_replay(script: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bash = require_tool("bash")
    stub_dir = tmp_path / "stub-bin"
    stub_dir.mkdir(exist_ok=True)
    stub = stub_dir / "psql"
    stub.write_text(STUB_PSQL)
    stub.chmod(0o755)
    out = tmp_path / "psql-saw.txt"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update({"PATH": f"{stub_dir}:{env['PATH']}", "SUPATUI_STUB_OUT": str(out), "SUPATUI_DB_PASSWORD": "pw",
                "SUPATUI_PRISMA_PASSWORD": "Prisma-pw-6"})
    proc = subprocess.run([bash, str(script)], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    return proc, out.read_text().splitlines() if out.exists() else []


def test_every_recorded_value_stays_text(tmp_path: Path) -> None:
    marker = MARK
    project = tmp_path / "proj"
    project.mkdir()
    target = ConnectionTarget("abcdefghijklmnopqrst", f"h{evil(marker)}", 5432, 6543, database=evil(marker))
    config = WalkthroughConfig(project_dir=project, target=target, admin_user=f"postgres{evil(marker)}")
    odd_file = project / f"{evil(marker)}.txt"
    odd_file.write_text(f"content {evil(marker)}\n")
    with transcript_for(config, "session") as writer:
        writer(Event("role", EventKind.STEP_STARTED, f"Create\ntouch {marker}\n"))
        writer(Event("role", EventKind.SQL, "grant usage on schema public to \"prisma\";"))
        writer(Event("role", EventKind.SQL_DONE, "GRANT"))
        writer(Event("role", EventKind.SQL, f"select 1;\n\\! touch {marker}"))
        writer(Event("role", EventKind.SQL_DONE, "SELECT 1"))
        writer(Event("project", EventKind.COMMAND, "echo", {"argv": ["echo", evil(marker), f"a\ntouch {marker}"],
                                                             "cwd": str(project), "env_names": [f"X\ntouch {marker}"]}))
        writer(Event("project", EventKind.FILE_WRITTEN, "wrote", {"path": str(odd_file)}))
        writer(Event("project", EventKind.FILE_WRITTEN, "wrote", {"path": f"/nonexistent/{evil(marker)}\ntouch {marker}"}))
        writer(Event("project", EventKind.STEP_FAILED, f"failed\ntouch {marker}"))
    proc, saw = run_replay(writer.replay_path, tmp_path)
    assert proc.returncode == 0, proc.stderr + writer.replay_path.read_text()
    assert not markers(tmp_path), "the replay script ran a command hidden in a value:\n" + writer.replay_path.read_text()
    assert saw[:4] == [f"h{evil(marker)}", "5432", f"postgres{evil(marker)}.abcdefghijklmnopqrst", evil(marker)]
    assert "\\! touch" not in "\n".join(saw)  # the meta-command line never reached psql
    assert odd_file.read_text() == f"content {evil(marker)}\n"


def test_database_name_from_url_on_the_cli(sandbox: Any, tmp_path: Path) -> None:
    """`supatui run --url …/x$(touch …)`: step 1 runs there, and its replay script stays inert."""
    project = tmp_path / "proj"
    database, role = f"x$(touch {MARK})", f"prisma_q{uuid.uuid4().hex[:8]}"
    url = f"postgresql://postgres.{sandbox.ref}@127.0.0.1:{sandbox.session_port}/{urllib.parse.quote(database)}"
    no_npm = tmp_path / "empty-path"  # step 2 then stops the run: "npm cannot run here"
    no_npm.mkdir()
    env = {**os.environ, "SUPATUI_DB_PASSWORD": sandbox.postgres_password, "PATH": str(no_npm)}
    with connect_target(sandbox.target, "postgres", sandbox.postgres_password, "session") as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(database)))
    try:
        result = subprocess.run([sys.executable, "-m", "supatui", "run", "--yes", "--url", url, "--dir", str(project),
                                 "--role", role], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                                stdin=subprocess.DEVNULL)
    finally:
        with connect_target(sandbox.target, "postgres", sandbox.postgres_password, "session") as conn:
            conn.execute(sql.SQL("drop database if exists {}").format(sql.Identifier(database)))
        drop_role(sandbox, role)
    assert "━━ role:" in result.stdout and "Traceback" not in result.stderr, result.stdout + result.stderr
    script = project / "supatui-replay.sh"
    assert script.is_file(), result.stdout + result.stderr
    assert "PGDATABASE=" in script.read_text() and "grant usage on schema public" in script.read_text()
    proc, saw = run_replay(script, tmp_path)
    assert not markers(tmp_path), script.read_text()
    assert database in saw, (proc.stderr, saw)
