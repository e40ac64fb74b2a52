"""Safe file writes for the project folder: diff first, back up, then replace atomically.

A user's folder may hold work we must not lose (their package.json, schema, .env), so no
file is ever changed silently: the plan shows a unified diff, the old content is copied to
``<name>.bak`` (``.bak.1``, ``.bak.2`` … when that exists) and the new content lands with a
temp file + ``os.replace``, so a crash never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from supatui.core.events import Emit, Event, EventKind, discard
from supatui.core.plan import FileAction


def read_text(path: Path) -> str | None:
    """The file's text, or None when it does not exist."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def unified_diff(path: Path, new_text: str, old_text: str | None = None, *, exists: bool | None = None) -> str:
    """A unified diff from what is on disk (or ``old_text``) to ``new_text``; "" when equal.

    The one diff of the project: file plans and ``.env`` plans (which mask it) both use it.
    ``exists`` overrides whether the old side is a file (``/dev/null`` otherwise).
    """
    old = read_text(path) if old_text is None else old_text
    if old == new_text:
        return ""
    name = path.name
    has_old = old is not None if exists is None else exists
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        new_text.splitlines(keepends=True),
        fromfile=f"a/{name}" if has_old else "/dev/null",
        tofile=f"b/{name}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def backup_path(path: Path) -> Path:
    """The first free backup name: ``<name>.bak``, then ``<name>.bak.1``, ``.bak.2`` …"""
    candidate = path.with_name(path.name + ".bak")
    index = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak.{index}")
        index += 1
    return candidate


def backup(path: Path) -> Path | None:
    """Copy ``path`` to its backup name (metadata kept); None when there is nothing to keep."""
    if not path.exists():
        return None
    target = backup_path(path)
    shutil.copy2(path, target)
    return target


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, text: str, *, new_mode: int | None = None, durable: bool = True) -> None:
    """Write ``text`` via a temp file in the same folder and ``os.replace`` (the one atomic writer).

    An existing file keeps its mode; a new one gets ``new_mode`` (default: 0666 less the umask,
    as any editor would create it; ``.env`` passes 0600). ``durable=False`` skips the fsync, for
    files rewritten many times a second (the transcript) where atomicity is enough.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else (new_mode if new_mode is not None else _default_mode())
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@dataclass(frozen=True)
class WriteResult:
    path: Path
    changed: bool
    backup: Path | None = None


def plan_write(path: Path, new_text: str, description: str = "") -> FileAction:
    """The plan entry for writing ``new_text`` to ``path``: the diff and where the old file would go."""
    exists = path.exists()
    diff = unified_diff(path, new_text)
    return FileAction(path, diff, description, backup_path(path) if exists and diff else None)


def write_file(path: Path, new_text: str, *, step: str = "", emit: Emit = discard, description: str = "") -> WriteResult:
    """Write ``new_text``; unchanged content is left alone, a changed file is backed up first."""
    old = read_text(path)
    if old == new_text:
        return WriteResult(path, False)
    saved = backup(path) if old is not None else None
    atomic_write(path, new_text)
    detail = f" (previous version kept as {saved.name})" if saved else ""
    emit(Event(step, EventKind.FILE_WRITTEN, f"{description or 'wrote'} {path}{detail}",
               {"path": str(path), "backup": str(saved) if saved else None}))
    return WriteResult(path, True, saved)


class Snapshot:
    """Keeps a file's bytes before a command that may change it (npm install, prisma init).

    ``settle()`` writes the backup only if the command really changed the file, so a rerun
    that changes nothing leaves no ``.bak`` litter, yet nothing is ever lost.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.before: bytes | None = path.read_bytes() if path.exists() else None

    def settle(self, *, step: str = "", emit: Emit = discard) -> Path | None:
        if self.before is None:
            return None
        after = self.path.read_bytes() if self.path.exists() else None
        if after == self.before:
            return None
        target = backup_path(self.path)
        target.write_bytes(self.before)
        text = f"{self.path.name} was changed; the previous version is kept as {target.name}"
        emit(Event(step, EventKind.FILE_WRITTEN, text,
                   {"path": str(self.path), "backup": str(target)}))
        return target
