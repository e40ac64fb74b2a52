"""Suite-wide isolation: a private SUPATUI_HOME and a file keyring, set before anything imports keyring.

Fixtures shared by every tier live here; tier-specific ones live in tests/<tier>/conftest.py.
The session-scoped ``sandbox`` fixture (a real Supabase-shaped PostgreSQL behind the
Supavisor-style router) is in tests/sandbox_fixture.py and re-exported here.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="supatui-tests-"))
os.chmod(_SESSION_DIR, 0o755)  # the sandbox's unprivileged server user must traverse it when we are root
os.environ["SUPATUI_HOME"] = str(_SESSION_DIR / "home")
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.keyring_backend.FileKeyring"
os.environ["SUPATUI_TEST_KEYRING"] = str(_SESSION_DIR / "keyring.json")
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
os.environ.pop("NO_COLOR", None)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(name: str) -> str:
    """Path of a tool the test needs: skipped on a laptop without it, a failure in CI."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed"
        if IN_CI:
            pytest.fail(f"{message}, and CI must run this test (.ci/run installs it)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def session_dir() -> Path:
    return _SESSION_DIR


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


try:  # the sandbox helper lands this module; until then the fixture is simply absent
    from tests.sandbox_fixture import *  # noqa: F403
except ModuleNotFoundError as exc:  # pragma: no cover
    if exc.name != "tests.sandbox_fixture":
        raise
