"""Connection strings: build/parse round trips, encoding, and agreement with libpq's own parser."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg.conninfo import conninfo_to_dict

from supatui.core.connstr import (
    ConnectionTarget,
    UrlError,
    encode_password,
    libpq_url,
    parse_url,
    prisma_env,
    target_from_url,
)

REF = "abcdefghijklmnopqrst"
HOST = "aws-1-eu-west-1.pooler.supabase.com"
TARGET = ConnectionTarget(REF, HOST)
WEIRD = "p@ss:w/o%rd#?'\" $ünï✓日本"

passwords = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=40)
roles = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), exclude_characters="\x00"),
                min_size=1, max_size=20)
modes = st.sampled_from(["session", "transaction", "direct"])
hosts = st.one_of(st.just(HOST), st.just("127.0.0.1"), st.just("::1"), st.from_regex(r"[a-z][a-z0-9-]{0,10}\.[a-z]{2,5}",
                                                                                       fullmatch=True))


@settings(max_examples=300, deadline=None)  # correctness, not speed: no per-example deadline on loaded CI
@given(password=passwords, role=roles, mode=modes, host=hosts, port=st.integers(1, 65535))
def test_build_then_parse_round_trips(password: str, role: str, mode: str, host: str, port: int) -> None:
    target = ConnectionTarget(REF, host, session_port=port, transaction_port=port, direct_host=host, direct_port=port)
    url = target.url(role, password, mode)  # type: ignore[arg-type]
    parsed = parse_url(url)
    assert parsed.password == password
    assert parsed.host == host and parsed.port == port and parsed.database == "postgres"
    assert parsed.user == (role if mode == "direct" else f"{role}.{REF}")
    # libpq (psycopg's conninfo parser) reads the very same parts from our URL.
    info = conninfo_to_dict(url)
    assert info["password"] == password and info["user"] == parsed.user and info["host"] == host
    assert int(info["port"]) == port


@given(password=passwords)
def test_encoded_password_is_only_unreserved_chars(password: str) -> None:
    encoded = encode_password(password)
    assert set(encoded) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%")
    assert urllib.parse.unquote(encoded, errors="strict") == password


@given(raw=st.text(st.characters(exclude_categories=("Cs", "Cc", "Zs"), exclude_characters="%\x00"), min_size=1,
                   max_size=30).filter(lambda s: s.strip("\"'") == s))
def test_pasted_unencoded_password_parses(raw: str) -> None:
    """A password pasted without encoding (even with @ / # ?) is read at the last '@'."""
    parsed = parse_url(f"postgresql://postgres.{REF}:{raw}@{HOST}:5432/postgres")
    assert parsed.password == raw and parsed.host == HOST and parsed.ref == REF


@given(extra=st.dictionaries(st.sampled_from(["sslmode", "application_name", "connect_timeout"]),
                             st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), max_size=3))
def test_libpq_url_drops_only_prisma_params(extra: dict[str, str]) -> None:
    params = {"pgbouncer": "true", "connection_limit": "1", **extra}
    url = TARGET.url("prisma", WEIRD, "transaction", params)
    stripped = libpq_url(url)
    assert parse_url(stripped).params == extra
    assert conninfo_to_dict(stripped)["password"] == WEIRD  # libpq accepts it


def test_prisma_env_by_mode() -> None:
    tx = prisma_env(TARGET, "prisma", WEIRD, "transaction")
    assert tx["DATABASE_URL"].endswith(f"@{HOST}:6543/postgres?pgbouncer=true&connection_limit=1")
    assert tx["DIRECT_URL"].endswith(f"@{HOST}:5432/postgres")
    assert tx["DATABASE_URL"].startswith(f"postgresql://prisma.{REF}:{encode_password(WEIRD)}@")
    session = prisma_env(TARGET, "prisma", WEIRD, "session")
    assert session["DATABASE_URL"] == session["DIRECT_URL"]
    assert session["DATABASE_URL"].endswith(f"@{HOST}:5432/postgres")
    direct = prisma_env(TARGET, "prisma", "pw", "direct")
    assert direct["DATABASE_URL"] == f"postgresql://prisma:pw@db.{REF}.supabase.co:5432/postgres"


@pytest.mark.parametrize(("url", "mode", "host", "port"), [
    (f"postgresql://postgres.{REF}:[YOUR-PASSWORD]@{HOST}:5432/postgres", "session", HOST, 5432),
    (f"postgres://postgres.{REF}:[YOUR-PASSWORD]@{HOST}:6543/postgres?pgbouncer=true", "transaction", HOST, 6543),
    (f"postgresql://postgres:[YOUR-PASSWORD]@db.{REF}.supabase.co:5432/postgres", "direct", f"db.{REF}.supabase.co", 5432),
    (f'"postgresql://postgres.{REF}@127.0.0.1:54329/postgres"', "session", "127.0.0.1", 54329),
])
def test_target_from_url(url: str, mode: str, host: str, port: int) -> None:
    target, got_mode = target_from_url(url)
    assert got_mode == mode and target.ref == REF
    assert target.endpoint(got_mode) == (host, port)
    assert parse_url(target.url("prisma", "x", got_mode)).role == "prisma"


def test_target_from_url_without_ref_says_why() -> None:
    with pytest.raises(UrlError, match="no project ref"):
        target_from_url(f"postgresql://postgres:pw@{HOST}:5432/postgres")


@pytest.mark.parametrize("pasted", [
    "'postgresql://postgres.abcdefghijklmnopqrst:s3cret@aws-1-eu-west-1.pooler.supabase.com:5432/postgres'",
    '"postgresql://postgres.abcdefghijklmnopqrst:s3cret@aws-1-eu-west-1.pooler.supabase.com:5432/postgres"',
    # half a .env line copied: the closing quote only, or the opening one only
    'postgresql://postgres.abcdefghijklmnopqrst:s3cret@aws-1-eu-west-1.pooler.supabase.com:5432/postgres"',
    '"postgresql://postgres.abcdefghijklmnopqrst:s3cret@aws-1-eu-west-1.pooler.supabase.com:5432/postgres',
    'DATABASE_URL="postgresql://postgres.abcdefghijklmnopqrst:s3cret@aws-1-eu-west-1.pooler.supabase.com:5432/postgres"',
])
def test_quotes_around_a_pasted_url_are_not_part_of_it(pasted: str) -> None:
    parsed = parse_url(pasted)
    assert (parsed.user, parsed.password, parsed.database, parsed.port) == (
        "postgres.abcdefghijklmnopqrst", "s3cret", "postgres", 5432)


def test_a_quote_inside_the_password_is_kept() -> None:
    parsed = parse_url("postgresql://postgres.abcdefghijklmnopqrst:it's\"ok@db.example.com:5432/postgres")
    assert parsed.password == "it's\"ok"
