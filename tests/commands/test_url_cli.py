"""`supatui url explain`: human and --json output, stdin, malformed URLs exit 2 in one line, no password shown."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REF = "abcdefghijklmnopqrst"
CANARY = "Can@ry:/%#?'\"$ pw1"


def supatui(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supatui", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_explain_transaction_string() -> None:
    url = f"postgres://prisma.{REF}:Secret123x@aws-0-us-east-1.pooler.supabase.com:6543/postgres"
    proc = supatui("url", "explain", url)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "transaction mode" in out and "DIRECT_URL" in out and "pgbouncer=true" in out and "aws-0" in out
    assert "Secret123x" not in out and "****" in out


def test_json_and_stdin() -> None:
    url = f"postgresql://postgres:Secret123x@db.{REF}.supabase.co:5432/postgres"
    proc = supatui("url", "explain", "--json", "-", stdin=url + "\n")
    data = json.loads(proc.stdout)
    assert data["kind"] == "direct" and data["ref"] == REF and data["role"] == "postgres"
    assert any(w["code"] == "ipv6-only" for w in data["warnings"])
    assert "Secret123x" not in proc.stdout


def test_canary_password_never_echoed() -> None:
    url = f"postgresql://prisma.{REF}:{CANARY}@aws-1-eu-west-1.pooler.supabase.com:5432/postgres?sslmode=require"
    for args in (("url", "explain", url), ("url", "explain", "--json", url)):
        proc = supatui(*args)
        assert proc.returncode == 0
        shown = proc.stdout + proc.stderr
        for form in (CANARY, urllib.parse.quote(CANARY, safe="")):
            assert form not in shown
        assert "must be percent-encoded" in proc.stdout or "unencoded-password" in proc.stdout


@pytest.mark.parametrize("bad", ["mysql://u:p@h/db", "postgresql://u:p@h:notaport/db", "postgresql://u:p@:5432/db",
                                 "not a url at all"])
def test_malformed_exit_2_one_line(bad: str) -> None:
    proc = supatui("url", "explain", bad)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert proc.stderr.startswith("supatui: Not a PostgreSQL URL")


def test_bare_url_command_shows_usage() -> None:
    proc = supatui("url")
    assert proc.returncode == 2 and "explain" in proc.stderr
