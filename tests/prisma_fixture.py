"""Prisma test fixtures: the engine (native, or the test-only offline shim) and a prepared project.

Every Prisma CLI command downloads a native engine first; these machines cannot. So, once per
session: try the native engine; if it cannot be downloaded, install
``../shared/tools/prisma-offline-engine`` and set ``PRISMA_SCHEMA_ENGINE_BINARY`` in
``os.environ`` (children inherit it through the runner). The product never refers to the shim.

A full npm install costs ~15-20 s, so one Prisma 7 project is made once (by the real
ProjectStep) and tests work on copies (node_modules hard-linked).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from supatui.core.connstr import ConnectionTarget, Mode
from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.events import Event
from supatui.core.prisma.engine import engine_download_failed
from supatui.core.redact import register_secret
from tests.conftest import IN_CI, ROOT, require_tool

SHIM_INSTALLER = ROOT.parent / "shared" / "tools" / "prisma-offline-engine" / "install.sh"
_CACHE: dict[str, object] = {}  # session-wide, even when several test modules import these fixtures


@dataclass
class PreparedProject:
    path: Path
    events: list[Event] = field(default_factory=list)
    seconds: float = 0.0


def _npm_install(project: Path, *argv: str) -> None:
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", *argv], cwd=project, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _ensure_engine(probe_project: Path) -> str | None:
    """Make Prisma's schema engine usable; return the shim's path, or None when the native one works."""
    if "engine" in _CACHE:
        return _CACHE["engine"]  # type: ignore[return-value]
    shim: str | None = None
    current = os.environ.get("PRISMA_SCHEMA_ENGINE_BINARY")
    if current and Path(current).exists():
        shim = current
    else:
        probe = subprocess.run(["npx", "prisma", "--version"], cwd=probe_project, capture_output=True, text=True)
        if probe.returncode != 0 or engine_download_failed(probe.stdout + probe.stderr):
            if not SHIM_INSTALLER.exists():
                message = f"the native Prisma engine cannot be downloaded and {SHIM_INSTALLER} is missing"
                if IN_CI:
                    pytest.fail(message)
                pytest.skip(message)
            dest = probe_project.parent / "offline-engine"
            out = subprocess.run([str(SHIM_INSTALLER), str(dest)], capture_output=True, text=True, check=True)
            shim = out.stdout.strip().splitlines()[-1]
            os.environ["PRISMA_SCHEMA_ENGINE_BINARY"] = shim
    _CACHE["engine"] = shim
    return shim


def copy_project(src: Path, dst: Path) -> Path:
    """A writable copy of a prepared project; node_modules is hard-linked (fast, ~350 MB)."""
    dst.mkdir(parents=True)
    for item in src.iterdir():
        if item.name == "node_modules":
            subprocess.run(["cp", "-al", str(item), str(dst / item.name)], check=True)
        elif item.is_dir():
            shutil.copytree(item, dst / item.name, symlinks=True)
        else:
            shutil.copy2(item, dst / item.name)
    return dst


@pytest.fixture(scope="session")
def prisma_root(session_dir: Path) -> Path:
    root = session_dir / "prisma"
    root.mkdir(exist_ok=True)
    return root


@pytest.fixture(scope="session")
def prisma_engine(prisma_root: Path) -> str | None:
    """The engine is usable for the session (installs the offline shim when needed)."""
    require_tool("npm")
    if "engine" in _CACHE:
        return _CACHE["engine"]  # type: ignore[return-value]
    probe = prisma_root / "engine-probe"
    if not (probe / "node_modules" / "prisma").exists():
        probe.mkdir(exist_ok=True)
        (probe / "package.json").write_text('{"name": "engine-probe", "private": true}\n')
        _npm_install(probe, "prisma", "--save-dev")
    return _ensure_engine(probe)


@pytest.fixture(scope="session")
def prisma7_project(prisma_root: Path, prisma_engine: str | None) -> PreparedProject:
    """An empty folder taken through the real ProjectStep (Prisma 7, npm), once per session."""
    if "prisma7" in _CACHE:
        return _CACHE["prisma7"]  # type: ignore[return-value]
    from supatui.core.steps.project import ProjectStep

    path = prisma_root / "template7"
    events: list[Event] = []
    ctx = StepContext(WalkthroughConfig(project_dir=path))
    started = time.monotonic()
    ProjectStep().run(ctx, events.append)
    prepared = PreparedProject(path, events, time.monotonic() - started)
    _CACHE["prisma7"] = prepared
    return prepared


@pytest.fixture
def project_copy(prisma7_project: PreparedProject, tmp_path: Path) -> Path:
    """A fresh writable copy of the prepared Prisma 7 project."""
    return copy_project(prisma7_project.path, tmp_path / "app")


@dataclass
class PrismaDb:
    """A database of its own (owned by a test role with CREATEDB, for Prisma's shadow database)."""

    target: ConnectionTarget
    role: str
    password: str

    def url(self, mode: Mode, params: dict[str, str] | None = None) -> str:
        return self.target.url(self.role, self.password, mode, params)

    def write_env(self, project: Path, mode: Mode = "session", extra: str = "") -> None:
        """The .env step 3 would write (double-quoted, password percent-encoded)."""
        lines = [extra] if extra else []
        if mode == "transaction":
            lines.append(f'DATABASE_URL="{self.url("transaction", {"pgbouncer": "true"})}"')
            lines.append(f'DIRECT_URL="{self.url("session")}"')
        else:
            lines.append(f'DATABASE_URL="{self.url(mode)}"')
        (project / ".env").write_text("\n".join(lines) + "\n")


TEST_ROLE = "prisma_steps"
TEST_ROLE_PASSWORD = "Pw@:/%#?'\" $ünï✓-steps"  # every character that breaks an unencoded URL or .env


def make_database(sandbox: Any, name: str, password: str = TEST_ROLE_PASSWORD) -> PrismaDb:
    """Create (or reset) the test role and a fresh database it owns, as ``postgres``.

    ``name="postgres"`` uses the sandbox's own database instead (the only one its transaction
    pooler serves in its tests), with the guide's grants on ``public``.
    """
    import psycopg
    from psycopg import sql

    register_secret(password)
    with psycopg.connect(sandbox.session_url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (TEST_ROLE,)).fetchone()
        verb = "alter" if exists else "create"
        conn.execute(sql.SQL(verb + " role {} with login createdb password {}").format(
            sql.Identifier(TEST_ROLE), sql.Literal(password)))
        conn.execute(sql.SQL("grant {} to current_user").format(sql.Identifier(TEST_ROLE)))  # as the guide does
        if name == "postgres":
            conn.execute(sql.SQL("grant usage, create on schema public to {}").format(sql.Identifier(TEST_ROLE)))
        else:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("create database {} owner {}").format(sql.Identifier(name), sql.Identifier(TEST_ROLE)))
    return PrismaDb(replace(sandbox.target, database=name), TEST_ROLE, password)


_DB_COUNTER = [0]


@pytest.fixture(scope="session")
def private_sandbox(prisma_root: Path) -> Iterator[Any]:
    """A sandbox of our own, whose ``postgres`` database no other test touches (transaction mode needs it)."""
    from supatui.sandbox import Sandbox

    manager = Sandbox(prisma_root / "sandbox-home", ports="auto")
    try:
        yield manager.start()
    finally:
        manager.stop()


@pytest.fixture
def prisma_db_postgres(private_sandbox: Any) -> PrismaDb:
    """The private sandbox's ``postgres`` database (served on both pooler ports), as the test role."""
    return make_database(private_sandbox, "postgres")


@pytest.fixture
def prisma_db(sandbox: Any) -> PrismaDb:
    """A fresh, empty database for one test, reachable as the test role through the sandbox's pooler."""
    _DB_COUNTER[0] += 1
    return make_database(sandbox, f"steps_{os.getpid()}_{_DB_COUNTER[0]}")
