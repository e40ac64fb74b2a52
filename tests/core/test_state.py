from __future__ import annotations

from pathlib import Path

from supatui.core.connstr import ConnectionTarget
from supatui.core.context import WalkthroughConfig
from supatui.core.state import config_from_saved, load_state, remember_config, state_path


def test_config_round_trips_without_secrets(tmp_path: Path) -> None:
    config = WalkthroughConfig(project_dir=tmp_path, target=ConnectionTarget("abcdefghijklmnopqrst", "h", 1, 2),
                               mode="transaction", package_manager="pnpm", prisma_major=6)
    remember_config(config)
    back = config_from_saved(tmp_path, load_state(tmp_path).config)
    assert back == config
    assert "password" not in state_path(tmp_path).read_text()


def test_corrupt_state_is_ignored(tmp_path: Path) -> None:
    path = state_path(tmp_path)
    path.parent.mkdir()
    path.write_text("{not json")
    assert load_state(tmp_path).steps == {}
    path.write_text("[1, 2]")
    assert load_state(tmp_path).config == {}
