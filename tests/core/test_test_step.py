"""Step 6 end to end on Prisma 7: migrations → client → index.ts prints rows, then runs on its own."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from supatui.core.connstr import Mode
from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.events import Event, EventKind
from supatui.core.prisma import templates
from supatui.core.steps.client import ClientStep
from supatui.core.steps.migrations import MigrationsStep
from supatui.core.steps.testscript import TestStep, count_rows

if TYPE_CHECKING:
    from tests.prisma_fixture import PrismaDb

pytest_plugins = ["tests.prisma_fixture"]
pytestmark = pytest.mark.slow


def test_count_rows() -> None:
    assert count_rows("[ { id: 1, email: 'a@x.io', name: 'A' }, { id: 2, email: 'b@x.io', name: null } ]", "email") == 2
    assert count_rows("[]", "email") == 0
    assert count_rows("[\n  {\n    id: 1,\n    email: 'a@x.io'\n  }\n]", "email") == 1


@pytest.mark.parametrize("mode", ["session", "transaction"])
def test_script_prints_rows_and_runs_on_its_own(project_copy: Path, request: pytest.FixtureRequest, mode: Mode) -> None:
    # Transaction mode: DATABASE_URL on 6543 (?pgbouncer=true) for the app, DIRECT_URL on 5432 for the CLI.
    prisma_db: PrismaDb = request.getfixturevalue("prisma_db_postgres" if mode == "transaction" else "prisma_db")
    prisma_db.write_env(project_copy, mode, extra="# mine\nOTHER=1")
    ctx = StepContext(WalkthroughConfig(project_dir=project_copy, mode=mode))
    MigrationsStep().run(ctx, lambda e: None)
    ClientStep().run(ctx, lambda e: None)
    step = TestStep()
    assert not step.detect(ctx)
    plan = step.plan(ctx)
    assert plan.commands[0].argv == ("./node_modules/.bin/tsx", "index.ts")
    assert "+  await prisma.user.upsert({" in plan.files[0].diff
    events: list[Event] = []
    result = step.run(ctx, events.append)
    info = [e for e in events if e.kind == EventKind.INFO][-1]
    assert info.data["rows"] == 1 and templates.SAMPLE_EMAIL in info.text
    text = " ".join(e.text for e in events) + repr([e.data for e in events])
    assert prisma_db.password not in text
    assert all(c.ok for c in step.verify(ctx, result)) and step.detect(ctx)
    assert (project_copy / ".env").read_text().startswith("# mine\nOTHER=1\n")
    # The project runs without supatui: plain npx, no engine override, nothing from our environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRISMA_", "SUPATUI_"))}
    out = subprocess.run(["npx", "tsx", "index.ts"], cwd=project_copy, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert count_rows(out.stdout, "email") == 1  # the upsert did not add a second row


def test_populated_schema_is_read_without_a_sample_row(project_copy: Path, prisma_db: PrismaDb) -> None:
    import psycopg

    from supatui.core.connstr import connect_kwargs, parse_url

    with psycopg.connect(**dict(connect_kwargs(parse_url(prisma_db.url("session")))), autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute("create table todo (id serial primary key, title text not null)")
        conn.execute("insert into todo (title) values ('first'), ('second')")
    prisma_db.write_env(project_copy)
    ctx = StepContext(WalkthroughConfig(project_dir=project_copy))
    for step in (MigrationsStep(), ClientStep()):
        step.run(ctx, lambda e: None)
    events: list[Event] = []
    TestStep().run(ctx, events.append)
    assert "prisma.todo.findMany" in (project_copy / "index.ts").read_text()
    assert "upsert" not in (project_copy / "index.ts").read_text()
    assert [e for e in events if e.kind == EventKind.INFO][-1].data["rows"] == 2
