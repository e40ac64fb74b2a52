"""Wizard state saved in the project folder (``.supatui/state.json``), so a rerun or the wizard resumes.

It records the inputs (ref, pooler host, ports, mode, package manager, Prisma major) and which
steps finished when. It never holds a secret: passwords live in the keyring, the URL in ``.env``.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from supatui.core.connstr import MODES, ConnectionTarget, Mode
from supatui.core.context import WalkthroughConfig
from supatui.core.files import atomic_write

STATE_DIR = ".supatui"
STATE_FILE = "state.json"


@dataclass
class SavedState:
    config: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {"status": "done", "at": epoch}


def state_path(project_dir: Path) -> Path:
    return project_dir / STATE_DIR / STATE_FILE


def load_state(project_dir: Path) -> SavedState:
    """The saved state, or an empty one (a missing or unreadable file is not an error)."""
    try:
        data = json.loads(state_path(project_dir).read_text())
    except (OSError, ValueError):
        return SavedState()
    if not isinstance(data, dict):
        return SavedState()
    return SavedState(config=dict(data.get("config") or {}), steps=dict(data.get("steps") or {}))


def save_state(project_dir: Path, state: SavedState) -> None:
    """Write atomically; a crash mid-write leaves the old file."""
    path = state_path(project_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    gitignore = path.parent / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("*\n")
    atomic_write(path, json.dumps(asdict(state), indent=2, sort_keys=True), new_mode=0o600)


def mark_step(project_dir: Path, step_id: str, status: str) -> None:
    state = load_state(project_dir)
    state.steps[step_id] = {"status": status, "at": round(time.time())}
    save_state(project_dir, state)


def config_to_dict(config: WalkthroughConfig) -> dict[str, Any]:
    data: dict[str, Any] = {
        "mode": config.mode,
        "package_manager": config.package_manager,
        "prisma_major": config.prisma_major,
        "role": config.role,
        "admin_user": config.admin_user,
        "sample_row": config.sample_row,
        "sandbox": config.sandbox,
    }
    if config.target is not None:
        data["target"] = asdict(config.target)
    return data


def remember_config(config: WalkthroughConfig) -> None:
    state = load_state(config.project_dir)
    state.config = config_to_dict(config)
    save_state(config.project_dir, state)


def config_from_saved(project_dir: Path, saved: dict[str, Any]) -> WalkthroughConfig:
    """Rebuild the inputs from a saved state; unknown or bad values fall back to defaults."""
    config = WalkthroughConfig(project_dir=project_dir)
    target = saved.get("target")
    if isinstance(target, dict):
        with contextlib.suppress(TypeError):
            config.target = ConnectionTarget(**target)
    mode = saved.get("mode")
    if mode in MODES:
        config.mode = mode_value(mode)
    for key in ("package_manager", "role", "admin_user"):
        if isinstance(saved.get(key), str):
            setattr(config, key, saved[key])
    if saved.get("prisma_major") in (6, 7):
        config.prisma_major = saved["prisma_major"]
    config.sample_row = bool(saved.get("sample_row", True))
    config.sandbox = bool(saved.get("sandbox", False))
    return config


def mode_value(text: str) -> Mode:
    for mode in MODES:
        if mode == text:
            return mode
    raise ValueError(text)
