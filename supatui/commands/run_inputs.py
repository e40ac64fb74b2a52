"""`supatui run` flags -> :class:`~supatui.core.session.RunOptions` (the builder in core does the rest).

Passwords never come from a flag: the builder reads the environment, the keyring, the pasted
URL, and on a terminal asks (getpass).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from supatui.core import projectdir
from supatui.core.connstr import UrlError, parse_url
from supatui.core.pastecheck import direct_host_note
from supatui.core.session import ENDPOINT_KEYS, Prompt, RunOptions


def options_from_args(args: argparse.Namespace) -> RunOptions:
    """The options, with the folder and the flag combinations checked (one line each, before anything starts)."""
    raw_dir = getattr(args, "dir", None)
    dir_: Path | None = projectdir.resolve(raw_dir) if raw_dir is not None else None  # "" and "~nouser" refused
    projectdir.check_sandbox_inputs(bool(getattr(args, "sandbox", False)),
                                    {key: getattr(args, key, None) for key in projectdir.SANDBOX_CONFLICTS})
    return RunOptions(
        project_dir=dir_,
        sandbox=bool(getattr(args, "sandbox", False)),
        url=getattr(args, "url", None),
        ref=getattr(args, "ref", None),
        pooler_host=getattr(args, "pooler_host", None),
        mode=getattr(args, "mode", None),
        package_manager=getattr(args, "pm", None),
        prisma_major=getattr(args, "prisma", None),
        role=getattr(args, "role", None),
        sample_row=not getattr(args, "no_sample_row", False),
        new_prisma_password=bool(getattr(args, "new_prisma_password", False)),
        endpoint={key: getattr(args, key) for key in ENDPOINT_KEYS if getattr(args, key, None) is not None},
    )


def terminal_prompt() -> Prompt | None:
    """getpass on a terminal; None when there is nobody to ask."""
    return getpass.getpass if sys.stdin.isatty() else None


def resolve_project_dir(args: argparse.Namespace) -> Path:
    """The --dir folder as an absolute path, refused with one line when it cannot be one; nothing created."""
    return projectdir.resolve(getattr(args, "dir", None))


def url_notes(url: str) -> list[str]:
    """What to tell before connecting: the direct host is IPv6-only (a note, not an error)."""
    try:
        parsed = parse_url(url)
    except UrlError:
        return []
    note = direct_host_note(parsed.host, parsed.port)
    return [note] if note else []
