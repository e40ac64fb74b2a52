"""`supatui run --pm pnpm|yarn|bun` from an empty folder to rows, each manager for real.

Real sandbox, real pnpm/yarn/bun (installed by .ci/install-package-managers.sh; CI fails, not
skips, without them), real Prisma CLI through the manager's own runner, the CLI in a child
process. The guide's tables are dropped first so every manager takes the `migrate dev` path,
whatever ran before in the session's sandbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, require_tool

pytestmark = pytest.mark.slow
pytest_plugins = ["tests.prisma_fixture"]

LOCKFILES = {"pnpm": ("pnpm-lock.yaml",), "yarn": ("yarn.lock",), "bun": ("bun.lock", "bun.lockb")}
ADD = {"pnpm": "$ pnpm add", "yarn": "$ yarn add", "bun": "$ bun add"}
# how a person runs the project with the manager they chose (the closing line said `npx tsx index.ts` for all)
BY_HAND = {"pnpm": "pnpm exec tsx index.ts", "yarn": "yarn run tsx index.ts", "bun": "bun x tsx index.ts"}


def _drop_guide_tables(sandbox: Any) -> None:
    import psycopg

    with psycopg.connect(sandbox.session_url, autocommit=True) as conn:
        conn.execute('drop table if exists public."Post", public."User", public."_prisma_migrations" cascade')


@pytest.mark.parametrize("pm", ["pnpm", "yarn", "bun"])
def test_empty_folder_to_rows_with(pm: str, sandbox: Any, prisma_engine: str | None, tmp_path: Path) -> None:
    require_tool("npm")
    require_tool(pm)
    _drop_guide_tables(sandbox)
    project = tmp_path / "hello-prisma"

    run = subprocess.run([sys.executable, "-m", "supatui", "run", "--yes", "--sandbox", "--dir", str(project),
                          "--pm", pm], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True,
                         timeout=900, stdin=subprocess.DEVNULL)
    out = run.stdout
    assert run.returncode == 0, out[-4000:] + run.stderr
    assert "Traceback" not in run.stderr
    # the guide's path, with the CLI the manager installed into node_modules/.bin (no `pnpm exec` start-up)
    assert "│ $ ./node_modules/.bin/prisma migrate dev --name first_prisma_migration" in out
    # one resolution: dev tools in devDependencies, runtime packages in dependencies, caret ranges (not "*")
    adds = [line for line in out.splitlines() if line.startswith("project") and "│ " + ADD[pm] in line]
    assert len(adds) == 1, adds
    pkg = json.loads((project / "package.json").read_text())
    assert set(pkg["devDependencies"]) == {"prisma", "typescript", "tsx", "@types/node", "@types/pg"}, pkg
    assert set(pkg["dependencies"]) == {"@prisma/client", "@prisma/adapter-pg", "pg", "dotenv"}, pkg
    assert all(r.startswith("^") for r in (*pkg["devDependencies"].values(), *pkg["dependencies"].values())), pkg
    assert "1 User row(s)" in out and "alice@prisma.io" in out
    assert any((project / name).is_file() for name in LOCKFILES[pm]), sorted(p.name for p in project.iterdir())
    assert not (project / "package-lock.json").exists()  # npm did not install behind the manager's back
    if pm == "bun":
        assert "bun init" not in out and "Hello via Bun" not in (project / "index.ts").read_text()
    if pm == "pnpm":
        assert "ERR_PNPM_IGNORED_BUILDS" not in out  # --ignore-scripts: pnpm 12 exits 0

    # The project runs on its own, with the manager's own command, as the closing message says.
    assert out.rstrip().endswith(f"cd {project} && {BY_HAND[pm]}"), out[-300:]
    alone = subprocess.run(BY_HAND[pm].split(), cwd=project, capture_output=True, text=True, timeout=120)
    assert alone.returncode == 0, alone.stderr
    assert "alice@prisma.io" in alone.stdout
