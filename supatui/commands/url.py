"""`supatui url explain URL`: what a connection string is and what Prisma needs for it."""

from __future__ import annotations

import argparse
import json
import sys

MAX_URL = 64 * 1024


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("url", help="explain a connection string",
                                   description="Work with Supabase connection strings.")
    sub = parser.add_subparsers(dest="url_command", metavar="ACTION", parser_class=type(parser))
    explain = sub.add_parser(
        "explain", help="what kind of string it is, what Prisma needs, what looks wrong",
        description="Explain a PostgreSQL connection string without connecting. The password is never shown; to keep "
                    "it out of your shell history, pass - and paste the string on stdin.")
    explain.add_argument("url", nargs="?", default=None, metavar="URL|-", help="the connection string, or - for stdin")
    explain.add_argument("--json", action="store_true", help="machine-readable output")
    explain.set_defaults(handler=main)
    parser.set_defaults(handler=_usage, url_parser=parser)


def _usage(args: argparse.Namespace) -> int:
    print("supatui: `supatui url` needs an action — Run `supatui url explain URL` (or `supatui url --help`).",
          file=sys.stderr)
    return 2


def main(args: argparse.Namespace) -> int:
    from supatui.core.errors import InputError
    from supatui.core.pastecheck import env_urls
    from supatui.core.redact import redact
    from supatui.core.urlexplain import explain_url

    url = args.url
    if url in (None, "-"):
        if url is None and sys.stdin.isatty():
            raise InputError("No connection string given.", "Run `supatui url explain -` and paste it, or pass it as "
                             "an argument.", field="url")
        # bounded either way: a stream without a newline must not fill the memory; a pipe may hold a .env block
        url = sys.stdin.readline(MAX_URL + 1) if sys.stdin.isatty() else sys.stdin.read(MAX_URL + 1)
        if len(url.rstrip("\r\n")) > MAX_URL:
            raise InputError("More than 64 KB on stdin without a line break: that is not a connection string.",
                             "Paste only the string from the Connect dialog.", field="url")
    named = env_urls(url)  # a pasted .env block: explain each of its connection strings
    if len(named) < 2:
        named = {"": url}
    explanations = {name: explain_url(value) for name, value in named.items()}
    if args.json:
        out = [{"name": name, **e.to_json()} if name else e.to_json() for name, e in explanations.items()]
        print(redact(json.dumps(out if len(out) > 1 else out[0], indent=2, ensure_ascii=False)))
    else:
        print(redact("\n\n".join(f"{name}:\n{e.render()}" if name else e.render()
                                  for name, e in explanations.items())))
    return 0
