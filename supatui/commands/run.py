"""`supatui run`: all six steps without the TUI, for scripts, CI and tests.

Plain output shows every SQL statement and command with its live output, prefixed by step;
``--json`` prints events as JSON lines. Exit 0 when done, 1 when a step failed (one line:
which step, why, what to do), 2 for bad usage or input, 130 when cancelled.
"""

from __future__ import annotations

import argparse
from typing import Any

from supatui.core.steps import STEP_IDS


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "run",
        help="run all six steps without the TUI",
        description="Run the six steps of Supabase's 'Connecting with Prisma' guide headless. "
        "Passwords come from the keyring or SUPATUI_DB_PASSWORD / SUPATUI_PRISMA_PASSWORD, never from flags.",
    )
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask before each step")
    parser.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS,
                        help="start or reuse the local sandbox and take every input from it")
    parser.add_argument("--dir", default=argparse.SUPPRESS, metavar="PATH",
                        help="project folder (default: ./hello-prisma, or this folder when it is the project)")
    parser.add_argument("--kit", default=argparse.SUPPRESS, metavar="DIR|URL",
                        help="take npm packages and Prisma's engine only from this offline kit (no other network)")
    parser.add_argument("--url", help="a connection string pasted from Supabase's Connect dialog (password optional)")
    parser.add_argument("--ref", help="project ref (20 lowercase letters)")
    parser.add_argument("--pooler-host", help="pooler host, copied from the Connect dialog")
    parser.add_argument("--mode", choices=["session", "transaction", "direct"], help="connection mode (default: session)")
    parser.add_argument("--pm", choices=["npm", "pnpm", "yarn", "bun"], help="package manager (default: npm)")
    parser.add_argument("--prisma", type=int, choices=[6, 7], help="Prisma major version (default: latest, 7)")
    parser.add_argument("--role", help="database role to create (default: prisma)")
    parser.add_argument("--new-prisma-password", action="store_true",
                        help="if the role exists with a password not known here, set a new one "
                        "(everything using the old password stops working)")
    parser.add_argument("--no-sample-row", action="store_true", help="do not insert a sample row in step 6")
    parser.add_argument("--from", dest="from_step", choices=STEP_IDS, help="start at this step")
    parser.add_argument("--redo", action="append", choices=STEP_IDS, default=[], help="run this step even if done")
    parser.add_argument("--json", action="store_true", help="print events as JSON lines")
    advanced = parser.add_argument_group("advanced (non-standard endpoints)")
    advanced.add_argument("--session-port", type=int, help="pooler session port (default 5432)")
    advanced.add_argument("--transaction-port", type=int, help="pooler transaction port (default 6543)")
    advanced.add_argument("--direct-host", help="direct host (default db.<ref>.supabase.co)")
    advanced.add_argument("--direct-port", type=int, help="direct port (default 5432)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from supatui.commands.run_console import run_headless
    from supatui.core.files import one_backup_per_run

    with one_backup_per_run():  # the early work too: a file changed twice in the run is backed up once
        return run_headless(args)
