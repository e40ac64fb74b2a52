"""The `supatui` command: the wizard by default, plus headless subcommands.

Every subcommand lives in ``supatui.commands.<name>`` with ``register(subparsers)`` and
``main(args) -> int``. Errors end as one line on stderr and a non-zero exit, never a traceback
(set SUPATUI_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from supatui import __version__

if TYPE_CHECKING:
    from supatui.core.envfailure import Where

COMMANDS = ("run", "check", "sandbox", "url", "diagnose", "doctor", "kit", "room", "serve")

_VALUED = ("--dir", "--kit", "--join")  # options taking a value: that value is no subcommand

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """One line, as every supatui error: what is wrong, and where to look."""
        self.exit(EXIT_USAGE, f"supatui: error: {message} — Run `{self.prog} --help` to see the options.\n")


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="supatui",
        description="Connect a Prisma project to Supabase Postgres: every step of Supabase's guide, done for real.",
        epilog="Start with `supatui --sandbox` to practise on a local database, no account needed.",
    )
    parser.add_argument("--version", action="version", version=f"supatui {__version__}")
    parser.add_argument("--sandbox", action="store_true", help="use the local Supabase-like sandbox database")
    parser.add_argument("--dir", default=None, metavar="PATH",
                        help="project folder (default: ./hello-prisma, or this folder when it is the project)")
    parser.add_argument("--kit", default=None, metavar="DIR|URL", help="take npm packages and Prisma's engine only from "
                        "this offline kit (`supatui kit build` / `kit serve`), no other network")
    parser.add_argument("--join", metavar="CODE", default=None, help="join a workshop room with the code you were given")
    parser.add_argument("--share", action="store_true", help="with --join: show the room your progress (steps, failure ids)")
    if not with_commands:  # the wizard alone: importing the nine subcommands cost ~10% of its first paint
        parser.set_defaults(command=None)
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"supatui.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"supatui.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def _print_error(text: str) -> None:
    from supatui.core.redact import redact

    print(f"supatui: {redact(text)}", file=sys.stderr)


def _wizard_only(words: Sequence[str]) -> bool:
    """True when argv is options of the wizard alone: no subcommand, no help, no stray word (which the full
    parser must see to report it)."""
    previous = ""
    for word in words:
        if word in COMMANDS or word in ("-h", "--help") or not (word.startswith("-") or previous in _VALUED):
            return False
        previous = word
    return True


def _joined_a_room(args: argparse.Namespace) -> bool:
    """Cheap: does the project folder hold a room's join (``--join`` earlier)? The room's code loads only then."""
    from supatui.core.errors import SupatuiError
    from supatui.core.projectdir import resolve

    try:
        return (resolve(getattr(args, "dir", None)) / ".supatui" / "room.json").is_file()
    except (SupatuiError, OSError):
        return False  # a bad --dir is said by the command itself


def _where(args: argparse.Namespace) -> Where:
    """The folders this command writes to and the option that picks others, for environment failures' hints."""
    from supatui.core.envfailure import Place, Where
    from supatui.core.projectdir import resolve
    from supatui.core.projects import registry_path

    places = [Place(registry_path().parent, "point SUPATUI_HOME at it")]
    command, action = args.command, getattr(args, "action", None) or getattr(args, "kit_command", None)
    if command in (None, "run", "check", "serve") or (command, action) == ("room", "hand"):
        with contextlib.suppress(Exception):  # a bad --dir is said by the command itself
            places.append(Place(resolve(getattr(args, "dir", None)), "pass it with --dir"))
    if command == "kit" and action == "build":
        places.append(Place(args.kit_dir, "pass it to `supatui kit build` as DIR"))
    if command == "doctor":
        if args.doctor_dir is not None:
            places.append(Place(args.doctor_dir, "pass it with --dir"))
        if args.report is not None:
            places.append(Place(args.report, "pass it to --report"))
    if command in (None, "run"):  # only the walkthrough keeps finished steps
        return Where(tuple(places), "and run the same command again (finished steps are kept).")
    return Where(tuple(places))


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(with_commands=not _wizard_only(words))
    args = parser.parse_args(words)
    from supatui.core.runner import install_exit_cleanup

    install_exit_cleanup()  # SIGTERM/SIGHUP/exit: every child's process group ends with supatui
    handler: Callable[[argparse.Namespace], int]
    if args.command is None:
        from supatui.ui.launch import run_wizard

        handler = run_wizard
    else:
        handler = args.handler
    from supatui.core.envfailure import failing_in

    with failing_in(lambda: _where(args)):  # the except clauses below word their hints with it
        return _handle(args, handler)


def _handle(args: argparse.Namespace, handler: Callable[[argparse.Namespace], int]) -> int:
    """Run the command; every error ends here as one line and an exit code."""
    try:
        if getattr(args, "join", None):
            from supatui.room.join import join_from_args

            join_from_args(args)
        elif args.command in (None, "run", "check") and _joined_a_room(args):
            from supatui.room.join import rejoin_from_args

            rejoin_from_args(args)
        kit = getattr(args, "kit", None)
        if kit is None:
            return handler(args)
        from supatui.kit.use import using_kit  # --kit: every child process sees only the kit

        with using_kit(kit) as session:
            assert session is not None
            print(f"supatui: offline kit at {session.base_url}: npm packages and Prisma's engine come only from it",
                  file=sys.stderr)
            return handler(args)
    except KeyboardInterrupt:
        _print_error("cancelled — run the same command again to continue where it stopped.")
        return EXIT_CANCELLED
    except BrokenPipeError:  # `supatui … | head`: the reader left, which is not an error
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except Exception as exc:  # the one place errors become text
        from supatui.core.errors import InputError, as_user_error

        if os.environ.get("SUPATUI_DEBUG"):
            traceback.print_exc()
        error = as_user_error(exc)
        _print_error(error.one_line())
        if isinstance(error, InputError):
            return EXIT_USAGE
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
