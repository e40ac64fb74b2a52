"""url explain: the right kind, the right warnings, and the password never shown."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from supatui.core.connstr import ConnectionTarget
from supatui.core.errors import InputError
from supatui.core.redact import forget_secrets, redact
from supatui.core.urlexplain import explain_url

REF = "abcdefghijklmnopqrst"
POOLER = "aws-1-eu-west-1.pooler.supabase.com"
CANARY = "c@n:ary/%#?'\"$ pw"


def codes(url: str) -> set[str]:
    return {w.code for w in explain_url(url).warnings}


@pytest.mark.parametrize(("url", "kind"), [
    (f"postgresql://postgres:pw@db.{REF}.supabase.co:5432/postgres", "direct"),
    (f"postgres://prisma.{REF}:pw@{POOLER}:5432/postgres", "pooler-session"),
    (f"postgres://prisma.{REF}:pw@{POOLER}:6543/postgres?pgbouncer=true", "pooler-transaction"),
    (f"postgresql://postgres:pw@db.{REF}.supabase.co:6543/postgres", "dedicated-pooler"),
    ("postgresql://me:pw@db.example.com:5432/app", "not-supabase"),
    (f"postgresql://prisma.{REF}:pw@127.0.0.1:54329/postgres", "local"),
    (f"postgresql://prisma.{REF}:pw@{POOLER}:5433/postgres", "supabase-other"),
])
def test_kinds(url: str, kind: str) -> None:
    assert explain_url(url).kind == kind


def test_user_role_ref() -> None:
    e = explain_url(f"postgres://prisma.{REF}:pw@{POOLER}:5432/postgres")
    assert (e.user, e.role, e.ref) == (f"prisma.{REF}", "prisma", REF)
    e = explain_url(f"postgres://prisma:pw@{POOLER}:5432/postgres?options=reference%3D{REF}")
    assert (e.role, e.ref) == ("prisma", REF) and "missing-ref" not in {w.code for w in e.warnings}
    e = explain_url(f"postgresql://postgres:pw@db.{REF}.supabase.co:5432/postgres")
    assert (e.role, e.ref) == ("postgres", REF)


def test_clean_session_string_has_no_warnings() -> None:
    assert codes(f"postgres://prisma.{REF}:abcDEF123@{POOLER}:5432/postgres") == set()


@pytest.mark.parametrize(("url", "code"), [
    (f"postgres://prisma.{REF}:p@ss#1@{POOLER}:5432/postgres", "unencoded-password"),
    (f"postgres://prisma.{REF}:p ss@{POOLER}:5432/postgres", "unencoded-password"),
    (f"postgres://prisma.{REF}:p%zzss@{POOLER}:5432/postgres", "unencoded-password"),
    (f"postgres://prisma.{REF}:pw@aws-0-us-east-1.pooler.supabase.com:5432/postgres", "composed-aws0"),
    (f"postgres://prisma:pw@{POOLER}:5432/postgres", "missing-ref"),
    (f"postgres://prisma.{REF}:pw@{POOLER}:5432/postgres?options=reference%3Dzyxwvutsrqponmlkjihg", "ref-mismatch"),
    (f"postgres://prisma.{REF}:pw@db.{REF}.supabase.co:5432/postgres", "ref-on-direct"),
    (f"postgres://prisma.{REF}:pw@{POOLER}:5432/postgres?sslmode=require", "sslmode-require"),
    (f"postgres://prisma.{REF}:pw@{POOLER}:6543/postgres", "no-pgbouncer"),
    (f"postgres://postgres:pw@db.{REF}.supabase.co:5432/postgres", "ipv6-only"),
    (f"postgres://prisma.abc:pw@{POOLER}:5432/postgres", "bad-ref"),
    (f"postgres://prisma.{REF}:pw@{POOLER}:5432/app", "not-postgres-db"),
    (f"postgres://prisma.{REF}@{POOLER}:5432/postgres", "no-password"),
    (f"postgres://prisma.{REF}:pa$word@{POOLER}:5432/postgres", "dollar-in-password"),
    (f"postgres://prisma.{REF}:pw@127.0.0.1:5432/postgres?sslmode=verify-full", "local-ssl"),
])
def test_warnings(url: str, code: str) -> None:
    assert code in codes(url)


def test_sslmode_with_libpq_compat_is_fine() -> None:
    assert "sslmode-require" not in codes(f"postgres://prisma.{REF}:pw@{POOLER}:5432/postgres?sslmode=require"
                                          "&uselibpqcompat=true")


def test_prisma_needs_direct_url_on_transaction_port() -> None:
    e = explain_url(f"postgres://prisma.{REF}:pw@{POOLER}:6543/postgres?pgbouncer=true&connection_limit=1")
    text = " ".join(e.prisma)
    assert "DIRECT_URL" in text and "pgbouncer=true" in text and "connection_limit" in text


@pytest.mark.parametrize("bad", ["", "mysql://u:p@h/db", "postgresql://u:p@:5432/db", "postgresql://u:p@h:99999/db",
                                 "postgresql://u:p@h:port/db", "db.abc.supabase.co"])
def test_malformed_is_one_input_error(bad: str) -> None:
    with pytest.raises(InputError) as info:
        explain_url(bad)
    assert "\n" not in info.value.one_line()


def test_password_is_never_shown() -> None:
    forget_secrets()
    try:
        raw = f"postgresql://prisma.{REF}:{CANARY}@{POOLER}:6543/postgres?sslmode=require"
        e = explain_url(raw)
        shown = e.render() + json.dumps(e.to_json())
        for form in (CANARY, urllib.parse.quote(CANARY, safe="")):
            assert form not in shown
        assert redact(f"x {CANARY} y") == "x **** y"  # registered with redact
        assert "****" in e.masked_url and e.host == POOLER
    finally:
        forget_secrets()


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=1, max_size=24).filter(lambda s: s.strip() == s),
       st.sampled_from(["session", "transaction", "direct"]))
def test_any_built_url_is_explained_without_the_password(password: str, mode: str) -> None:
    forget_secrets()
    try:
        target = ConnectionTarget(REF, POOLER)
        url = target.url("prisma", password, mode)  # type: ignore[arg-type]
        e = explain_url(url)
        assert e.role == "prisma" and e.ref == REF
        assert "unencoded-password" not in {w.code for w in e.warnings}
        shown = e.render() + json.dumps(e.to_json(), ensure_ascii=False)
        baseline = explain_url(target.url("prisma", "Xx1", mode))  # type: ignore[arg-type]
        assume(password not in baseline.render() + json.dumps(baseline.to_json(), ensure_ascii=False))
        if len(password) >= 4:
            assert password not in shown
            assert urllib.parse.quote(password, safe="") not in shown
    finally:
        forget_secrets()
