"""The project's ``.env``: set a few keys, keep everything else exactly as it was.

Why our own writer: python-dotenv's ``set_key(quote_mode="always")`` writes single quotes with
``\\'`` escapes that npm's dotenv does not undo (notes infra §6). Here values are written
double-quoted, which python-dotenv, npm dotenv and Prisma all read the same way, as long as the
value has no quote, backslash, newline or ``$`` (a percent-encoded URL has none). The file is
read with python-dotenv's own parser so comments, order, ``export`` prefixes and multi-line
values survive; lines it cannot parse are kept verbatim and reported.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from supatui.core.events import Emit, Event, EventKind, discard
from supatui.core.files import (
    atomic_write,
    backup,
    ensure_gitignored,
    make_backups_private,
    make_private,
    planned_backup,
    remember_written,
    unified_diff,
)
from supatui.core.plan import FileAction
from supatui.core.redact import mask_text

__all__ = ["EnvUpdate", "EnvValueError", "compute_update", "format_line", "mask_text", "read_values", "write_env"]

UNSAFE_VALUE_CHARS = '"\\\n\r$'


class EnvValueError(ValueError):
    """A value that cannot be written so that every dotenv parser reads it back unchanged."""


def format_line(key: str, value: str, *, export: bool = False) -> str:
    """``KEY="value"`` (no newline). Raises :class:`EnvValueError` for unsafe values."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", key):
        raise EnvValueError(f"'{key}' is not a valid .env key")
    bad = sorted({ch for ch in value if ch in UNSAFE_VALUE_CHARS})
    if bad:
        raise EnvValueError(f"the value of {key} contains {' '.join(repr(c) for c in bad)}, which dotenv parsers "
                            "read differently; percent-encode it")
    return f'{"export " if export else ""}{key}="{value}"'


@dataclass(frozen=True)
class EnvUpdate:
    """What writing ``values`` to the file would do, computed without touching it."""

    path: Path
    old_text: str | None  # None: no file, or not UTF-8 text (see ``undecodable``)
    new_text: str
    undecodable: bool = False
    bad_lines: tuple[int, ...] = ()  # 1-based lines python-dotenv could not parse (kept verbatim)
    replaced: tuple[str, ...] = ()
    added: tuple[str, ...] = ()

    @property
    def exists(self) -> bool:
        return self.old_text is not None or self.undecodable

    @property
    def changed(self) -> bool:
        return self.undecodable or self.old_text != self.new_text

    def diff(self) -> str:
        """Unified diff, masked."""
        if not self.changed:
            return ""
        return mask_text(unified_diff(self.path, self.new_text, self.old_text or "", exists=self.exists))

    def problems(self) -> list[str]:
        out: list[str] = []
        if self.undecodable:
            out.append(f"{self.path.name} is not UTF-8 text, so it cannot be edited line by line: it is kept as a "
                       "backup and a new file is written with only the keys supatui sets. Copy anything you need "
                       "from the backup.")
        if self.bad_lines:
            numbers = ", ".join(str(n) for n in self.bad_lines)
            kept = ", and the previous file is backed up" if self.changed else ""
            out.append(f"line(s) {numbers} of {self.path.name} are not KEY=value lines (dotenv ignores them); "
                       f"they were kept as they were{kept}.")
        return out


