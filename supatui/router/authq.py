"""auth_query: the role's SCRAM verifier from pg_authid, over the cluster's private socket (trusted there).

Supavisor looks roles up the same way (a tenant's ``auth_query``, e.g. ``SELECT rolname, rolpassword FROM
pg_authid WHERE rolname=$1``; lib/supavisor/client_authentication.ex). Config: a tenant's
``"auth_query": {"socket_dir": DIR, "port": N, "user": "supabase_admin"}`` (or ``"host"`` for TCP with trust).
"""

from __future__ import annotations

import socket
import struct
from typing import Any

from supatui.router import wire

PROTOCOL_3 = 196608


class AuthQueryFailed(Exception):
    pass


def fetch_secret(config: dict[str, Any], role: str, timeout: float = 5) -> tuple[bool, str | None]:
    """(role exists, its rolpassword or None)."""
    if "\0" in role:
        return False, None
    port = int(config["port"])
    try:
        if config.get("socket_dir"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(f"{config['socket_dir']}/.s.PGSQL.{port}")
        else:
            sock = socket.create_connection((str(config.get("host", "127.0.0.1")), port), timeout=timeout)
    except OSError as exc:
        raise AuthQueryFailed(f"auth_query connection failed: {exc.strerror or exc}") from None
    with sock:
        try:
            sock.sendall(wire.startup_message(PROTOCOL_3, {"user": str(config.get("user", "supabase_admin")),
                                                           "database": str(config.get("database", "postgres"))}))
            _until_ready(sock)
            literal = "'" + role.replace("'", "''") + "'"
            query = f"select rolpassword from pg_catalog.pg_authid where rolname = {literal}"
            sock.sendall(wire.message(b"Q", query.encode() + b"\0"))
            found, secret = False, None
            while True:
                tag, body = wire.read_message(sock)
                if tag == b"D":
                    found = True
                    length = struct.unpack("!i", body[2:6])[0]
                    secret = None if length < 0 else body[6:6 + length].decode()
                elif tag == b"E":
                    raise AuthQueryFailed(f"authentication query failed: {wire.error_text(body)[1]}")
                elif tag == b"Z":
                    return found, secret
        except (OSError, ConnectionError) as exc:
            raise AuthQueryFailed(f"auth_query connection failed: {exc}") from None


def _until_ready(sock: socket.socket) -> None:
    while True:
        tag, body = wire.read_message(sock)
        if tag == b"E":
            raise AuthQueryFailed(f"auth_query connection failed: {wire.error_text(body)[1]}")
        if tag == b"R" and body[:4] != b"\0\0\0\0":
            raise AuthQueryFailed("auth_query connection failed: the auth_query user needs a trusted connection")
        if tag == b"Z":
            return
