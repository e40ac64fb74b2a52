"""Step 2 with real npm and the real Prisma CLI: fresh folder, rerun, existing project, Prisma 6, no engine."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.errors import StepFailed
from supatui.core.events import Event, EventKind
from supatui.core.plan import CommandAction, FileAction
from supatui.core.prisma import templates
from supatui.core.steps.client import ClientStep
from supatui.core.steps.project import ProjectStep
from supatui.core.steps.testscript import TestStep
from tests.conftest import require_tool

if TYPE_CHECKING:
    from tests.prisma_fixture import PreparedProject

pytest_plugins = ["tests.prisma_fixture"]

pytestmark = pytest.mark.slow


def _ctx(path: Path, **kw: object) -> StepContext:
    return StepContext(WalkthroughConfig(project_dir=path, **kw))  # type: ignore[arg-type]


def test_plan_of_an_empty_folder_lists_the_guides_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # npm's cache as on a first install: with today's metadata in it (any earlier install in the session or on
    # the machine), the install gets --prefer-offline (tests/core/test_npmcache.py), and this plan failed by order
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "empty-npm-cache"))
    plan = ProjectStep().plan(_ctx(tmp_path / "hello-prisma"))
    argvs = [a.argv for a in plan.actions if isinstance(a, CommandAction)]
    assert argvs == [
        ("npm", "init", "-y"),
        # one resolution for the guide's three installs: the dev tools are listed in devDependencies first
        ("npm", "install", "prisma", "typescript", "tsx", "@types/node", "@types/pg",
         "@prisma/client", "@prisma/adapter-pg", "pg", "dotenv"),
        # the installed binaries themselves, not `npx tsc` / `npx prisma` (npx's start-up per command)
        ("./node_modules/.bin/tsc", "--init"),
        ("./node_modules/.bin/prisma", "init", "--datasource-provider", "postgresql", "--no-skills"),
    ]
    files = [a for a in plan.actions if isinstance(a, FileAction)]
    assert [f.path.name for f in files] == ["prisma.config.ts"] and "+import \"dotenv/config\";" in files[0].diff
    assert any("devDependencies" in note for note in plan.notes)  # the package.json edit is announced
    assert not (tmp_path / "hello-prisma").exists()  # a plan has no side effects


@pytest.mark.parametrize(("pm", "install"), [
    ("pnpm", ("pnpm", "add", "--ignore-scripts", "prisma@latest", "typescript@latest", "tsx@latest",
              "@types/node@latest", "@types/pg@latest", "@prisma/client", "@prisma/adapter-pg", "pg", "dotenv")),
    ("yarn", ("yarn", "add", "--ignore-engines", "prisma", "typescript", "tsx", "@types/node", "@types/pg",
              "@prisma/client", "@prisma/adapter-pg", "pg", "dotenv")),
    ("bun", ("bun", "add", "prisma", "typescript", "tsx", "@types/node", "@types/pg",
             "@prisma/client", "@prisma/adapter-pg", "pg", "dotenv")),
])
def test_every_manager_plans_one_resolution(tmp_path: Path, pm: str, install: tuple[str, ...]) -> None:
    require_tool(pm)
    decision = ProjectStep().decide(_ctx(tmp_path / "p", package_manager=pm))
    plan = ProjectStep().plan(_ctx(tmp_path / "p", package_manager=pm), decision)
    assert [i.argv for i in decision.installs] == [install]  # what the plan shows is what run_for runs
    assert [a.argv for a in plan.actions if isinstance(a, CommandAction)][1] == install


def test_declared_but_absent_packages_get_a_plain_install(tmp_path: Path) -> None:
    """Everything declared (the user's own ranges), nothing installed: `npm install`, naming nothing."""
    d = tmp_path / "cloned"
    d.mkdir()
    pkg = {"name": "cloned", "devDependencies": {"prisma": "^7.9.0", "typescript": "^7.0.0", "tsx": "^4.0.0",
                                                  "@types/node": "^26.0.0", "@types/pg": "^8.0.0"},
           "dependencies": {"@prisma/client": "^7.9.0", "@prisma/adapter-pg": "^7.9.0", "pg": "^8.0.0",
                            "dotenv": "^17.0.0"}}
    (d / "package.json").write_text(json.dumps(pkg))
    decision = ProjectStep().decide(_ctx(d))
    assert [i.argv for i in decision.installs] == [("npm", "install")] and not decision.declare_dev


def test_fresh_folder_becomes_a_prisma7_project(prisma7_project: PreparedProject) -> None:
    d = prisma7_project.path
    ctx = _ctx(d)
    assert all(c.ok for c in ProjectStep().verify(ctx)), ProjectStep().verify(ctx)
    assert (d / "prisma.config.ts").read_text() == templates.CONFIG_TS
    assert not (d / "prisma7.config.ts").exists()  # init's name replaced by the guide's
    schema = (d / "prisma" / "schema.prisma").read_text()
    assert 'provider = "prisma-client"' in schema and "url" not in schema.split("datasource")[1]
    pkg = json.loads((d / "package.json").read_text())
    assert set(pkg["devDependencies"]) == {"prisma", "typescript", "tsx", "@types/node", "@types/pg"}
    assert set(pkg["dependencies"]) == {"@prisma/client", "@prisma/adapter-pg", "pg", "dotenv"}
    ranges = [*pkg["devDependencies"].values(), *pkg["dependencies"].values()]
    assert all(r.startswith("^") for r in ranges), pkg  # npm wrote caret ranges over the pre-declared "*"
    assert (d / "tsconfig.json").exists() and "/generated/prisma" in (d / ".gitignore").read_text()
    assert not list(d.glob("*.bak*"))  # nothing pre-existed, so nothing to back up
    commands = [e.text for e in prisma7_project.events if e.kind == EventKind.COMMAND]
    installs = [c.replace(" --prefer-offline", "") for c in commands if c.startswith("$ npm install")]
    assert installs == [  # one resolution, not the guide's three (from npm's cache when it is fresh: npmcache.py)
        "$ npm install prisma typescript tsx @types/node @types/pg @prisma/client @prisma/adapter-pg pg dotenv"]
    assert commands[-1] == "$ ./node_modules/.bin/prisma init --datasource-provider postgresql --no-skills"
    print(f"ProjectStep from an empty folder: {prisma7_project.seconds:.1f}s")


@contextlib.contextmanager
def _ports_held(*ports: int) -> Iterator[None]:
    """Listen on ``ports`` (one already taken by someone else is just as busy)."""
    held: list[socket.socket] = []
    try:
        for port in ports:
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", port))
                sock.listen()
                held.append(sock)
            except OSError:
                sock.close()
        yield
    finally:
        for sock in held:
            sock.close()


def test_prisma_init_needs_no_local_dev_ports(project_copy: Path) -> None:
    """Prisma 7's plain `prisma init` reserves 51213-51215 for `prisma dev` and fails when one is taken
    ("Port `51213` is not available"); the step's init needs none of them."""
    for name in ("prisma", "prisma.config.ts", ".env"):
        target = project_copy / name
        shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
    events: list[Event] = []
    with _ports_held(51213, 51214, 51215):
        ProjectStep().run(_ctx(project_copy), events.append)
    assert (project_copy / "prisma" / "schema.prisma").exists()
    assert "51213" not in "\n".join(e.text for e in events)
    assert any(e.text.startswith("$ ./node_modules/.bin/prisma init --datasource-provider postgresql") for e in events)
    # init's placeholder in .env is not taken for the user's database
    from supatui.core.prisma.workspace import cli_url

    with pytest.raises(StepFailed) as info:
        cli_url(project_copy, "migrations")
    assert "placeholder" in info.value.message


def test_rerun_detects_done_and_changes_nothing(project_copy: Path) -> None:
    ctx = _ctx(project_copy)
    step = ProjectStep()
    assert step.detect(ctx)
    assert not [a for a in step.plan(ctx).actions]
    before = {p: p.stat().st_mtime_ns for p in project_copy.iterdir() if p.is_file()}
    events: list[Event] = []
    step.run(ctx, events.append)
    assert not [e for e in events if e.kind in (EventKind.COMMAND, EventKind.FILE_WRITTEN)]
    assert {p: p.stat().st_mtime_ns for p in project_copy.iterdir() if p.is_file()} == before


def test_existing_project_is_kept_missing_pieces_added(tmp_path: Path, prisma_engine: str | None) -> None:
    d = tmp_path / "mine"
    d.mkdir()
    original = {"name": "mine", "version": "1.0.0", "scripts": {"hello": "echo hello"},
                "dependencies": {"pg": "^8.0.0"}}
    (d / "package.json").write_text(json.dumps(original, indent=2) + "\n")
    (d / ".env").write_text("# my settings\nOTHER_KEY=\"keep me\"\n")
    (d / "tsconfig.json").write_text("{}\n")
    events: list[Event] = []
    ProjectStep().run(_ctx(d), events.append)
    pkg = json.loads((d / "package.json").read_text())
    assert pkg["scripts"] == {"hello": "echo hello"} and pkg["dependencies"]["pg"] == "^8.0.0"
    assert "prisma" in pkg["devDependencies"] and "@prisma/adapter-pg" in pkg["dependencies"]
    assert json.loads((d / "package.json.bak").read_text()) == original
    env = (d / ".env").read_text()
    assert env.startswith("# my settings\nOTHER_KEY=\"keep me\"\n") and "DATABASE_URL=" in env
    assert (d / ".env.bak").read_text() == "# my settings\nOTHER_KEY=\"keep me\"\n"
    assert (d / "tsconfig.json").read_text() == "{}\n"
    assert all(c.ok for c in ProjectStep().verify(_ctx(d)))
    argvs = [tuple(e.data["argv"]) for e in events if e.kind == EventKind.COMMAND]
    assert not [a for a in argvs if "pg" in a], argvs  # declared: never named, so its range stays the user's


def test_existing_prisma_folder_and_own_config_are_kept(project_copy: Path) -> None:
    own = 'import "dotenv/config";\n// mine\nexport default { datasource: { url: process.env["DATABASE_URL"] } };\n'
    (project_copy / "prisma.config.ts").unlink()
    (project_copy / "prisma7.config.ts").write_text(own)
    (project_copy / "prisma" / "schema.prisma").unlink()
    ProjectStep().run(_ctx(project_copy), lambda e: None)
    assert (project_copy / "prisma7.config.ts").read_text() == own
    assert (project_copy / "prisma" / "schema.prisma").read_text() == templates.SCHEMA7_HEAD
    (project_copy / "prisma7.config.ts").write_text("export default {};\n")  # unusable: moved aside (issue 10, 8)
    ProjectStep().run(_ctx(project_copy), lambda e: None)
    assert not (project_copy / "prisma7.config.ts").exists()  # the CLI would load it before prisma.config.ts
    assert (project_copy / "prisma.config.ts").read_text() == templates.CONFIG_TS
    assert (project_copy / "prisma7.config.ts.bak").read_text() == "export default {};\n"


def test_engine_download_failure_is_distinct_and_resumable(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.delenv("PRISMA_SCHEMA_ENGINE_BINARY", raising=False)
    monkeypatch.setenv("PRISMA_ENGINES_MIRROR", "http://127.0.0.1:9")
    with pytest.raises(StepFailed) as client_info:
        ClientStep().run(_ctx(project_copy), lambda e: None)  # prisma generate
    assert client_info.value.code == "engine-download" and client_info.value.resume == "client"
    shutil.rmtree(project_copy / "prisma")
    (project_copy / "prisma.config.ts").unlink()
    with pytest.raises(StepFailed) as info:
        ProjectStep().run(_ctx(project_copy), lambda e: None)  # prisma init
    assert info.value.code == "engine-download" and "PRISMA_ENGINES_MIRROR" in info.value.hint
    assert info.value.resume == "project" and "binaries.prisma.sh" in info.value.message
    assert (project_copy / "package.json").exists() and not (project_copy / "prisma").exists()
    monkeypatch.undo()  # the engine is back: the same folder resumes
    ProjectStep().run(_ctx(project_copy), lambda e: None)
    assert all(c.ok for c in ProjectStep().verify(_ctx(project_copy)))


def test_prisma6_recipe_writes_the_pre_v7_files(prisma_root: Path, prisma_engine: str | None,
                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "six"
    ctx = _ctx(d, prisma_major=6, mode="transaction")
    ProjectStep().run(ctx, lambda e: None)
    assert all(c.ok for c in ProjectStep().verify(ctx)), ProjectStep().verify(ctx)
    pkg = json.loads((d / "package.json").read_text())
    assert pkg["devDependencies"]["prisma"].startswith("^6.") and pkg["dependencies"]["@prisma/client"].startswith("^6.")
    assert (d / "prisma" / "schema.prisma").read_text() == templates.schema6(True)
    assert not list(d.glob("prisma*.config.ts"))  # a config file would stop Prisma 6 loading .env
    assert (d / ".gitignore").read_text() == templates.gitignore(None)  # node_modules, .env (+ backups, temps), client
    (d / "prisma" / "schema.prisma").write_text(templates.with_guide_models(templates.schema6(True)))
    index = next(a for a in TestStep().plan(ctx).actions if isinstance(a, FileAction))
    assert '+import { PrismaClient } from "@prisma/client";' in index.diff
    # The CLI cannot run offline without the native engines: `generate` fails with the distinct error.
    monkeypatch.delenv("PRISMA_SCHEMA_ENGINE_BINARY", raising=False)
    monkeypatch.setenv("PRISMA_ENGINES_MIRROR", "http://127.0.0.1:9")
    with pytest.raises(StepFailed) as info:
        ClientStep().run(ctx, lambda e: None)
    assert info.value.code == "engine-download"
    monkeypatch.undo()
    # With the engines stubbed (test only), `prisma validate` accepts the schema, reading .env itself.
    if prisma_engine:
        dummy = tmp_path / "libquery_engine.so.node"
        dummy.write_text("")
        (d / ".env").write_text('DATABASE_URL="postgresql://u@127.0.0.1:1/db"\nDIRECT_URL="postgresql://u@127.0.0.1:1/db"\n')
        env = dict(os.environ, PRISMA_QUERY_ENGINE_LIBRARY=str(dummy))
        out = subprocess.run(["npx", "prisma", "validate"], cwd=d, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "is valid" in out.stdout + out.stderr