def _newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def compute_update(path: Path, values: dict[str, str], *, header: str = "") -> EnvUpdate:
    """The new text: our keys replaced in place (every occurrence), missing ones added after them."""
    new_lines = {key: format_line(key, value) for key, value in values.items()}
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raw = None
    if raw is None or _undecodable(raw):
        body = (f"# {header}\n" if header else "") + "".join(line + "\n" for line in new_lines.values())
        return EnvUpdate(path, None, body, undecodable=raw is not None, added=tuple(values))
    old = raw.decode("utf-8")
    newline = _newline_of(old)
    out: list[str] = []
    bad: list[int] = []
    seen: list[str] = []
    insert_at = -1
    line_no = 1
    from dotenv.parser import parse_stream

    for binding in parse_stream(io.StringIO(old)):
        original = binding.original.string
        if binding.error:  # report the first non-blank line of what could not be parsed
            blank = original[: len(original) - len(original.lstrip("\r\n"))]
            bad.append(line_no + _count_lines(blank))
        line_no += _count_lines(original)
        if binding.key in new_lines and not binding.error:
            ending = newline if original.endswith(("\n", "\r")) else ""
            lead = original[: len(original) - len(original.lstrip())]  # blank lines the parser folded in
            export = original.lstrip().startswith("export ")
            out.append(lead + format_line(binding.key, values[binding.key], export=export) + ending)
            if binding.key not in seen:
                seen.append(binding.key)
            insert_at = len(out)
        else:
            out.append(original)
    missing = [key for key in values if key not in seen]
    if missing:
        if insert_at < 0:
            if out and not out[-1].endswith(("\n", "\r")):
                out[-1] += newline
            if header and out and out[-1].strip():
                out.append(newline)
            if header:
                out.append(f"# {header}{newline}")
            insert_at = len(out)
        elif not out[insert_at - 1].endswith(("\n", "\r")):
            out[insert_at - 1] += newline
        out[insert_at:insert_at] = [new_lines[key] + newline for key in missing]
    return EnvUpdate(path, old, "".join(out), bad_lines=tuple(bad), replaced=tuple(seen), added=tuple(missing))


def _count_lines(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _undecodable(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return b"\x00" in raw


def plan_env(update: EnvUpdate, description: str = "") -> FileAction:
    return FileAction(update.path, update.diff(), description,
                      planned_backup(update.path) if update.exists and update.changed else None)


@dataclass(frozen=True)
class EnvWriteResult:
    path: Path
    changed: bool
    backup: Path | None = None
    warnings: list[str] = field(default_factory=list)


def write_env(path: Path, values: dict[str, str], *, header: str = "", step: str = "", emit: Emit = discard,
              gitignore: bool = True) -> EnvWriteResult:
    """Set ``values`` in the file: .gitignore first, backup when it changes, atomic replace, always 0600.

    The file and every backup of it end up 0600 whatever their mode was (``prisma init`` makes
    ``.env`` 0644), and with ``gitignore`` the folder's .gitignore lists them before the new
    content (a password) is on disk.
    """
    real = path.resolve() if path.is_symlink() else path
    update = compute_update(real, values, header=header)
    warnings = update.problems()
    for warning in warnings:
        emit(Event(step, EventKind.WARNING, warning, {"path": str(path)}))
    if gitignore and path.name == ".env":
        ensure_gitignored(path.parent, step=step, emit=emit)
    tightened = [p.name for p in make_backups_private(real)]
    if not update.changed:
        if make_private(real):
            tightened.insert(0, real.name)
        _say_tightened(tightened, step, emit)
        return EnvWriteResult(path, False, None, warnings)
    saved = backup(real) if update.exists else None
    atomic_write(real, update.new_text, private=True)
    remember_written(real, saved, update.new_text.encode("utf-8"))
    _say_tightened(tightened, step, emit)
    detail = f" (previous version kept as {saved.name}, mode 0600)" if saved else ""
    keys = ", ".join(update.replaced + update.added)
    emit(Event(step, EventKind.FILE_WRITTEN, f"wrote {path} (mode 0600): {keys}{detail}",
               {"path": str(path), "backup": str(saved) if saved else None, "diff": update.diff()}))
    return EnvWriteResult(path, True, saved, warnings)


def _say_tightened(names: list[str], step: str, emit: Emit) -> None:
    if names:
        emit(Event(step, EventKind.INFO, f"Made {', '.join(names)} readable by you only (mode 0600): "
                   "they hold database passwords."))


def read_values(path: Path) -> dict[str, str | None]:
    """The file as python-dotenv's ``dotenv_values(interpolate=False)`` reads it, minus its stderr warnings.

    For our double-quoted, percent-encoded values this is also what npm dotenv and Prisma read.
    """
    from dotenv.parser import parse_stream  # here: python-dotenv's package import is not needed to start the wizard

    with path.open(encoding="utf-8") as handle:
        return {b.key: b.value for b in parse_stream(handle) if b.key is not None and not b.error}
