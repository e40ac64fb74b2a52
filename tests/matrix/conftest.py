"""Fixtures of the bad-input and leak matrices: workspaces, PATHs without tools, private sandboxes.

The session sandbox (tests/sandbox_fixture.py) serves the cases that only read from it; a
test that stops a sandbox or scans one's files gets a private one under its own SUPATUI_HOME.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from supatui.sandbox import Sandbox
from tests.matrix.clihelp import bin_dir
from tests.prisma_fixture import prisma_engine, prisma_root  # noqa: F401  (fixtures, re-exported)


@pytest.fixture(scope="session")
def tool_bins(session_dir: Path) -> dict[str, Path]:
    """PATH folders: ``pybin`` has only python; ``nodebin`` python, node and npm (no npx)."""
    root = session_dir / "matrix-bins"
    return {"pybin": bin_dir(root / "py"), "nodebin": bin_dir(root / "node", "node", "npm")}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "ws"
    path.mkdir()
    os.chmod(tmp_path, 0o755)
    return path


@dataclass(frozen=True)
class PrivateHome:
    """A SUPATUI_HOME and keyring file of one test's own: its child CLI starts a sandbox there from cold."""

    home: Path
    keyring: Path

    def env(self) -> dict[str, str]:
        return {"SUPATUI_HOME": str(self.home), "SUPATUI_TEST_KEYRING": str(self.keyring),
                "SUPATUI_SANDBOX_PORTS": "auto"}


@pytest.fixture
def private_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], PrivateHome]]:
    """Homes for sandboxes the test may stop or scan; each is reset (stopped, data wiped) at the end."""
    made: list[PrivateHome] = []

    def make(name: str) -> PrivateHome:
        root = tmp_path_factory.mktemp(f"home-{name}")
        os.chmod(root, 0o755)  # the sandbox's unprivileged server user must traverse it when we are root
        home = PrivateHome(root / "home", root / "keyring.json")
        home.home.mkdir(mode=0o755)
        made.append(home)
        return home

    yield make
    saved = os.environ.get("SUPATUI_TEST_KEYRING")
    for home in made:
        os.environ["SUPATUI_TEST_KEYRING"] = str(home.keyring)
        try:
            Sandbox(home.home).reset()
        finally:
            if saved is not None:
                os.environ["SUPATUI_TEST_KEYRING"] = saved
