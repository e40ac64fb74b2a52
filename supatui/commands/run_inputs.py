"""`supatui run` flags -> :class:`~supatui.core.session.RunOptions` (the builder in core does the rest).

Passwords never come from a flag: the builder reads the environment, the keyring, the pasted
URL, and on a terminal asks (getpass).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from supatui.core.session import ENDPOINT_KEYS, Prompt, RunOptions


def options_from_args(args: argparse.Namespace) -> RunOptions:
    dir_: Path | None = getattr(args, "dir", None)
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
        endpoint={key: getattr(args, key) for key in ENDPOINT_KEYS if getattr(args, key, None) is not None},
    )


def terminal_prompt() -> Prompt | None:
    """getpass on a terminal; None when there is nobody to ask."""
    return getpass.getpass if sys.stdin.isatty() else None
