"""`supatui check`: learn mode's judge. Did you do each step? If not, what exactly is missing, and the fix.

Read-only: it never writes to the database or the folder and does not need supatui's saved
state, so a project made by hand from the guide passes as well as one supatui made.
Exit 0 when all six steps are done, 1 otherwise, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from supatui.core.steps import STEP_IDS


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "check", help="check each step done by hand: what is missing and the fix (read-only)",
        description="Check the six steps of Supabase's 'Connecting with Prisma' guide against the database and the "
        "folder, read-only. For each step not done, says what is missing and the one command or edit that fixes it.")
    parser.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS,
                        help="check against the local sandbox (started if it is not running)")
    parser.add_argument("--dir", type=Path, default=argparse.SUPPRESS, metavar="PATH",
                        help="project folder (default: ./hello-prisma, or this folder when it is the project)")
    parser.add_argument("--url", help="a connection string from Supabase's Connect dialog (password optional)")
    parser.add_argument("--ref", help="project ref (20 lowercase letters)")
    parser.add_argument("--pooler-host", help="pooler host, copied from the Connect dialog")
    parser.add_argument("--pm", choices=["npm", "pnpm", "yarn", "bun"], help="package manager the fixes use (default: npm)")
    parser.add_argument("--role", help="the Prisma role (default: prisma)")
    parser.add_argument("--step", choices=STEP_IDS, action="append", help="check only this step (repeatable)")
    parser.add_argument("--json", action="store_true", help='{"steps": [{"id", "done", "missing", "hint"}, …]}')
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from supatui.commands.run_inputs import options_from_args
    from supatui.core.learn import check_step
    from supatui.core.learn.world import World
    from supatui.core.session import build_context

    options = options_from_args(args)
    sandbox = None
    if options.sandbox:
        from supatui.sandbox import Sandbox

        sandbox = Sandbox().start()
    # the admin's password as run finds it (environment > keyring > the --url's), never asked for, never kept
    ctx = build_context(options, sandbox=sandbox, need_target=False, create_dir=False, known_password=True).ctx
    world = World(ctx)
    reports = [check_step(ctx, step_id, world) for step_id in (args.step or STEP_IDS)]
    if args.json:
        print(json.dumps({"project": str(ctx.config.project_dir), "steps": [r.to_json() for r in reports]},
                         ensure_ascii=False))
    else:
        _print(reports, colour=sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    return 0 if all(r.done for r in reports) else 1


def _print(reports: list[Any], *, colour: bool) -> None:
    from supatui.core.redact import redact

    def paint(code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if colour else text

    for number, rep in enumerate(reports, 1):
        mark = paint("32", "✓") if rep.done else paint("31", "✗")
        print(f"{mark} {number} {rep.id:<11} {rep.title}")
        for finding in rep.missing:
            print(f"    missing: {redact(finding.what)}")
            for index, line in enumerate(redact(finding.fix).splitlines()):
                print(("    fix:     " if index == 0 else "             ") + line)
    done = sum(r.done for r in reports)
    print(f"\n{done} of {len(reports)} step(s) done." + ("" if done == len(reports) else
          " Do the first missing one, then run `supatui check` again."))
