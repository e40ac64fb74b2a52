"""Safe file writes for the project folder: diff first, back up, then replace atomically.

A user's folder may hold work we must not lose (their package.json, schema, .env), so no
file is ever changed silently: the plan shows a unified diff, the old content is copied to
``<name>.bak`` (``.bak.1``, ``.bak.2`` … when that exists) and the new content lands with a
temp file + ``os.replace``, so a crash never leaves a half-written file.

Files that may hold a password (``.env`` and its backups) stay private: backups are always
created 0600 (the old ``.env`` had the old password), ``private=True`` writes force 0600 even
when the file was 0644 (``prisma init`` creates it so), and the temp file is named
``.<name>.<random>.supatui-tmp`` (0600, gitignored by :data:`GITIGNORE_PRIVATE`, and removed by
the next write to the same file if a kill -9 left it behind).

Within one run (:func:`one_backup_per_run`: ``supatui run``, the wizard) a file is backed up once,
from what it held before the run: a second change (prisma init appends to .gitignore, step 2
completes it, the role step lists .env) finds the file still holding what this run left in it and
keeps the first backup. A file that holds anything else (the user edited it meanwhile) is backed up again.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from supatui.core.events import Emit, Event, EventKind, discard
from supatui.core.plan import FileAction

TMP_SUFFIX = ".supatui-tmp"
PRIVATE_MODE = 0o600
# .gitignore lines that keep password-holding files out of git: the file, its backups, our temp files.
GITIGNORE_PRIVATE = (".env", ".env.bak*", f"*{TMP_SUFFIX}")


# path -> (its backup this run, None when the run created it; the digest of what the run left in it)
_THIS_RUN: dict[Path, tuple[Path | None, bytes]] | None = None
_RUN_LOCK = threading.Lock()  # the early work (step 2 beside step 1) writes from other threads


@contextlib.contextmanager
def one_backup_per_run() -> Iterator[None]:
    """While the block runs, each file is backed up at most once, from its content before the run."""
    global _THIS_RUN
    with _RUN_LOCK:
        outer, _THIS_RUN = _THIS_RUN, (_THIS_RUN if _THIS_RUN is not None else {})
    try:
        yield
    finally:
        with _RUN_LOCK:
            _THIS_RUN = outer


def _digest(data: bytes) -> bytes:
    import hashlib  # here, not at the top: loading OpenSSL cost the wizard's first frame ~1% (benchmarks/startup.py)

    return hashlib.sha256(data).digest()


def _key(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _left_by_this_run(path: Path, content: bytes) -> tuple[bool, Path | None]:
    """(True, its backup) when ``content`` is what this run last left in ``path`` and that backup still exists."""
    with _RUN_LOCK:
        entry = None if _THIS_RUN is None else _THIS_RUN.get(_key(path))
    if entry is None or entry[1] != _digest(content):
        return False, None
    saved = entry[0]
    return (saved is None or saved.exists()), saved


def remember_written(path: Path, saved: Path | None, content: bytes) -> None:
    """Within a run: ``path`` now holds ``content``; its pre-run content is in ``saved`` (None: there was none)."""
    with _RUN_LOCK:
        if _THIS_RUN is not None:
            _THIS_RUN[_key(path)] = (saved, _digest(content))


def _remember_appended(path: Path, old: bytes, new: bytes) -> None:
    """An append needs no backup, but it leaves the file the run's own only if the run wrote what was there: a
    user's file that merely gained lines is backed up by the next change that drops any of them."""
    ours, saved = _left_by_this_run(path, old)
    if ours:
        remember_written(path, saved, new)


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


def planned_backup(path: Path) -> Path | None:
    """Where a change to ``path`` would keep its old content: this run's earlier backup, else the next free name."""
    try:
        data = path.read_bytes()
    except OSError:
        return backup_path(path)
    ours, saved = _left_by_this_run(path, data)
    return saved if ours else backup_path(path)


