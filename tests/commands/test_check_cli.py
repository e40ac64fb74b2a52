"""`supatui check --url URL` takes the password the way `supatui run --url URL` does, and keeps it nowhere.

Run's precedence (supatui.core.session): SUPATUI_DB_PASSWORD > keyring > the pasted URL's password; a
placeholder is never tried. Each test has a keyring of its own, so nothing stored by other tests helps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT


def _check(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key != "SUPATUI_DB_PASSWORD"}
    environ.update(SUPATUI_TEST_KEYRING=str(tmp_path / "keyring.json"), **env)
    return subprocess.run([sys.executable, "-m", "supatui", "check", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)


def _role_finding(done: subprocess.CompletedProcess[str]) -> str:
    steps = json.loads(done.stdout)["steps"]
    assert [s["id"] for s in steps] == ["role"], done.stdout
    return " | ".join(steps[0]["missing"])


def _files_changed(home: Path, since: float) -> list[Path]:
    return [p for p in home.rglob("*") if p.is_file() and p.stat().st_mtime >= since]


def test_check_url_uses_the_urls_password_and_keeps_it_nowhere(sandbox: Any, tmp_path: Path) -> None:
    role = f"nobody_{uuid.uuid4().hex[:8]}"
    folder = tmp_path / "hello-prisma"
    home = Path(os.environ["SUPATUI_HOME"])
    before = os.stat(home).st_mtime - 1
    done = _check("--url", sandbox.session_url, "--role", role, "--step", "role", "--dir", str(folder), "--json",
                  tmp_path=tmp_path)
    assert done.returncode == 1, done.stderr
    finding = _role_finding(done)
    assert f"no role `{role}`" in finding, finding  # the database was read as postgres, with the URL's password
    assert sandbox.postgres_password not in done.stdout + done.stderr
    assert not folder.exists()  # check writes no state (the password could land there)
    for changed in _files_changed(home, before) + list(tmp_path.rglob("*.json")):
        assert sandbox.postgres_password not in changed.read_text(errors="replace"), changed


def test_check_url_environment_password_wins_like_run(sandbox: Any, tmp_path: Path) -> None:
    done = _check("--url", sandbox.session_url, "--step", "role", "--dir", str(tmp_path / "p"), "--json",
                  tmp_path=tmp_path, SUPATUI_DB_PASSWORD="not-the-password-" + uuid.uuid4().hex[:6])
    finding = _role_finding(done)
    assert "password authentication failed" in finding or "auth" in finding.lower(), finding
    assert sandbox.postgres_password not in done.stdout + done.stderr


def test_check_url_with_the_placeholder_tries_no_login(sandbox: Any, tmp_path: Path) -> None:
    url = sandbox.session_url.replace(f":{sandbox.postgres_password}@", ":[YOUR-PASSWORD]@")
    assert "[YOUR-PASSWORD]" in url
    done = _check("--url", url, "--step", "role", "--dir", str(tmp_path / "p"), "--json", tmp_path=tmp_path)
    finding = _role_finding(done)
    assert "neither .env nor the admin's password is known" in finding, finding  # no login tried


POOLER = "aws-0-eu-west-1.pooler.supabase.com"
REF = "abcdefghijklmnopqrst"


@pytest.mark.parametrize("given, says", [
    (["--ref", "postgres.abc", "--pooler-host", POOLER], "'postgres.abc' looks like the pooler user name"),
    (["--ref", f"postgres.{REF}", "--pooler-host", POOLER],
     f"'postgres.{REF}' looks like the pooler user name; the ref is the part after the dot"),
    (["--url", f"postgresql://postgres.abc:[YOUR-PASSWORD]@{POOLER}:5432/postgres"], "'abc' is not a project ref"),
    (["--url", f"postgresql://postgres.postgres.abc:[YOUR-PASSWORD]@{POOLER}:5432/postgres"],
     "'abc' is not a project ref"),
])
def test_a_bad_ref_is_refused_alike_by_check_and_run(given: list[str], says: str, tmp_path: Path) -> None:
    """One line, exit 2, before anything starts or is created; `check` and `run` say the same."""
    lines = []
    for command in (["check"], ["run", "--yes"]):
        done = subprocess.run([sys.executable, "-m", "supatui", *command, *given], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL, check=False,
                              env={**os.environ, "SUPATUI_TEST_KEYRING": str(tmp_path / "keyring.json")})
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1, (command, done.stdout, done.stderr)
        assert says in done.stderr, done.stderr
        lines.append(done.stderr)
        assert list(tmp_path.iterdir()) == [], list(tmp_path.iterdir())  # no hello-prisma, no npm init
    assert lines[0] == lines[1]
