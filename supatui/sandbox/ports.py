"""The sandbox's TCP ports: choosing them, checking one is free, listening for the router (which inherits them)."""

from __future__ import annotations

import secrets as _random
import socket
import string

from supatui.core.errors import SupatuiError

DEFAULT_PORTS = (55432, 56543, 55433)  # session, transaction, direct
Ports = tuple[int, int, int]


def generate_ref() -> str:
    return "".join(_random.choice(string.ascii_lowercase) for _ in range(20))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_free(port: int) -> bool:
    """Whether a server could listen there (SO_REUSEADDR as servers do, so TIME_WAIT leftovers don't count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def listen(port: int, what: str) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise SupatuiError(
            f"The sandbox's {what} port {port} is already in use by another program.",
            f"Stop that program (see `lsof -i :{port}`), or run `supatui sandbox reset` to pick new ports "
            "(this wipes the sandbox's data).", code="sandbox-port") from None
    sock.listen(128)
    return sock


def choose(pref: Ports | str | None) -> Ports:
    """Session, transaction and direct ports: as given ("S,T,D" or a tuple), the defaults when free, or free ones."""
    if isinstance(pref, tuple):
        return pref
    if isinstance(pref, str) and pref != "auto":
        try:
            s, t, d = (int(part) for part in pref.split(","))
        except ValueError:
            raise SupatuiError(f"SUPATUI_SANDBOX_PORTS={pref!r} is not 'auto' or three ports 'S,T,D'.",
                               "Example: SUPATUI_SANDBOX_PORTS=55432,56543,55433") from None
        if not all(1024 <= port <= 65535 for port in (s, t, d)) or len({s, t, d}) < 3:
            raise SupatuiError(f"SUPATUI_SANDBOX_PORTS={pref!r}: the three ports must differ and lie between "
                               "1024 and 65535.", "Set e.g. SUPATUI_SANDBOX_PORTS=55432,56543,55433, or auto.")
        return s, t, d
    if pref is None and all(port_free(port) for port in DEFAULT_PORTS):
        return DEFAULT_PORTS
    ports: set[int] = set()
    while len(ports) < 3:
        ports.add(free_port())
    s, t, d = sorted(ports)
    return s, t, d
