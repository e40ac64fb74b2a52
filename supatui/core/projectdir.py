"""The project folder a person names (``--dir``, the wizard's field): checked before anything is created.

One line for each way it goes wrong: empty, a line break in it, ``~nosuchuser``, a name too long
for the file system, a file in the way, not writable, a damaged ``.supatui/state.json``.
"""

from __future__ import annotations

import os
from pathlib import Path

from supatui.core.errors import InputError
from supatui.core.pastecheck import shown
from supatui.core.state import check_state

DEFAULT_DIR = Path("hello-prisma")
SANDBOX_CONFLICTS = ("url", "ref", "pooler_host", "session_port", "transaction_port", "direct_host", "direct_port")


def default_dir(cwd: Path | None = None) -> Path:
    """./hello-prisma, unless the current folder is the project itself: the guide's `cd hello-prisma`, or a
    folder supatui has worked in (``.supatui/state.json``). An existing ./hello-prisma below always wins."""
    try:
        here = Path.cwd() if cwd is None else cwd
    except OSError:  # the current folder was deleted: resolve() says so
        return DEFAULT_DIR
    nested = here / DEFAULT_DIR
    try:
        if nested.exists():
            return nested
        if here.name == DEFAULT_DIR.name or (here / ".supatui" / "state.json").is_file():
            return here
    except OSError:  # an unreadable folder: the plain default, whose checks say what is wrong
        pass
    return nested


def resolve(chosen: str | os.PathLike[str] | None) -> Path:
    """``chosen`` (None: :func:`default_dir`) as an absolute path; raises :class:`InputError`; creates nothing."""
    raw = os.fspath(chosen) if chosen is not None else str(default_dir())
    if chosen is not None and not raw.strip():
        raise InputError("--dir is empty.", "Pass a folder name (--dir hello-prisma), or leave --dir out.", field="dir")
    if any(ch in raw for ch in "\n\r\x00"):
        raise InputError(f"The folder name '{shown(raw)}' contains a line break or NUL.",
                         "Pass --dir a plain folder name.", field="dir")
    try:
        path = Path(raw).expanduser().resolve()
    except RuntimeError:  # Path.expanduser: "Could not determine home directory" for ~nosuchuser
        user = raw[1:].split("/", 1)[0]
        raise InputError(f"There is no user '{shown(user)}' on this machine, so {shown(raw.split('/', 1)[0])} "
                         "names no home folder.", "Pass the folder in full (--dir /path/to/folder).",
                         field="dir") from None
    try:
        is_file = path.exists() and not path.is_dir()
    except OSError as exc:  # ENAMETOOLONG, ELOOP…: raised by stat before anything is created
        raise InputError(f"Cannot use the folder {shown(str(path))}: {exc.strerror}.",
                         "Pick a shorter or plainer path with --dir.", field="dir") from None
    if is_file:
        raise InputError(f"{path} is a file, not a folder.", "Pick a folder with --dir.", field="dir")
    return path


def ensure(path: Path) -> Path:
    """Create ``path`` if needed and check it can be written and resumed from."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"Cannot create the folder {shown(str(path))}: {exc.strerror}.",
                         "Pick a writable folder with --dir.", field="dir") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(f"The folder {path} is not writable.", "Pick a writable folder with --dir.", field="dir")
    check_state(path)
    return path


def check_sandbox_inputs(sandbox: bool, given: dict[str, object]) -> None:
    """--sandbox takes every connection input from the local sandbox: a --url next to it is a contradiction."""
    named = [key for key, value in given.items() if value not in (None, "")]
    if sandbox and named:
        flags = " ".join("--" + key.replace("_", "-") for key in named)
        raise InputError(f"--sandbox connects to the local sandbox, so {flags} would be ignored.",
                         f"Drop --sandbox to use your project, or drop {flags} to practise on the sandbox.",
                         field=named[0])
