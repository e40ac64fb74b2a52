"""Transcript and replay: in order, masked, appended per run, and the replay really repeats the run."""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from supatui.core.events import Event, EventKind
from supatui.core.plan import CommandAction, FileAction, Plan, SqlAction
from supatui.core.redact import forget_secrets, register_secret
from supatui.core.transcript import DbTarget, TranscriptWriter
from tests.conftest import require_tool

CANARY = "Can@ry:/%#?'\"$ pw1"


def forms(secret: str) -> list[str]:
    return [secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret, safe="")]


@pytest.fixture(autouse=True)
def canary() -> Iterator[str]:
    forget_secrets()
    register_secret(CANARY)
    yield CANARY
    forget_secrets()


def assert_clean(*paths: Path) -> None:
    for path in paths:
        text = path.read_text()
        for form in forms(CANARY):
            assert form not in text, f"{form!r} leaked into {path.name}"


def write_env(project: Path) -> Path:
    env = project / ".env"
    encoded = urllib.parse.quote(CANARY, safe="")
    env.write_text(f'# written by supatui\nDATABASE_URL="postgresql://prisma.ref:{encoded}@127.0.0.1:5432/postgres"\n'
                   f'OTHER="keep me $HOME `x`"\n')
    return env


def run_events(writer: TranscriptWriter, project: Path) -> None:
    writer.record_plan(Plan("project", [
        SqlAction(f"create user \"prisma\" with password '{CANARY}'"),
        CommandAction(("sh", "-c", "echo made > made.txt"), project),
        FileAction(project / ".env", f"+DATABASE_URL=postgresql://prisma:{urllib.parse.quote(CANARY, safe='')}@h/db"),
    ], notes=[f"password is {CANARY}"]))
    writer(Event("project", EventKind.STEP_STARTED, "Create the Node project"))
    writer(Event("project", EventKind.COMMAND, "$ sh -c 'echo made > made.txt'",
                 {"argv": ["sh", "-c", "echo made > made.txt"], "cwd": str(project), "env_names": ["PGPASSWORD"]}))
    writer(Event("project", EventKind.OUTPUT, f"printing the secret {CANARY} by mistake", {"stream": "out"}))
    (project / "made.txt").write_text("made\n")
    writer(Event("project", EventKind.COMMAND_EXIT, "exit 0 (0.1s)", {"returncode": 0}))
    env = write_env(project)
    writer(Event("project", EventKind.FILE_WRITTEN, f"wrote {env}: DATABASE_URL", {"path": str(env)}))
    plain = project / "prisma" / "schema.prisma"
    plain.parent.mkdir(exist_ok=True)
    plain.write_text("generator client {\n  provider = \"prisma-client\"\n}\n// no newline at the end")
    writer(Event("project", EventKind.FILE_WRITTEN, f"wrote {plain}", {"path": str(plain)}))
    writer(Event("project", EventKind.STEP_FAILED, "npm install failed: npm error code EACCES"))


def test_both_files_in_order_and_masked(tmp_path: Path) -> None:
    with TranscriptWriter(tmp_path, mode="headless") as writer:
        run_events(writer, tmp_path)
    md, sh = writer.path.read_text(), writer.replay_path.read_text()
    assert_clean(writer.path, writer.replay_path)
    assert "mode headless" in md and "supatui 0.1.0" in md
    position = 0
    for marker in ("Plan for step project", "Step project: Create", "echo made", "printing the secret ****", "exit 0",
                   "wrote", "FAILED"):
        position = md.index(marker, position)  # each one after the one before
    assert "npm: permission denied (EACCES)" in md  # the failure is diagnosed in the transcript
    assert sh.startswith("#!/usr/bin/env bash") and os.access(writer.replay_path, os.X_OK)
    assert "(cd \"$PROJECT_DIR\" && sh -c 'echo made > made.txt')" in sh
    assert "SUPATUI_PRISMA_PASSWORD" in sh and "supatui_prisma_pw_enc" in sh
    bash = require_tool("bash")
    assert subprocess.run([bash, "-n", str(writer.replay_path)]).returncode == 0


