"""`supatui diagnose [FILE|-]`: match an error text against the known problems."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MAX_TEXT = 1 << 20  # 1 MiB: far more than any error output; `yes | supatui diagnose -` must not eat the memory
REPORT = ("No known problem matches this text. Please open an issue on supatui's tracker with the error and "
          "supatui-transcript.md from your project folder (secrets in it are masked).")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "diagnose", help="explain an error text (file, or - / stdin)",
        description="Match a pasted error text against the known Supabase/Prisma problems and print cause and fix.")
    parser.add_argument("file", nargs="?", default=None, metavar="FILE|-", help="file with the error text; - for stdin")
    parser.add_argument("--step", default=None, help="the step that failed (role, project, connection, …): ranks fits first")
    parser.add_argument("--command", dest="ran", default=None, metavar="CMD",
                        help="the command that printed the error (e.g. 'npx prisma migrate dev'): ranks fits first")
    parser.add_argument("--json", action="store_true", help="machine-readable output: every match, best first")
    parser.set_defaults(handler=main)


def _read(source: str | None) -> str:
    from supatui.core.errors import InputError

    if source in (None, "-"):
        if source is None and sys.stdin.isatty():
            raise InputError("No error text given.", "Pass a file (`supatui diagnose error.txt`) or pipe it: "
                             "`… 2>&1 | supatui diagnose -`.", field="file")
        text = sys.stdin.read(MAX_TEXT + 1)
        if len(text) > MAX_TEXT:
            raise InputError("More than 1 MB of text on stdin: that is not an error message.",
                             "Pipe only the failing command's output, e.g. `… 2>&1 | tail -200 | supatui diagnose -`.",
                             field="file")
        if not text.strip():
            raise InputError("No error text given.", "Pipe the error text in (`… 2>&1 | supatui diagnose -`) "
                             "or pass a file: `supatui diagnose error.txt`.", field="file")
        return text
    path = Path(source)
    if path.is_dir():
        raise InputError(f"{path} is a folder.", "Pass the file that holds the error text.", field="file")
    try:
        with path.open("rb") as handle:  # bounded: /dev/zero or a huge log must not fill the memory
            data = handle.read(MAX_TEXT + 1)
    except FileNotFoundError:
        raise InputError(f"No such file: {path}.", "Check the path, or pipe the text with `-`.", field="file") from None
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror}.", "Check its permissions.", field="file") from None
    if len(data) > MAX_TEXT:
        raise InputError(f"{path} holds more than 1 MB: that is not an error message.",
                         f"Pass only the error part, e.g. `tail -200 {path} | supatui diagnose -`.", field="file")
    return data.decode("utf-8", errors="replace")


def main(args: argparse.Namespace) -> int:
    from supatui.core.diagnoses import diagnose
    from supatui.core.redact import redact

    text = _read(args.file)
    matches = diagnose(text, args.step, command=args.ran)
    if args.json:
        payload = {"matched": bool(matches), "matches": [m.to_json() for m in matches]}
        if not matches:
            payload["report"] = REPORT
        print(redact(json.dumps(payload, indent=2, ensure_ascii=False)))
        return 0 if matches else 1
    if not matches:
        print(REPORT, file=sys.stderr)
        return 1
    print(redact(matches[0].render()))
    others = matches[1:3]
    if others:
        print("\nAlso possible:")
        for other in others:
            line = f"  - {other.diagnosis.title} (`supatui diagnose --json` for its fix)\n      seen: {other.excerpt}"
            print(redact(line))
    return 0
