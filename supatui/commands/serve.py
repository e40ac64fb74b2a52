"""`supatui serve`: the wizard, or the room's board, in a browser on the workshop network.

For attendees who cannot install anything, and for the projector (``--board``, ``--presenter``;
a larger font with ``&fontsize=24`` on the URL). The URL carries an access token; requests
without it are refused. Each browser gets its own project folder, ``session-N`` under ``--dir``
(one line each, as they come). ``--json`` prints ``{"url", "public_url", "token"}``, then
``{"session", "dir"}`` per browser.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the wizard (or --board) to browsers, with an access token",
        description="Serve supatui through textual-serve: every asset comes from this laptop; the URL carries a token.")
    parser.add_argument("--host", default="127.0.0.1", metavar="ADDR",
                        help="address to listen on (default loopback; your LAN address for a room)")
    parser.add_argument("--port", type=int, default=8000, metavar="P", help="port (default 8000)")
    parser.add_argument("--board", action="store_true", help="serve the room's board instead of the wizard")
    parser.add_argument("--presenter", action="store_true", help="with --board: the presenter theme")
    parser.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS,
                        help="the served wizard uses this laptop's sandbox")
    parser.add_argument("--dir", type=Path, default=Path("supatui-serve"), metavar="PATH",
                        help="where each browser gets its own project folder, session-N (default ./supatui-serve)")
    parser.add_argument("--json", action="store_true", help='print {"url": …} as JSON, then serve')
    parser.set_defaults(handler=main)


def command_for(args: argparse.Namespace, folder: Path | None = None) -> str:
    """The board, or the wizard in one browser's project ``folder``."""
    argv = [sys.executable, "-m", "supatui"]
    if args.board:
        argv += ["room", "board"] + (["--presenter"] if args.presenter else [])
    else:
        if getattr(args, "sandbox", False):
            argv.append("--sandbox")
        if folder is not None:
            argv += ["--dir", str(folder)]
    return shlex.join(argv)


def _sessions(args: argparse.Namespace) -> Any:
    from supatui.core.errors import InputError
    from supatui.ui.serve.server import SessionFolders

    root = Path(args.dir).expanduser().resolve()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"Cannot make the folder {root} for the browsers' projects ({exc.strerror}).",
                         "Pass another folder with --dir.", field="dir") from None

    def announce(folder: Path) -> None:
        if args.json:
            print(json.dumps({"session": folder.name, "dir": str(folder)}), flush=True)
        else:
            print(f"A browser opened the wizard: its project is {folder}", flush=True)

    return SessionFolders(root, lambda folder: command_for(args, folder), announce)


def main(args: argparse.Namespace) -> int:
    from supatui.core.errors import InputError, SupatuiError

    if not 0 < args.port < 65536:
        raise InputError(f"--port {args.port} is not a port number.", "Pick a port between 1 and 65535.", field="port")
    try:
        from supatui.ui.serve.server import TokenServer, new_token
    except ImportError:
        raise SupatuiError("textual-serve is not installed.", "Install it: pip install textual-serve") from None
    import socket

    from supatui.room.net import check_listen, is_loopback

    check_listen(args.host)
    with socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            raise SupatuiError(f"Cannot listen on {args.host}:{args.port} ({exc.strerror}).",
                               "Pick another port with --port.") from None
    sessions = None if args.board else _sessions(args)
    server = TokenServer(command_for(args), host=args.host, port=args.port, token=new_token(),
                         title="supatui room board" if args.board else "supatui", sessions=sessions)
    if args.json:
        print(json.dumps({"url": server.url, "public_url": server.public_url, "token": server.token}), flush=True)
    else:
        if not is_loopback(args.host):
            print(f"supatui: warning: serving on {args.host}: anyone with the link can use it.", file=sys.stderr)
        print(f"Serving {'the board' if args.board else 'the wizard'} on {server.url}  (Ctrl+C stops)", flush=True)
        if sessions is not None:
            print(f"Each browser gets its own project folder under {sessions.root}.", flush=True)
    server.serve()
    return 0
