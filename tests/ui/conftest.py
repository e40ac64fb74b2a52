"""UI test fixtures: an App over fake steps in a temp project folder, at a fixed size."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.steps.base import Step
from supatui.ui.app import SupatuiApp
from tests.ui.fakes import fake_steps

SIZE = (100, 40)
SMALL = (80, 24)

AppFactory = Callable[..., SupatuiApp]


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
