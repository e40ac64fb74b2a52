"""A keyring that cannot be read right now must never make `start` rotate the postgres password."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import psycopg

from tests.conftest import ROOT


def test_locked_keyring_stops_start_instead_of_rotating_the_password(sandbox: Any) -> None:
    env = dict(os.environ, SUPATUI_TEST_KEYRING_LOCKED="1")
    result = subprocess.run([sys.executable, "-m", "supatui", "sandbox", "start"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert "keyring" in result.stderr and "sandbox reset" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    with psycopg.connect(sandbox.session_url, connect_timeout=10) as conn:  # the password still works
        assert conn.execute("select current_user").fetchone() == ("postgres",)
