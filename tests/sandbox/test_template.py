"""New sandboxes are copies of one bootstrapped template data dir, each with its own passwords; without
the template (SUPATUI_SANDBOX_TEMPLATE=0) the same database is built from scratch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from supatui.sandbox import Sandbox, runas, template


@pytest.fixture
def make(session_dir: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[str], Sandbox]]:
    """Sandboxes in their own homes, reset at the end."""
    made: list[Sandbox] = []

    def make(name: str) -> Sandbox:
        home = session_dir / f"tpl-{request.node.name[5:12]}-{name}"
        home.mkdir(mode=0o755)
        made.append(Sandbox(home, ports="auto"))
        return made[-1]

    yield make
    for box in made:
        box.reset()


def _shape(url: str) -> tuple[object, ...]:
    with psycopg.connect(url, connect_timeout=5) as conn:
        row = conn.execute(
            "select (select relowner::regrole::text from pg_class where oid = 'auth.users'::regclass), "
            "(select string_agg(extname, ',' order by extname) from pg_extension), "
            "has_schema_privilege('postgres', 'auth', 'CREATE')").fetchone()
    assert row is not None
    return tuple(row)


def test_copies_of_the_template_have_their_own_passwords(make: Callable[[str], Sandbox],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = make("a"), make("b")
    one, two = first.start(), second.start()
    who = runas.current()
    built = template.cache_root(who) / template.key(runas.stage_bin_dir(runas.find_bin_dir(), who))
    assert (built / ".complete").exists() and (built / "data" / "PG_VERSION").exists()
    assert one.postgres_password != two.postgres_password and one.ref != two.ref
    assert _shape(one.direct_url) == _shape(two.direct_url) == (
        "supabase_auth_admin", "pg_stat_statements,pgcrypto,plpgsql,uuid-ossp", False)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(two.direct_url.replace(two.postgres_password, one.postgres_password), connect_timeout=5)
    template_files = b"".join(p.read_bytes() for p in (built / "data").rglob("*") if p.is_file())
    assert one.postgres_password.encode() not in template_files

    monkeypatch.setenv("SUPATUI_SANDBOX_TEMPLATE", "0")
    scratch = make("c").start()
    assert _shape(scratch.direct_url) == _shape(one.direct_url)
