"""UI test fixtures: an App over fake steps in a temp project folder, at a fixed size, and a fresh keyring."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest

from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.steps.base import Step
from supatui.ui.app import SupatuiApp
from tests.keyring_backend import MemoryKeyring
from tests.ui.fakes import fake_steps

SIZE = (100, 40)
SMALL = (80, 24)

AppFactory = Callable[..., SupatuiApp]


@pytest.fixture(autouse=True)
def fresh_keyring() -> Iterator[MemoryKeyring]:
    """Each UI test starts with an empty keyring: a password one test stored changed what the next one
    loaded (test_prisma_choice failed depending on the order)."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    path = tmp_path / "hello-prisma"
    path.mkdir()
    return path


@pytest.fixture
def make_app(project_dir: Path) -> AppFactory:
    def factory(steps: list[Step] | None = None, **behaviours: str) -> SupatuiApp:
        ctx = StepContext(WalkthroughConfig(project_dir=project_dir))
        return SupatuiApp(ctx, sandbox=False, steps=steps or fake_steps(**behaviours))

    return factory
