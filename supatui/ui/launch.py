"""`supatui`, `supatui --sandbox`, `supatui --dir PATH`: build the context and open the wizard.

Kept cheap to import: Textual and the steps load only when the wizard really starts.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def build_context(args: argparse.Namespace) -> tuple[Any, set[str]]:
    """The context (resumed from the folder's saved state) and the steps recorded as done there."""
    from supatui.core.session import RunOptions
    from supatui.core.session import build_context as build_session

    options = RunOptions(project_dir=getattr(args, "dir", None), sandbox=bool(getattr(args, "sandbox", False)))
    # The wizard asks for what is missing, and reads the keyring in a thread (a locked one can hang).
    session = build_session(options, need_target=False, read_keyring=False)
    return session.ctx, session.done


def _transcript(ctx: Any) -> Any:
    from supatui.core.transcript import transcript_for

    try:
        return transcript_for(ctx.config, "sandbox" if ctx.config.sandbox else "project")
    except Exception:  # the transcript is a convenience; never a reason not to start
        return None


def _warn_about_textual_debug_log() -> None:
    """Textual's debug log records every key press; with it on, typed passwords end up there."""
    features = os.environ.get("TEXTUAL", "")
    if os.environ.get("TEXTUAL_LOG") or "devtools" in features or "debug" in features:
        print("supatui: warning: Textual's debug log is on (TEXTUAL_LOG / devtools): it records every key you "
              "press, passwords included — unset it before typing a real password.", file=sys.stderr)


def require_terminal(args: argparse.Namespace) -> None:
    """The wizard draws on a terminal; piped or in CI it would draw into the pipe forever: say how to go headless."""
    if os.environ.get("TEXTUAL_DRIVER"):  # a driver of its own (textual-serve's web driver) needs no terminal
        return
    if sys.stdin.isatty() and sys.stdout.isatty():
        return
    from supatui.core.errors import InputError

    which = "stdin" if not sys.stdin.isatty() else "stdout"
    folder = f" --dir {args.dir}" if getattr(args, "dir", None) else ""
    source = "--sandbox" if getattr(args, "sandbox", False) else '--url "<the Connect dialog\'s string>"'
    raise InputError(f"The wizard needs a terminal, and its {which} is not one (a pipe, a file or CI).",
                     f"Run the steps headless instead: supatui run --yes {source}{folder}")


def run_wizard(args: argparse.Namespace) -> int:
    from supatui.core.projectdir import resolve

    resolve(getattr(args, "dir", None))  # a bad --dir is said first, before anything is created
    require_terminal(args)
    from supatui.ui.app import SupatuiApp

    _warn_about_textual_debug_log()

    ctx, done = build_context(args)
    # The transcript is made just after the first frame: its module (datetime & co.) is not needed to draw it.
    app = SupatuiApp(ctx, sandbox=bool(getattr(args, "sandbox", False)), done=done,
                     transcript_factory=lambda: _transcript(ctx))
    from supatui.core.files import one_backup_per_run

    try:
        with one_backup_per_run():  # the wizard's session is one run: each file backed up once, from the original
            result = app.run()
    finally:
        ctx.cancel.cancel()
        transcript = app.transcript
        if transcript is not None and hasattr(transcript, "close"):
            transcript.close()
    return int(result or 0)
