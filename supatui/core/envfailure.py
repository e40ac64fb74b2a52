"""Failures of the machine, not of supatui: a full disk, a file that may not be changed, a name too long.

:func:`environment_error` turns them into one line naming the cause and the fix; everything the
operating system raises (``OSError``) is the environment's doing. Used by the one error funnel
(:func:`supatui.core.errors.as_user_error`), so the CLI, the headless run and the wizard say the same.
"Pick another folder" names the option of the command that chose the folder (:func:`failing_in`): `kit build`
has no --dir, the sandbox's home is SUPATUI_HOME.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from supatui.core.pastecheck import shown

FS_IOC_GETFLAGS = 0x80086601  # linux/fs.h; FS_IMMUTABLE_FL / FS_APPEND_FL below
FS_IMMUTABLE_FL, FS_APPEND_FL = 0x10, 0x20


@dataclass(frozen=True)
class Place:
    """A folder (or file) the running command chose, and how the user picks another: "pass it with --dir"."""

    root: Path
    choose: str


@dataclass(frozen=True)
class Where:
    """What the running command writes to; ``again`` tells how running it again goes."""

    places: tuple[Place, ...] = ()
    again: str = "and run the same command again."


# Process-wide, not a ContextVar: the walkthrough's worker threads report through it too. A callable is asked
# only when a failure is worded (the CLI's folders cost imports before the wizard's first frame).
_WHERE: Where | Callable[[], Where] = Where()


@contextlib.contextmanager
def failing_in(where: Where | Callable[[], Where]) -> Iterator[None]:
    """While the block runs, environment failures name ``where``'s options in their hints."""
    global _WHERE
    before, _WHERE = _WHERE, where
    try:
        yield
    finally:
        _WHERE = before


def _current() -> Where:
    global _WHERE
    if callable(_WHERE):
        try:
            _WHERE = _WHERE()
        except Exception:  # wording a hint must never raise over the failure it words
            _WHERE = Where()
    return _WHERE


def _how_elsewhere(path: Path | None) -> str:
    """The ' and <how>' of the innermost place holding ``path``; '' when no command said it writes there."""
    if path is None:
        return ""
    target = Path(os.path.abspath(path))
    for place in sorted(_current().places, key=lambda p: len(p.root.parts), reverse=True):
        root = Path(os.path.abspath(place.root))
        if target == root or root in target.parents:
            return f" and {place.choose}"
    return ""


def _flags(path: Path) -> int:
    """The inode flags of ``path`` (chattr), 0 when they cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return 0
    try:
        raw = fcntl.ioctl(fd, FS_IOC_GETFLAGS, struct.pack("l", 0))
        return int(struct.unpack("l", raw)[0])
    except OSError:
        return 0
    finally:
        os.close(fd)


def _locked_file(paths: list[Path]) -> Path | None:
    """One of ``paths`` (or a file in their folder) that carries the immutable / append-only flag."""
    candidates = list(paths)
    for folder in dict.fromkeys(p.parent for p in paths):
        with contextlib.suppress(OSError):
            candidates += [folder, *sorted(p for p in folder.iterdir() if p.is_file())[:50]]
    return next((p for p in candidates if _flags(p) & (FS_IMMUTABLE_FL | FS_APPEND_FL)), None)


def _file_in_the_way(path: Path) -> Path | None:
    """The first part of ``path`` that exists and is a file (so nothing can be created below it)."""
    for parent in reversed([path, *path.parents]):
        try:
            if parent.exists() and not parent.is_dir():
                return parent
        except OSError:
            return None
    return None


def _home_hint(path: Path) -> str:
    home = os.environ.get("SUPATUI_HOME")
    if home and (path == Path(home) or Path(home) in path.parents):
        return " SUPATUI_HOME points there: set it to a folder (or unset it)."
    return ""


def environment_error(exc: BaseException) -> tuple[str, str] | None:
    """(message, hint) for a failure the environment caused, else None."""
    if isinstance(exc, MemoryError):
        return "The machine ran out of memory.", "Close other programs (or give the machine more memory) and run again."
    if isinstance(exc, UnicodeError) and "idna" in str(exc):
        return ("A host name could not be encoded: a part between dots is longer than 63 characters, or it is empty.",
                "Copy the host again from the Connect dialog.")
    if not isinstance(exc, OSError):
        return None
    # os.replace(tmp, target) names the temp file first: the target is what the user knows
    names = [n for n in (exc.filename2, exc.filename) if isinstance(n, str) and n]
    raw = names[0] if names else ""
    path = Path(raw) if raw else None
    where = f" ({shown(raw, 80)})" if raw else ""
    code = exc.errno
    again = _current().again
    if code in (errno.ENOSPC, errno.EDQUOT):
        what = "No space left on the disk" if code == errno.ENOSPC else "The disk quota is used up"
        folder = shown(str(path.parent), 80) if path else "."
        return f"{what}{where}.", f"Free some space on that disk (`df -h {folder}` shows how full it is) {again}"
    if code == errno.EROFS:
        return f"The file system is read-only{where}.", f"Pick a folder on a writable disk{_how_elsewhere(path)}."
    if code == errno.ENAMETOOLONG:
        return (f"A file or folder name is too long for the file system{where}.",
                f"Pick a shorter folder name (at most 255 characters per name){_how_elsewhere(path)}.")
    if code in (errno.EPERM, errno.EACCES):
        locked = _locked_file([Path(n) for n in names])
        if locked is not None:
            return (f"{shown(str(locked), 80)} is marked immutable or append-only (chattr +i / +a), so it cannot "
                    "be changed.", f"Run `sudo chattr -i -a {shown(str(locked), 80)}` {again}")
        return (f"Permission denied{where}.",
                "Check who owns it and its mode (ls -l), make it writable for you, " + again)
    if code in (errno.ENOTDIR, errno.EEXIST) and path is not None:
        blocker = _file_in_the_way(path)
        if blocker is not None:
            return (f"{shown(str(blocker), 80)} is a file, where a folder is needed.",
                    "Move that file away or choose another folder." + _home_hint(blocker))
    if code == errno.EISDIR:
        return f"A folder is where a file is needed{where}.", "Move that folder away " + again
    if code in (errno.EMFILE, errno.ENFILE):
        return "Too many open files.", "Raise the limit (ulimit -n 4096) " + again
    if code == errno.ELOOP:
        return f"A symbolic link points in a circle{where}.", "Fix or remove that link " + again
    if code == errno.EIO:
        return f"The disk reported an input/output error{where}.", "Check the disk (dmesg) before trying again."
    if code == errno.ENOENT and raw:
        return f"No such file or folder{where}.", "Check the path " + again
    reason = exc.strerror or str(exc)
    return f"The system refused an operation: {reason}{where}.", "Check the path and its permissions " + again
