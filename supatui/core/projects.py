"""Which project folders supatui set up for a project ref + role (paths only, never a password).

Without an OS keyring the prisma password lives only in each project's ``.env`` (0600). A second
project on the same Supabase project must find it there instead of setting a new password, which
would break the first project and every deployment using the role (issue 10). ``projects.json``
under ``$SUPATUI_HOME`` (else the user data dir) lists the folders; the role step reads their
``.env`` files and checks a candidate with one login.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

MAX_PROJECTS = 20  # per ref/role: the newest are kept


def registry_path() -> Path:
    env = os.environ.get("SUPATUI_HOME")
    if env:
        return Path(env) / "projects.json"
    import platformdirs

    return Path(platformdirs.user_data_dir("supatui", appauthor=False)) / "projects.json"


def _load(path: Path) -> dict[str, list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): [str(p) for p in v] for k, v in data.items() if isinstance(v, list)}


def _key(ref: str, role: str) -> str:
    return f"{ref}/{role}"


def remember(ref: str, role: str, project_dir: Path) -> None:
    """Note that ``project_dir`` holds (or will hold) a .env for ``role`` on ``ref``; errors are ignored."""
    path = registry_path()
    data = _load(path)
    folder = str(Path(project_dir).expanduser().resolve())
    entries = [p for p in data.get(_key(ref, role), []) if p != folder] + [folder]
    data[_key(ref, role)] = entries[-MAX_PROJECTS:]
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".supatui-tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)


def env_files(ref: str, role: str, *, exclude: Path | None = None) -> list[Path]:
    """The ``.env`` files of the other known projects for ``ref``/``role``, newest first."""
    skip = str(Path(exclude).expanduser().resolve()) if exclude is not None else None
    out: list[Path] = []
    for folder in reversed(_load(registry_path()).get(_key(ref, role), [])):
        if folder == skip:
            continue
        env = Path(folder) / ".env"
        if env.is_file():
            out.append(env)
    return out
