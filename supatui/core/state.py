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
from supatui.core.errors import InputError
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
    """The saved state, or an empty one (a missing or unreadable file is not an error; wrong parts are dropped)."""
    try:
        data = json.loads(state_path(project_dir).read_text())
    except (OSError, ValueError):
        return SavedState()
    if not isinstance(data, dict):
        return SavedState()
    config, steps = data.get("config"), data.get("steps")
    return SavedState(
        config=dict(config) if isinstance(config, dict) else {},
        steps={k: dict(v) for k, v in steps.items() if isinstance(v, dict)} if isinstance(steps, dict) else {},
    )


_TYPES: dict[str, tuple[type, ...]] = {
    "mode": (str,), "package_manager": (str,), "prisma_major": (int,), "role": (str,), "admin_user": (str,),
    "sample_row": (bool,), "sandbox": (bool,), "target": (dict,),
}
_TARGET_TYPES: dict[str, type] = {"ref": str, "pooler_host": str, "session_port": int, "transaction_port": int,
                                  "direct_host": str, "direct_port": int, "database": str}


def _type_name(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def state_problem(data: object) -> str:
    """The first thing in a parsed state.json that supatui did not write ('' when it looks right)."""
    if not isinstance(data, dict):
        return f"it holds {_type_name(data)}, not an object"
    config, steps = data.get("config", {}), data.get("steps", {})
    if not isinstance(config, dict):
        return f"config is {_type_name(config)}, not an object"
    if not isinstance(steps, dict):
        return f"steps is {_type_name(steps)}, not an object"
    for key, value in steps.items():
        if not isinstance(value, dict) or not isinstance(value.get("status", ""), str):
            return f"steps.{key} is {_type_name(value)}, not an object with a status"
    for key, types in _TYPES.items():
        value = config.get(key)
        if value is not None and (not isinstance(value, types) or (bool not in types and isinstance(value, bool))):
            return f"config.{key} is {_type_name(value)}"
    for key, kind in _TARGET_TYPES.items():
        value = config.get("target", {}).get(key)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            return f"config.target.{key} is {_type_name(value)}"
    return ""


def check_state(project_dir: Path) -> None:
    """Raise a one-line :class:`InputError` when the folder's state.json exists but is not what supatui wrote."""
    path = state_path(project_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError):
        problem = "it cannot be read as text"
    else:
        try:
            problem = state_problem(json.loads(text))
        except ValueError:
            problem = "it is not valid JSON"
    if problem:
        raise InputError(f"{path} is damaged: {problem}.",
                         f"Move it away (mv {path} {path}.bad) and run again; it only records your inputs and the "
                         "finished steps, which supatui checks again.", field="dir")


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
        fields: dict[str, Any] = {k: v for k, v in target.items() if k in _TARGET_TYPES and isinstance(v, _TARGET_TYPES[k])}
        with contextlib.suppress(TypeError):
            config.target = ConnectionTarget(**fields)
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
