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


def test_explain_the_connect_dialogs_env_block_from_stdin() -> None:
    """Piped .env block (comments, blank lines, DATABASE_URL + DIRECT_URL): each string explained under its name."""
    host = "aws-0-eu-central-1.pooler.supabase.com"
    block = (f'# Connect to Supabase via connection pooling\nDATABASE_URL="postgresql://postgres.{REF}:Secret123x@'
             f'{host}:6543/postgres?pgbouncer=true"\n\n# Direct connection to the database. Used for migrations\n'
             f'DIRECT_URL="postgresql://postgres.{REF}:Secret123x@{host}:5432/postgres"\n')
    proc = supatui("url", "explain", "-", stdin=block)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("DATABASE_URL:\n") and "\nDIRECT_URL:\n" in proc.stdout
    assert "transaction mode" in proc.stdout and "session mode" in proc.stdout and "Secret123x" not in proc.stdout
    data = json.loads(supatui("url", "explain", "--json", "-", stdin=block).stdout)
    assert [(d["name"], d["port"]) for d in data] == [("DATABASE_URL", 6543), ("DIRECT_URL", 5432)]
