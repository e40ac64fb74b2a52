"""Server connections for the router's transaction pool (pool.py): log in, report, cancel.

A server connection logs in over the tenant's private Unix socket, where the sandbox's pg_hba trusts local
connections (as PgBouncer's auth_user path did), or, when the server asks, with SCRAM using the ClientKey
the client revealed to the router (scram.login_upstream), as Supavisor does with auth_query.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field

from supatui.router import scram, wire

PROTOCOL = 196608
# The parameters PgBouncer's varcache keeps per client (src/varcache.c) and sets on a server when they differ.
TRACKED = ("client_encoding", "DateStyle", "IntervalStyle", "TimeZone", "standard_conforming_strings",
           "application_name")
_BY_LOWER = {name.lower(): name for name in TRACKED}


@dataclass(frozen=True)
class Login:
    """How a pool's server connections log in."""

    target: tuple[str, int]  # (socket dir, port) or (host, port)
    user: str
    database: str
    stored_key: bytes = b""
    client_key: bytes = b""


class LoginFailed(Exception):
    """The server refused the login: its ErrorResponse body."""

    def __init__(self, body: bytes) -> None:
        code, text = wire.error_text(body)
        super().__init__(text)
        self.code, self.text = code or "XX000", text


@dataclass
class Opened:
    sock: socket.socket
    key: bytes  # the server's BackendKeyData body (pid, secret)
    status: list[tuple[str, str]] = field(default_factory=list)  # its ParameterStatus messages, in order


def open_server(login: Login, timeout: float = 10.0) -> Opened:
    """Connect and log in; return once the server is ReadyForQuery (blocking; never in the loop thread)."""
    try:
        sock = wire.connect(login.target, timeout=timeout)
    except OSError as exc:
        raise LoginFailed(wire.error_response(f"the tenant's database is not running ({exc.strerror or exc})",
                                              "08006")[5:]) from None
    try:
        sock.sendall(wire.startup_message(PROTOCOL, {"user": login.user, "database": login.database}))
        tag, body = scram.login_upstream(sock, login.stored_key, login.client_key)
        if tag == b"E":
            raise LoginFailed(body)
        opened = Opened(sock, b"")
        while True:
            tag, body = wire.read_message(sock)
            if tag == b"E":
                raise LoginFailed(body)
            if tag == b"S":
                opened.status.append(parameter(body))
            elif tag == b"K":
                opened.key = body
            elif tag == b"Z":
                break
        sock.settimeout(None)
        sock.setblocking(False)
        return opened
    except BaseException:
        sock.close()
        raise


def parameter(body: bytes) -> tuple[str, str]:
    name, value = body.split(b"\0")[:2]
    return name.decode(errors="replace"), value.decode(errors="replace")


def client_vars(params: dict[str, str]) -> dict[str, str]:
    """The tracked parameters a client asked for in its StartupMessage (names as PostgreSQL reports them)."""
    found = {}
    for name, value in params.items():
        canonical = _BY_LOWER.get(name.lower())
        if canonical is not None:
            if canonical == "client_encoding":
                value = value.upper().replace("-", "").replace("UNICODE", "UTF8")
            found[canonical] = value
    return found


def set_query(wanted: dict[str, str]) -> bytes:
    """One simple Query setting each parameter (its replies are swallowed by the pool)."""
    text = "".join(f"SET {name} TO '{value.replace(chr(39), chr(39) * 2)}';" for name, value in wanted.items())
    return wire.message(b"Q", text.encode() + b"\0")


def startup_replies(status: list[tuple[str, str]], wanted: dict[str, str], key: bytes) -> bytes:
    """AuthenticationOk, ParameterStatus as the pool's servers sent them (the client's own values for the
    tracked ones), the router's BackendKeyData and ReadyForQuery idle."""
    values = dict(status)
    values.update(wanted)
    order = [name for name, _ in status] + [name for name in wanted if name not in dict(status)]
    out = [wire.message(b"R", struct.pack("!i", scram.AUTH_OK))]
    out += [wire.message(b"S", name.encode() + b"\0" + values[name].encode() + b"\0") for name in order]
    out += [wire.message(b"K", key), wire.message(b"Z", b"I")]
    return b"".join(out)


def cancel(target: tuple[str, int], key: bytes) -> None:
    """A CancelRequest for the server with that BackendKeyData; wait until it hangs up, as libpq does."""
    try:
        with wire.connect(target, timeout=5) as up:
            up.sendall(struct.pack("!ii", 8 + len(key), wire.CANCEL_REQUEST) + key)
            while up.recv(64):
                pass
    except OSError:
        pass
