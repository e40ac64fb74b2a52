"""A Supavisor-style router: ``role.ref`` user names on a session port and a transaction port.

Stdlib asyncio only (it starts in ~50 ms as its own process). For each client it answers
SSLRequest/GSSENCRequest with ``N`` (no TLS, like a PostgreSQL built without it), reads the
StartupMessage, finds the tenant as Supavisor does (``options=reference=<ref>``, else the part
after the last dot of the user name), rewrites the user to the bare role and pipes bytes to that
tenant's upstream for the port: PostgreSQL (session) or its PgBouncer (transaction). Unknown or
missing tenants get Supavisor's ``FATAL: Tenant or user not found`` (XX000; newer Supavisor says
``(ENOTFOUND) tenant/user <user> not found``). Authentication stays end to end (SCRAM passes
through untouched), so a wrong password gets PostgreSQL's own error; PgBouncer's wording is
rewritten to PostgreSQL's, as Supavisor keeps it PG-compatible.

Not emulated: TLS and SNI routing, SSL enforcement, client limits and pool sizes (EMAXCONN…),
allow-lists, Supavisor's own auth_query errors (an unknown role gets PostgreSQL's password error),
``.cluster.`` aliases (answered as unknown), and the post-2026-03 ``(ECODE)`` wording.

One router fronts many tenants: the config file maps refs to upstreams, and SIGHUP reloads it.
With ``"login_log": PATH`` it appends one JSON line ``{"ref", "user", "kind", "at"}`` per
successful login (AuthenticationOk then ReadyForQuery seen from upstream).

Run: ``python -m supatui.sandbox.router CONFIG.json``. Config: ``{"listeners": [{"kind":
"session", "fd": 5} | {"kind": ..., "host": ..., "port": ...}], "tenants": {ref: {"session":
[host, port], "transaction": [host, port]}}}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import re
import signal
import socket
import struct
import sys
from pathlib import Path

SSL_REQUEST, GSSENC_REQUEST, CANCEL_REQUEST = 80877103, 80877104, 80877102
TENANT_NOT_FOUND = "Tenant or user not found"
_REFERENCE = re.compile(r"(?:^|\s)reference=(\S+)")

Upstreams = dict[str, dict[str, tuple[str, int]]]


def error_response(message: str, code: str = "XX000", severity: str = "FATAL") -> bytes:
    """A protocol-3 ErrorResponse ('E') message."""
    fields = b"".join(tag + value.encode() + b"\0" for tag, value in
                      ((b"S", severity), (b"V", severity), (b"C", code), (b"M", message)))
    body = fields + b"\0"
    return b"E" + struct.pack("!i", len(body) + 4) + body


def parse_params(body: bytes) -> dict[str, str]:
    parts = body.split(b"\0")
    params: dict[str, str] = {}
    for key, value in zip(parts[0::2], parts[1::2], strict=False):
        if not key:
            break
        params[key.decode(errors="replace")] = value.decode(errors="replace")
    return params


def startup_message(protocol: int, params: dict[str, str]) -> bytes:
    body = struct.pack("!i", protocol) + b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in params.items()) + b"\0"
    return struct.pack("!i", len(body) + 4) + body


def route(params: dict[str, str]) -> tuple[str, dict[str, str]] | None:
    """(ref, params for the upstream) as Supavisor derives them, or None when there is no tenant."""
    params = dict(params)
    user = params.get("user", "")
    options = params.get("options", "")
    match = _REFERENCE.search(options)
    if match:
        ref = match.group(1)
        rest = (options[: match.start()] + " " + options[match.end():]).strip()
        if rest:
            params["options"] = rest
        else:
            params.pop("options", None)
        return (ref, params) if user else None
    if ".cluster." in user or "." not in user:
        return None
    role, ref = user.rsplit(".", 1)
    if not role or not ref:
        return None
    params["user"] = role
    return ref, params


class Router:
    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self.tenants: Upstreams = {}
        self.cancel_keys: dict[bytes, tuple[str, int]] = {}
        self.servers: list[asyncio.Server] = []
        self.login_log: str | None = None
        self.reload()

    def reload(self) -> None:
        config = json.loads(self.config_path.read_text())
        self.tenants = {ref: {kind: (str(addr[0]), int(addr[1])) for kind, addr in ports.items()}
                        for ref, ports in config.get("tenants", {}).items()}
        login_log = config.get("login_log")
        self.login_log = str(login_log) if login_log else None

    async def serve(self) -> None:
        config = json.loads(self.config_path.read_text())
        for listener in config["listeners"]:
            kind = str(listener["kind"])
            if "fd" in listener:
                sock = socket.socket(fileno=int(listener["fd"]))
            else:
                sock = socket.create_server((listener.get("host", "127.0.0.1"), int(listener["port"])), backlog=128)
            sock.setblocking(False)

            async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, kind: str = kind) -> None:
                await self.handle(kind, reader, writer)

            self.servers.append(await asyncio.start_server(handler, sock=sock))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        loop.add_signal_handler(signal.SIGHUP, self._safe_reload)
        await stop.wait()
        for server in self.servers:
            server.close()

    def _safe_reload(self) -> None:
        try:
            self.reload()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"router: config reload failed, keeping the old one: {exc}", file=sys.stderr, flush=True)

    async def handle(self, kind: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._handle(kind, reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _handle(self, kind: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(3):
            length = struct.unpack("!i", await reader.readexactly(4))[0]
            if not 8 <= length <= 10_000:
                return
            body = await reader.readexactly(length - 4)
            code = struct.unpack("!i", body[:4])[0]
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                writer.write(b"N")
                await writer.drain()
                continue
            if code == CANCEL_REQUEST:
                await self._cancel(body[4:], struct.pack("!i", length) + body)
                return
            if code >> 16 != 3:
                writer.write(error_response("unsupported frontend protocol", "0A000"))
                await writer.drain()
                return
            await self._proxy(kind, code, parse_params(body[4:]), reader, writer)
            return

    async def _cancel(self, key: bytes, packet: bytes) -> None:
        target = self.cancel_keys.get(key)
        if target is None:
            return
        _, upstream = await asyncio.open_connection(*target)
        upstream.write(packet)
        await upstream.drain()
        upstream.close()

    async def _proxy(self, kind: str, protocol: int, params: dict[str, str],
                     reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        routed = route(params)
        target = self.tenants.get(routed[0], {}).get(kind) if routed else None
        if routed is None or target is None:
            writer.write(error_response(TENANT_NOT_FOUND))
            await writer.drain()
            return
        upstream_params = routed[1]
        try:
            up_reader, up_writer = await asyncio.open_connection(*target)
        except OSError as exc:
            writer.write(error_response(f"the tenant's database is not running ({exc.strerror or exc})", "08006"))
            await writer.drain()
            return
        up_writer.write(startup_message(protocol, upstream_params))
        await up_writer.drain()
        role = upstream_params.get("user", "")
        to_server = asyncio.create_task(_pipe(reader, up_writer))
        keys: list[bytes] = []
        try:
            if await self._relay_startup(up_reader, writer, role, target, keys):
                self._log_login(routed[0], role, kind)
            await _pipe(up_reader, writer)
        finally:
            to_server.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await to_server
            up_writer.close()
            for key in keys:
                self.cancel_keys.pop(key, None)

    async def _relay_startup(self, up_reader: asyncio.StreamReader, writer: asyncio.StreamWriter, role: str,
                             target: tuple[str, int], keys: list[bytes]) -> bool:
        """Forward messages one by one until ReadyForQuery, noting cancel keys, fixing PgBouncer's auth error.

        True when the login succeeded (AuthenticationOk, then ReadyForQuery)."""
        authenticated = False
        while True:
            header = await up_reader.readexactly(5)
            tag, length = header[:1], struct.unpack("!i", header[1:])[0]
            body = await up_reader.readexactly(length - 4)
            if tag == b"K":
                key = body
                self.cancel_keys[key] = target
                keys.append(key)
            elif tag == b"E" and b"SASL authentication failed" in body:
                writer.write(error_response(f'password authentication failed for user "{role}"', "28P01"))
                await writer.drain()
                return False
            if tag == b"R" and body[:4] == b"\0\0\0\0":
                authenticated = True
            writer.write(header + body)
            if tag == b"Z":
                await writer.drain()
                return authenticated
            if tag == b"E":
                await writer.drain()
                return False

    def _log_login(self, ref: str, user: str, kind: str) -> None:
        if not self.login_log:
            return
        at = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        line = json.dumps({"ref": ref, "user": user, "kind": kind, "at": at}) + "\n"
        try:
            with open(self.login_log, "a") as handle:
                handle.write(line)
        except OSError as exc:
            print(f"router: cannot append to login_log {self.login_log}: {exc.strerror}", file=sys.stderr, flush=True)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.write_eof()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m supatui.sandbox.router CONFIG.json", file=sys.stderr)
        return 2
    router = Router(Path(args[0]))
    asyncio.run(router.serve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
