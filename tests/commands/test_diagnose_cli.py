"""`supatui diagnose`: file, stdin, --json; unknown text exits 1 with how to report it; output masked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def supatui(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supatui", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_file_known(tmp_path: Path) -> None:
    log = tmp_path / "error.txt"
    log.write_text("npx prisma migrate dev\nError: P1002: Timed out trying to acquire a postgres advisory lock\n")
    proc = supatui("diagnose", str(log))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Migration timed out on the advisory lock (P1002)" in out
    for label in ("cause:", "fix:", "docs:", "seen:"):
        assert label in out
    assert "Traceback" not in proc.stderr


def test_stdin_dash_and_implicit() -> None:
    text = "FATAL: (ENOTFOUND) tenant/user prisma.abcdefghijklmnopqrst not found"
    for args in (("diagnose", "-"), ("diagnose",)):
        proc = supatui(*args, stdin=text)
        assert proc.returncode == 0 and "tenant or user not found" in proc.stdout


def test_json() -> None:
    proc = supatui("diagnose", "--json", "-", stdin='ERROR: prepared statement "s0" already exists')
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["matched"] is True
    first = data["matches"][0]
    assert first["id"] == "prepared-exists" and first["fix"] and first["doc"].startswith("https://")


def test_step_option_ranks() -> None:
    text = 'ERROR: permission denied for table User\nFATAL: password authentication failed for user "prisma"'
    proc = supatui("diagnose", "--json", "--step", "role", "-", stdin=text)
    assert json.loads(proc.stdout)["matches"][0]["id"] == "auth-failed"


def test_unknown_text_exits_1_and_says_how_to_report() -> None:
    proc = supatui("diagnose", "-", stdin="all good, 3 rows\n")
    assert proc.returncode == 1
    assert "No known problem" in proc.stderr and "open an issue" in proc.stderr and "supatui-transcript.md" in proc.stderr
    data = json.loads(supatui("diagnose", "--json", "-", stdin="all good").stdout)
    assert data["matched"] is False and "open an issue" in data["report"]


def test_bad_inputs_are_one_line(tmp_path: Path) -> None:
    for target in (str(tmp_path / "missing.txt"), str(tmp_path)):
        proc = supatui("diagnose", target)
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("supatui:")


def test_pasted_password_is_masked() -> None:
    text = "connecting to postgresql://prisma.abcdefghijklmnopqrst:Hunter2Secret@db.abcdefghijklmnopqrst.supabase.co" \
           ":5432/postgres\nconnect ENETUNREACH 2a05::1:5432"
    proc = supatui("diagnose", "-", stdin=text)
    assert proc.returncode == 0
    assert "Hunter2Secret" not in proc.stdout + proc.stderr


def test_top_match_line_and_at_most_two_runners_up() -> None:
    text = ("Error: P3018\nA migration failed to apply.\nDatabase error code: 42501\nDatabase error:\n"
            "ERROR: must be owner of table event\nERROR: permission denied for table event")
    proc = supatui("diagnose", "-", stdin=text)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("Only the owner may change this object")
    assert "seen:  ERROR: must be owner of table event" in out and "OWNER TO" in out
    also = out.split("Also possible:")[1]
    assert also.count("\n  - ") == 2 and "seen:" in also
    data = json.loads(supatui("diagnose", "--json", "-", stdin=text).stdout)
    assert len(data["matches"]) >= 3 and data["matches"][0]["id"] == "must-be-owner"
    assert all(m["excerpt"] and m["sources"] for m in data["matches"])


def test_command_option_gives_context() -> None:
    text = 'ERROR: prepared statement "s0" already exists'
    assert json.loads(supatui("diagnose", "--json", "-", stdin=text).stdout)["matches"][0]["id"] == "prepared-exists"
    proc = supatui("diagnose", "--json", "--command", "npx prisma migrate dev", "-", stdin=text)
    assert json.loads(proc.stdout)["matches"][0]["id"] == "migrate-via-pooler"