def test_runs_are_appended(tmp_path: Path) -> None:
    for mode in ("tui", "headless"):
        with TranscriptWriter(tmp_path, mode=mode) as writer:
            writer(Event("role", EventKind.INFO, f"run in {mode}"))
    md, sh = writer.path.read_text(), writer.replay_path.read_text()
    assert md.count("## Run ") == 2 and md.index("mode tui") < md.index("mode headless")
    assert md.count("# supatui transcript") == 1
    assert sh.count("#!/usr/bin/env bash") == 1 and sh.count("# ==== run") == 2


def test_waits_for_the_folder(tmp_path: Path) -> None:
    project = tmp_path / "later"
    writer = TranscriptWriter(project, mode="tui")
    writer(Event("project", EventKind.STEP_STARTED, "Create the Node project"))
    assert not project.exists()
    project.mkdir()
    writer(Event("project", EventKind.STEP_DONE, "done"))
    writer.close()
    assert "Create the Node project" in writer.path.read_text()


def test_replay_rebuilds_files_and_reruns_commands(tmp_path: Path) -> None:
    bash = require_tool("bash")
    require_tool("python3")
    project = tmp_path / "orig"
    project.mkdir()
    with TranscriptWriter(project, mode="headless") as writer:
        run_events(writer, project)
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(writer.replay_path, again / "supatui-replay.sh")
    env = {**os.environ, "SUPATUI_PRISMA_PASSWORD": CANARY}
    proc = subprocess.run([bash, str(again / "supatui-replay.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    for name in (".env", "made.txt", "prisma/schema.prisma"):
        assert (again / name).read_bytes() == (project / name).read_bytes(), name
    assert (again / ".env").stat().st_mode & 0o077 == 0
    missing = subprocess.run([bash, str(again / "supatui-replay.sh")], env={**os.environ, "SUPATUI_PRISMA_PASSWORD": ""},
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "SUPATUI_PRISMA_PASSWORD" in missing.stderr


def test_replay_sql_through_psql(tmp_path: Path, sandbox) -> None:  # type: ignore[no-untyped-def]
    """The SQL part runs against the real sandbox; the new role then logs in with the canary password."""
    bash, psql = require_tool("bash"), require_tool("psql")
    role = f"replay_{uuid.uuid4().hex[:8]}"
    target = DbTarget("127.0.0.1", sandbox.session_port, f"postgres.{sandbox.ref}")
    with TranscriptWriter(tmp_path, mode="sandbox", database=target) as writer:
        writer(Event("role", EventKind.STEP_STARTED, "Create the prisma role"))
        for statement in (f"create user \"{role}\" with password '{CANARY}' createdb",
                          f"grant usage on schema public to \"{role}\""):
            writer(Event("role", EventKind.SQL, statement + ";"))
            writer(Event("role", EventKind.SQL_DONE, "OK"))
        writer(Event("role", EventKind.STEP_DONE, "done"))
    assert_clean(writer.path, writer.replay_path)
    env = {**os.environ, "SUPATUI_DB_PASSWORD": sandbox.postgres_password, "SUPATUI_PRISMA_PASSWORD": CANARY,
           "PATH": f"{Path(psql).parent}:{os.environ['PATH']}"}
    for key in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD"):
        env.pop(key, None)
    try:
        proc = subprocess.run([bash, str(writer.replay_path)], env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        with psycopg.connect(host="127.0.0.1", port=sandbox.direct_port, user=role, password=CANARY,
                             dbname="postgres") as conn:
            assert conn.execute("select current_user").fetchone() == (role,)
    finally:
        with psycopg.connect(host="127.0.0.1", port=sandbox.direct_port, user="postgres",
                             password=sandbox.postgres_password, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'revoke usage on schema public from "{role}"')
            conn.execute(f'drop role if exists "{role}"')
