"""`supatui doctor`: check node/npm, keyring, network, folder and terminal; one line each with the fix."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

MARKS = {"pass": ("✓", "PASS", "32"), "warn": ("!", "WARN", "33"), "fail": ("✗", "FAIL", "31")}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("doctor", help="check this machine is ready (node, npm, keyring, network)",
                                   description="Check node/npm, the keyring, network access for Prisma and npm, "
                                               "the project folder and the terminal. Exit 1 when a check fails.")
    parser.add_argument("--dir", dest="doctor_dir", type=Path, default=None, metavar="PATH",
                        help="project folder to check for write access (default: current folder)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=main)


def _colour() -> bool:
    return "NO_COLOR" not in os.environ and sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def main(args: argparse.Namespace) -> int:
    from supatui.core.doctor import run_doctor
    from supatui.core.redact import redact

    folder = Path(args.doctor_dir or getattr(args, "dir", None) or Path.cwd()).expanduser().absolute()
    started = time.monotonic()
    results = run_doctor(folder)
    seconds = time.monotonic() - started
    failed = any(r.status == "fail" for r in results)
    if args.json:
        payload = {"ok": not failed, "seconds": round(seconds, 2), "checks": [r.to_json() for r in results]}
        print(redact(json.dumps(payload, indent=2, ensure_ascii=False)))
        return 1 if failed else 0
    colour = _colour()
    width = max(len(r.name) for r in results)
    for r in results:
        mark, word, code = MARKS[r.status]
        label = f"{mark} {word}"
        if colour:
            label = f"\x1b[{code}m{label}\x1b[0m"
        print(redact(f"{label}  {r.name.ljust(width)}  {r.detail}"))
        if r.fix:
            print(redact(f"{'':{len(mark) + len(word) + 1}}  {'':{width}}  fix: {r.fix}"))
    counts = {s: sum(r.status == s for r in results) for s in MARKS}
    print(f"\n{counts['pass']} passed, {counts['warn']} warnings, {counts['fail']} failed in {seconds:.1f} s")
    return 1 if failed else 0
