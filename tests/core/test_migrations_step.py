"""Step 4 against the real sandbox: new database (guide models, migrate dev) and populated (baseline)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest

from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.errors import StepFailed
from supatui.core.events import Event, EventKind
from supatui.core.files import read_text
from supatui.core.plan import CommandAction
from supatui.core.prisma import templates
from supatui.core.steps.migrations import BASELINE, MIGRATION_NAME, MigrationsStep, probe

if TYPE_CHECKING:
    from tests.prisma_fixture import PrismaDb

pytest_plugins = ["tests.prisma_fixture"]
pytestmark = pytest.mark.slow


def _ctx(path: Path) -> StepContext:
    return StepContext(WalkthroughConfig(project_dir=path))


def test_new_database_gets_the_guides_models_and_first_migration(project_copy: Path, prisma_db: PrismaDb) -> None:
    prisma_db.write_env(project_copy)
    step, ctx = MigrationsStep(), _ctx(project_copy)
    assert not step.detect(ctx)
    plan = step.plan(ctx)
    # the project's own CLI, as `npx prisma` would find it, without npx's start-up
    assert [a.argv for a in plan.commands] == [("./node_modules/.bin/prisma", "migrate", "dev", "--name", MIGRATION_NAME)]
    assert "+model User {" in plan.files[0].diff
    events: list[Event] = []
    step.run(ctx, events.append)
    assert templates.model_names(read_text(project_copy / "prisma" / "schema.prisma") or "") == ["Post", "User"]
    assert (project_copy / "prisma" / "schema.prisma.bak").exists()
    checks = step.verify(ctx)
    assert all(c.ok for c in checks), checks
    state = probe(prisma_db.url("session"))
    assert state.applied[0].endswith("_" + MIGRATION_NAME) and {"Post", "User"} <= set(state.tables)
    assert "****" in " ".join(e.text for e in events) or prisma_db.password not in " ".join(e.text for e in events)
    # Rerun: detected as done, nothing to do, nothing run.
    assert step.detect(ctx) and not step.plan(ctx).actions
    rerun: list[Event] = []
    step.run(ctx, rerun.append)
    assert not [e for e in rerun if e.kind == EventKind.COMMAND]


def test_users_own_models_are_kept(project_copy: Path, prisma_db: PrismaDb) -> None:
    prisma_db.write_env(project_copy)
    schema = project_copy / "prisma" / "schema.prisma"
    own = templates.SCHEMA7_HEAD + (
        "\nmodel Todo {\n  id   Int     @id @default(autoincrement())\n  done Boolean @default(false)\n}\n")
    schema.write_text(own)
    MigrationsStep().run(_ctx(project_copy), lambda e: None)
    assert schema.read_text() == own
    assert probe(prisma_db.url("session")).tables == ["Todo"]


def test_populated_database_is_baselined_not_reset(project_copy: Path, prisma_db: PrismaDb) -> None:
    with psycopg.connect(**_kwargs(prisma_db), autocommit=True) as conn:
        conn.execute("create table legacy (id serial primary key, email text unique not null, note text)")
        conn.execute("insert into legacy (email, note) values ('old@example.com', 'kept')")
    prisma_db.write_env(project_copy)
    step, ctx = MigrationsStep(), _ctx(project_copy)
    plan = step.plan(ctx)
    assert [a.argv[:3] for a in plan.commands] == [("./node_modules/.bin/prisma", "db", "pull"),
                                                   ("./node_modules/.bin/prisma", "migrate", "diff"),
                                                   ("./node_modules/.bin/prisma", "migrate", "resolve")]
    assert any("baseline" in note for note in plan.notes)
    step.run(ctx, lambda e: None)
    assert templates.model_names((project_copy / "prisma" / "schema.prisma").read_text()) == ["legacy"]
    sql = (project_copy / "prisma" / "migrations" / BASELINE / "migration.sql").read_text()
    assert 'CREATE TABLE "legacy"' in sql and "Loaded Prisma config" not in sql
    assert all(c.ok for c in step.verify(ctx))
    assert probe(prisma_db.url("session")).applied == [BASELINE]
    with psycopg.connect(**_kwargs(prisma_db)) as conn:
        assert conn.execute("select note from legacy").fetchall() == [("kept",)]  # nothing dropped
    assert step.detect(ctx)


def test_no_database_url_says_run_the_connection_step(project_copy: Path) -> None:
    with pytest.raises(StepFailed) as info:
        MigrationsStep().run(_ctx(project_copy), lambda e: None)  # .env has init's prisma+postgres placeholder
    assert info.value.code == "no-database-url" and info.value.resume == "connection"
    assert isinstance(MigrationsStep().plan(_ctx(project_copy)).actions[-1], CommandAction)


def _kwargs(db: PrismaDb) -> dict[str, object]:
    from supatui.core.connstr import connect_kwargs, parse_url

    return dict(connect_kwargs(parse_url(db.url("session"))))
