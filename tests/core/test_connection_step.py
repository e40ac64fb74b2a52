"""Step 3 against the sandbox: the URL is tested as the role, then .env is written, kept and verified."""

from __future__ import annotations

import json
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dotenv import dotenv_values

from supatui.core import projects, secrets
from supatui.core.connstr import ConnectionTarget, encode_password, parse_url, prisma_env
from supatui.core.context import Secrets, StepContext, WalkthroughConfig
from supatui.core.errors import InputError, StepFailed
from supatui.core.events import Event, EventKind
from supatui.core.prisma import templates
from supatui.core.steps.connection import ConnectionStep
from supatui.core.steps.role import RoleStep
from tests.core.test_role_step import drop_role

WEIRD = "p@ss:w/o%rd#?'\" $ünï✓日本"


@pytest.fixture(scope="module")
def made_role(sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One role for this module, made by step 1 with the hardest password."""
    role = f"prisma_c{uuid.uuid4().hex[:8]}"
    config = WalkthroughConfig(project_dir=tmp_path_factory.mktemp("role"), target=sandbox.target, role=role)
    RoleStep().run(StepContext(config, Secrets(admin_password=sandbox.postgres_password, prisma_password=WEIRD)),
                   lambda e: None)
    yield role
    drop_role(sandbox, role)
    secrets.delete_password(sandbox.ref, role)


def make_ctx(sandbox: Any, project: Path, role: str, mode: str, password: str | None = WEIRD) -> StepContext:
    config = WalkthroughConfig(project_dir=project, target=sandbox.target, role=role, mode=mode)  # type: ignore[arg-type]
    return StepContext(config, Secrets(admin_password=sandbox.postgres_password, prisma_password=password))


def test_session_mode_env(sandbox: Any, made_role: str, tmp_path: Path) -> None:
    ctx = make_ctx(sandbox, tmp_path, made_role, "session")
    step = ConnectionStep()
    assert step.validate(ctx) == {}
    plan = step.plan(ctx)
    assert encode_password(WEIRD) not in plan.render_text() and "****" in plan.render_text()
    events: list[Event] = []
    step.run(ctx, events.append)
    env = tmp_path / ".env"
    values = dotenv_values(env)
    url = sandbox.target.url(made_role, WEIRD, "session")
    assert values == {"DATABASE_URL": url, "DIRECT_URL": url}
    assert parse_url(values["DATABASE_URL"] or "").password == WEIRD
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert not (tmp_path / ".env.bak").exists()
    assert [e.kind for e in events].count(EventKind.FILE_WRITTEN) == 2  # .gitignore first, then .env
    assert all(encode_password(WEIRD) not in e.text + str(e.data) for e in events)
    checks = step.verify(ctx)
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    # Rerun: detected as done, and running again changes nothing.
    assert step.detect(ctx)
    before = env.read_bytes()
    step.run(ctx, lambda e: None)
    assert env.read_bytes() == before and not (tmp_path / ".env.bak").exists()


def test_transaction_mode_env_keeps_existing_keys(sandbox: Any, made_role: str, tmp_path: Path) -> None:
    env = tmp_path / ".env"
    original = '# my settings\nAPI_KEY="abc"\n\n# the old one\nDATABASE_URL="prisma+postgres://localhost:51213/"\n'
    env.write_text(original)
    ctx = make_ctx(sandbox, tmp_path, made_role, "transaction")
    ConnectionStep().run(ctx, lambda e: None)
    values = dotenv_values(env)
    assert values["API_KEY"] == "abc"
    assert values["DATABASE_URL"] == sandbox.target.url(made_role, WEIRD, "transaction",
                                                        {"pgbouncer": "true", "connection_limit": "1"})
    assert values["DIRECT_URL"] == sandbox.target.url(made_role, WEIRD, "session")
    text = env.read_text()
    assert text.startswith('# my settings\nAPI_KEY="abc"\n\n# the old one\nDATABASE_URL="postgresql://')
    assert (tmp_path / ".env.bak").read_text() == original
    checks = ConnectionStep().verify(ctx)
    assert all(c.ok for c in checks) and sum("connects as" in c.name for c in checks) == 2
    names = [c.name for c in checks]  # DIRECT_URL is the session string here, not "the transaction-mode URL"
    assert f"DATABASE_URL is the transaction-mode URL for {made_role}" in names
    assert f"DIRECT_URL is the session-mode URL for {made_role} (for migrations)" in names


def test_direct_mode_uses_bare_role(sandbox: Any, made_role: str, tmp_path: Path) -> None:
    ctx = make_ctx(sandbox, tmp_path, made_role, "direct")
    ConnectionStep().run(ctx, lambda e: None)
    url = dotenv_values(tmp_path / ".env")["DATABASE_URL"] or ""
    assert parse_url(url).user == made_role and parse_url(url).port == sandbox.direct_port
    assert all(c.ok for c in ConnectionStep().verify(ctx))


def test_mode_switch_is_not_detected_as_done(sandbox: Any, made_role: str, tmp_path: Path) -> None:
    ConnectionStep().run(make_ctx(sandbox, tmp_path, made_role, "session"), lambda e: None)
    assert not ConnectionStep().detect(make_ctx(sandbox, tmp_path, made_role, "transaction"))


def _prisma6_project(folder: Path, transaction: bool) -> Path:
    """A Prisma 6 project as step 2 leaves it (the guide's pre-v7 schema and models), for the given mode."""
    (folder / "package.json").write_text(json.dumps({"devDependencies": {"prisma": "^6.19.3"}}))
    schema = folder / "prisma" / "schema.prisma"
    schema.parent.mkdir()
    schema.write_text(templates.schema6(transaction) + "\n" + templates.GUIDE_MODELS)
    return schema


def test_prisma6_switched_to_transaction_mode_sends_migrations_to_direct_url(
        sandbox: Any, made_role: str, tmp_path: Path) -> None:
    """Step 2 ran in session mode (the wizard asks for the mode only at step 3): the schema has no directUrl, so
    Prisma 6's migrate would take DATABASE_URL, the 6543 pooler. Step 3 adds it, and verify looks for it."""
    ConnectionStep().run(make_ctx(sandbox, tmp_path, made_role, "session"), lambda e: None)
    schema = _prisma6_project(tmp_path, transaction=False)
    session_schema = schema.read_text()
    ctx = make_ctx(sandbox, tmp_path, made_role, "transaction")
    step = ConnectionStep()
    assert not step.detect(ctx)
    plan = step.plan(ctx).render_text()
    assert '+  directUrl = env("DIRECT_URL")' in plan, plan
    step.run(ctx, lambda e: None)
    text = schema.read_text()
    assert text == templates.schema6(True) + "\n" + templates.GUIDE_MODELS, text  # models and url kept
    assert (schema.parent / "schema.prisma.bak").read_text() == session_schema
    checks = step.verify(ctx)
    assert all(c.ok for c in checks) and any("directUrl" in c.name for c in checks), checks
    schema.write_text(session_schema)  # the schema loses it again: not done
    assert not step.detect(ctx)
    assert [c.name for c in step.verify(ctx) if not c.ok] == ['prisma/schema.prisma has directUrl = env("DIRECT_URL")']


def test_prisma6_in_session_mode_keeps_its_schema(sandbox: Any, made_role: str, tmp_path: Path) -> None:
    schema = _prisma6_project(tmp_path, transaction=False)
    before = schema.read_text()
    ctx = make_ctx(sandbox, tmp_path, made_role, "session")
    ConnectionStep().run(ctx, lambda e: None)
    assert schema.read_text() == before and all(c.ok for c in ConnectionStep().verify(ctx))


def test_password_found_in_keyring_or_env_file(sandbox: Any, made_role: str, tmp_path: Path) -> None:
    """No password given: the keyring (set by step 1) has it; without that, the project's .env does."""
    ConnectionStep().run(make_ctx(sandbox, tmp_path, made_role, "session", password=None), lambda e: None)
    secrets.delete_password(sandbox.ref, made_role)
    try:
        ctx = make_ctx(sandbox, tmp_path, made_role, "session", password=None)
        assert all(c.ok for c in ConnectionStep().verify(ctx))
        assert ctx.secrets.prisma_password == WEIRD
    finally:
        secrets.set_password(sandbox.ref, made_role, WEIRD)


def test_password_from_another_project_of_the_same_ref(sandbox: Any, made_role: str, tmp_path: Path) -> None:
    """No keyring: the password lives only in project A's .env. In the wizard, step 1 of a new folder B shows done
    (its catalog checks do not log in), and step 3 stopped with 'Run step 1 first'. It now tries the other
    projects' passwords itself, one login each, as step 1 does."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    ConnectionStep().run(make_ctx(sandbox, a, made_role, "session"), lambda e: None)
    projects.remember(sandbox.ref, made_role, a)  # what step 1 in A did
    secrets.delete_password(sandbox.ref, made_role)
    try:
        ctx = make_ctx(sandbox, b, made_role, "session", password=None)
        events: list[Event] = []
        ConnectionStep().run(ctx, events.append)
        assert dotenv_values(b / ".env") == dotenv_values(a / ".env")
        assert any(str(a / ".env") in e.text for e in events), [e.text for e in events]
        assert all(c.ok for c in ConnectionStep().verify(make_ctx(sandbox, b, made_role, "session", password=None)))
    finally:
        secrets.set_password(sandbox.ref, made_role, WEIRD)


def test_wrong_password_writes_nothing(sandbox: Any, made_role: str, tmp_path: Path) -> None:
    ctx = make_ctx(sandbox, tmp_path, made_role, "session", password="not-the-password")
    with pytest.raises(StepFailed) as info:
        ConnectionStep().run(ctx, lambda e: None)
    assert info.value.code == "auth-failed" and "--redo role" in info.value.hint
    assert not (tmp_path / ".env").exists()


def test_wrong_ref_is_tenant_not_found(sandbox: Any, made_role: str, tmp_path: Path) -> None:
    ctx = make_ctx(sandbox, tmp_path, made_role, "session")
    ctx.config.target = ConnectionTarget("zzzzzzzzzzzzzzzzzzzz", sandbox.pooler_host, sandbox.session_port,
                                         sandbox.transaction_port)
    with pytest.raises(StepFailed) as info:
        ConnectionStep().run(ctx, lambda e: None)
    assert info.value.code == "tenant-not-found" and "Connect dialog" in info.value.hint
    assert not (tmp_path / ".env").exists()


def test_validate_fields(tmp_path: Path) -> None:
    ctx = StepContext(WalkthroughConfig(project_dir=tmp_path, mode="bogus"))  # type: ignore[arg-type]
    assert set(ConnectionStep().validate(ctx)) == {"mode", "ref", "pooler_host"}
    ctx.config.mode = "session"
    ctx.config.target = ConnectionTarget("abcdefghijklmnopqrst", "postgresql://x@y")
    assert set(ConnectionStep().validate(ctx)) == {"pooler_host"}
    with pytest.raises(InputError):
        ConnectionStep().run(ctx, lambda e: None)


def test_prisma_env_matches_what_is_written(sandbox: Any, made_role: str, tmp_path: Path) -> None:
    ctx = make_ctx(sandbox, tmp_path, made_role, "transaction")
    assert ConnectionStep().values(ctx) == prisma_env(sandbox.target, made_role, WEIRD, "transaction")
