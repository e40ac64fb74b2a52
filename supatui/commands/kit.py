"""`supatui kit build DIR` (once, online) and `supatui kit serve DIR` (in the room): the offline kit."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path
from typing import Any

from supatui.core.errors import InputError

DEFAULT_PORT = 4873


def register(sub: Any) -> None:
    parser = sub.add_parser("kit", help="build or serve the offline kit (npm packages, Prisma engines, wheels)",
                            description="The offline kit: everything the walkthrough downloads, in one folder. "
                                        "Build it once where the network works; then `supatui run --kit DIR|URL`.")
    kit_sub = parser.add_subparsers(dest="kit_command", metavar="ACTION")
    build = kit_sub.add_parser("build", help="download everything into DIR (needs the npm registry and Prisma's host)")
    build.add_argument("kit_dir", type=Path, metavar="DIR")
    build.add_argument("--platforms", metavar="LIST",
                       help="comma-separated: linux-x64, linux-arm64, darwin-arm64, darwin-x64, windows-x64, or Prisma "
                            "binary targets (default: this machine's plus linux-x64, darwin-arm64, darwin-x64, windows-x64)")
    build.add_argument("--engine", action="append", default=[], metavar="PLATFORM=FILE",
                       help="use an engine file you already have for PLATFORM instead of downloading it")
    build.add_argument("--with", dest="extras", default="pnpm,yarn", metavar="LIST",
                       help="package managers to pack for `npx --yes` (default pnpm,yarn; add bun; '' for none)")
    build.add_argument("--no-wheels", action="store_true", help="leave out the supatui and PostgreSQL wheels")
    build.add_argument("--python", metavar="X.Y", help="Python version of the wheels (default: this one)")
    serve = kit_sub.add_parser("serve", help="serve DIR to the room: engine mirror, npm registry, pip index")
    serve.add_argument("kit_dir", type=Path, metavar="DIR")
    serve.add_argument("--listen", default=f"0.0.0.0:{DEFAULT_PORT}", metavar="ADDR[:PORT]",
                       help=f"address to listen on (default 0.0.0.0:{DEFAULT_PORT}: every interface)")
    serve.add_argument("--log", action="store_true", help="print each request")
    parser.set_defaults(handler=main)


def _listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = value, str(DEFAULT_PORT)
    if not port.isdigit() or not 0 <= int(port) < 65536:
        raise InputError(f"--listen {value}: {port!r} is not a port.", "Write it as ADDR:PORT, e.g. 0.0.0.0:4873.")
    return host.strip("[]") or "0.0.0.0", int(port)


def _mb(size: int) -> str:
    return f"{size / 1e6:.0f} MB" if size >= 10e6 else f"{size / 1e6:.1f} MB"


def _lan_addresses() -> list[str]:
    """This machine's outward IPv4 address (the one a UDP socket to a public address would use)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent
            return [probe.getsockname()[0]]
    except OSError:
        return []


def build(args: argparse.Namespace) -> int:
    from supatui.kit.build import BuildOptions, build_kit, parse_engine_flag
    from supatui.kit.manifest import KitError, size_per_platform

    try:
        engine_files = dict(parse_engine_flag(v) for v in args.engine)
        for flag, file in engine_files.items():
            if not file.is_file():
                raise InputError(f"--engine {flag}={file}: no such file.", "Pass the path of an engine file you have.")
        names = [n.strip() for n in args.platforms.split(",") if n.strip()] if args.platforms else None
        if names:
            from supatui.kit.platforms import resolve

            for name in names:
                resolve(name)
    except KitError as exc:
        raise InputError(exc.message, exc.hint) from None
    except ValueError as exc:
        raise InputError(str(exc), "Run `supatui kit build --help` to see the platforms.") from None
    extras = tuple(n.strip() for n in args.extras.split(",") if n.strip())
    options = BuildOptions(args.kit_dir, names, engine_files, extras, not args.no_wheels, args.python)
    manifest = build_kit(options, lambda line: print(line, flush=True))
    total = sum(p.stat().st_size for p in Path(args.kit_dir).rglob("*") if p.is_file())
    print(f"\nKit built in {manifest.build_seconds:.0f} s: {args.kit_dir} ({_mb(total)} in all)")
    print("  " + ", ".join(f"{name} {version}" for name, version in manifest.top.items()))
    print(f"  Prisma engines {manifest.engines_hash[:12]}… for " + ", ".join(e.target for e in manifest.engines))
    for name, size in size_per_platform(manifest).items():
        print(f"  {name}: {_mb(size)} for one attendee")
    for note in manifest.notes:
        print(f"  note: {note}")
    print(f"Use it: supatui run --kit {args.kit_dir}   or serve it: supatui kit serve {args.kit_dir}")
    return 0


def serve(args: argparse.Namespace) -> int:
    from supatui.kit.server import make_server

    host, port = _listen(args.listen)
    try:
        server = make_server(args.kit_dir, host, port, quiet=not args.log)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}.",
                         "Pick another port with --listen ADDR:PORT.") from None
    bound_port = server.server_address[1]
    hosts = _lan_addresses() + ["127.0.0.1"] if host in ("0.0.0.0", "") else [host]
    print(f"Serving the kit {args.kit_dir} on {host}:{bound_port} (Ctrl-C to stop).")
    for shown in hosts:
        print(f"  attendees: supatui run --kit http://{shown}:{bound_port}    "
              f"(pip: pip install --index-url http://{shown}:{bound_port}/simple/ supatui)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def main(args: argparse.Namespace) -> int:
    if args.kit_command == "build":
        return build(args)
    if args.kit_command == "serve":
        return serve(args)
    raise InputError("`supatui kit` needs an action.", "Run `supatui kit build DIR` or `supatui kit serve DIR`.")