def _write_private(target: Path, data: bytes, like: Path | None = None) -> None:
    """Create ``target`` (must not exist) 0600 from the first byte on; copy ``like``'s times."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(target, PRIVATE_MODE)  # whatever the umask
    if like is not None:
        with contextlib.suppress(OSError):
            stat = like.stat()
            os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def backup(path: Path) -> Path | None:
    """Copy ``path`` to its backup name, 0600 (it may hold an old password); None when nothing to keep.

    Within a run, a file that still holds what the run left in it is not copied again: its backup (of the
    content before the run) is returned, None when the run created it.
    """
    if not path.exists():
        return None
    data = path.read_bytes()
    ours, saved = _left_by_this_run(path, data)
    if ours:
        return saved
    target = backup_path(path)
    _write_private(target, data, like=path)
    return target


def make_private(path: Path) -> bool:
    """chmod 0600 when group or others may read/write it; True when the mode was changed."""
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return False
    if mode & 0o077:
        os.chmod(path, mode & 0o700 | PRIVATE_MODE)
        return True
    return False


def make_backups_private(path: Path) -> list[Path]:
    """Tighten every ``<name>.bak*`` next to ``path`` (older supatui versions copied the 0644 mode)."""
    changed: list[Path] = []
    for candidate in path.parent.glob(glob_escape(path.name) + ".bak*"):
        if candidate.is_file() and not candidate.is_symlink() and make_private(candidate):
            changed.append(candidate)
    return changed


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _stale_temps(path: Path) -> list[Path]:
    """Temp files an interrupted write of ``path`` left: ours, and mkstemp's old ``.<name>.XXXXXXXX.tmp``."""
    ours = re.compile(re.escape(f".{path.name}.") + r"[A-Za-z0-9_]{8}(?:" + re.escape(TMP_SUFFIX) + r"|\.tmp)")
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return [path.parent / name for name in names if ours.fullmatch(name)]


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, text: str, *, new_mode: int | None = None, durable: bool = True,
                 private: bool = False) -> None:
    """Write ``text`` via a temp file in the same folder and ``os.replace`` (the one atomic writer).

    An existing file keeps its mode; a new one gets ``new_mode`` (default: 0666 less the umask,
    as any editor would create it). ``private=True`` (``.env``) makes it 0600 either way. Temp
    files a killed earlier write left behind are removed first. ``durable=False`` skips the fsync,
    for files rewritten many times a second (the transcript) where atomicity is enough.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in _stale_temps(path):
        with contextlib.suppress(OSError):
            stale.unlink()
    if private:
        mode = PRIVATE_MODE
    else:
        mode = path.stat().st_mode & 0o7777 if path.exists() else (new_mode if new_mode is not None
                                                                   else _default_mode())
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)  # 0600 from the start
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


APPEND_ONLY = frozenset({".gitignore"})  # ignore lists the steps only ever add lines to


def only_appended(path: Path, old: str | bytes, new: str | bytes) -> bool:
    """Whether ``new`` is ``old`` with lines added at the end, in a file where that loses nothing (.gitignore).

    A full run appends to .gitignore three times (step 1, prisma init, step 2); a copy each time left
    ``.gitignore.bak``, ``.bak.1`` and ``.bak.2`` in a fresh folder, all of them supatui's own text.
    """
    return path.name in APPEND_ONLY and new.startswith(old)  # type: ignore[arg-type]


def plan_write(path: Path, new_text: str, description: str = "") -> FileAction:
    """The plan entry for writing ``new_text`` to ``path``: the diff and where the old file would go."""
    old = read_text(path)
    diff = unified_diff(path, new_text)
    keep = old is not None and diff and not only_appended(path, old, new_text)
    return FileAction(path, diff, description, planned_backup(path) if keep else None)


def write_file(path: Path, new_text: str, *, step: str = "", emit: Emit = discard, description: str = "") -> WriteResult:
    """Write ``new_text``; unchanged content is left alone, a changed file is backed up first."""
    old = read_text(path)
    if old == new_text:
        return WriteResult(path, False)
    appended = old is not None and only_appended(path, old, new_text)
    saved = backup(path) if old is not None and not appended else None
    atomic_write(path, new_text)
    if old is not None and appended:
        _remember_appended(path, old.encode("utf-8"), new_text.encode("utf-8"))
    else:
        remember_written(path, saved, new_text.encode("utf-8"))
    detail = f" (previous version kept as {saved.name})" if saved else ""
    emit(Event(step, EventKind.FILE_WRITTEN, f"{description or 'wrote'} {path}{detail}",
               {"path": str(path), "backup": str(saved) if saved else None}))
    return WriteResult(path, True, saved)


def gitignore_update(folder: Path, lines: tuple[str, ...] = GITIGNORE_PRIVATE) -> tuple[Path, str] | None:
    """``folder/.gitignore`` and its text with the missing ``lines`` appended; None when all are there."""
    path = folder / ".gitignore"
    old = read_text(path)
    present = {line.strip() for line in (old or "").splitlines()}
    missing = [line for line in lines if line not in present and f"/{line}" not in present]
    if not missing:
        return None
    text = old or ""
    if text and not text.endswith("\n"):
        text += "\n"
    return path, text + "\n".join(missing) + "\n"


def ensure_gitignored(folder: Path, lines: tuple[str, ...] = GITIGNORE_PRIVATE, *, step: str = "",
                     emit: Emit = discard) -> bool:
    """Append the missing ``lines`` to ``folder/.gitignore`` (created if needed); True when it changed.

    Called before a password is first written, so ``git add .`` can never pick the file up.
    """
    update = gitignore_update(folder, lines)
    if update is None:
        return False
    write_file(update[0], update[1], step=step, emit=emit, description="kept password files out of git:")
    return True


class Snapshot:
    """Keeps a file's bytes before a command that may change it (npm install, prisma init).

    ``settle()`` writes the backup only if the command really changed the file, so a rerun
    that changes nothing leaves no ``.bak`` litter, yet nothing is ever lost.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.before: bytes | None = path.read_bytes() if path.exists() else None

    def settle(self, *, step: str = "", emit: Emit = discard) -> Path | None:
        after = self.path.read_bytes() if self.path.exists() else None
        if after == self.before:
            return None
        if self.before is not None and after is not None and only_appended(self.path, self.before, after):
            _remember_appended(self.path, self.before, after)
            return None
        if self.before is None:  # the command created it: nothing of the user's to keep
            if after is not None:
                remember_written(self.path, None, after)
            return None
        ours, saved = _left_by_this_run(self.path, self.before)
        if ours:  # it held this run's own content: the backup made earlier keeps the original
            if after is not None:
                remember_written(self.path, saved, after)
            kept = f"the version before this run is kept as {saved.name}" if saved else "this run created it"
            emit(Event(step, EventKind.FILE_WRITTEN, f"{self.path.name} was changed again ({kept})",
                       {"path": str(self.path), "backup": str(saved) if saved else None}))
            return saved
        target = backup_path(self.path)
        _write_private(target, self.before)
        if after is not None:
            remember_written(self.path, target, after)
        text = f"{self.path.name} was changed; the previous version is kept as {target.name}"
        emit(Event(step, EventKind.FILE_WRITTEN, text,
                   {"path": str(self.path), "backup": str(target)}))
        return target
