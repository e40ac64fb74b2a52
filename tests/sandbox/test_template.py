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


def test_a_copy_of_the_template_gets_the_routers_layout(make: Callable[[str], Sandbox]) -> None:
    """Merge of issue 13's halves: a sandbox copied from the template has PostgreSQL on its own internal port,
    the router in front of it with TLS (the CA made at creation) on the direct and pooler ports, and the
    template's Supabase shape seen through it."""
    from supatui.sandbox.model import State

    box = make("t")
    info = box.start()
    state = State.load(box.state_path)
    assert state is not None and state.pg_port
    assert state.pg_port not in (info.session_port, info.transaction_port, info.direct_port)
    assert info.ca_file and Path(info.ca_file).is_file()
    for url in (info.direct_url, info.session_url):
        with psycopg.connect(url, sslmode="verify-full", sslrootcert=info.ca_file, connect_timeout=5) as conn:
            assert conn.pgconn.ssl_in_use
            assert conn.execute("select current_setting('port')::int").fetchone() == (state.pg_port,)
    assert _shape(info.direct_url + "?sslmode=require" if "?" not in info.direct_url
                  else info.direct_url + "&sslmode=require") == (
        "supabase_auth_admin", "pg_stat_statements,pgcrypto,plpgsql,uuid-ossp", False)
