"""PostgreSQL wire messages, tenant routing and Supavisor's error texts.

Error texts and codes are Supavisor's (supabase/supavisor at 03e5cc56): every error is
``FATAL``, SQLSTATE ``XX000``, message ``"(" <> code <> ") " <> error_message`` (lib/supavisor/error.ex),
except where a file below says otherwise.
"""

from __future__ import annotations

import socket
import struct

SSL_REQUEST, GSSENC_REQUEST, CANCEL_REQUEST = 80877103, 80877104, 80877102
MAX_STARTUP = 10_000


class ClientError(Exception):
    """An ErrorResponse for the client, after which the connection ends."""

    def __init__(self, message: str, code: str = "XX000", delay: float = 0.0) -> None:
        super().__init__(message)
        self.message, self.code, self.delay = message, code, delay


# lib/supavisor/errors/tenant_or_user_not_found_error.ex; lib/supavisor/client_handler/error.ex delays
# TenantOrUserNotFoundError and WrongPasswordError by 500 ms (Process.sleep(500)).
ERROR_DELAY = 0.5


def not_found(user: str, tenant: str) -> ClientError:
    return ClientError(f"(ENOTFOUND) tenant/user {user}.{tenant} not found", delay=ERROR_DELAY)


def no_identifier() -> ClientError:  # lib/supavisor/errors/no_tenant_identifier_error.ex
    return ClientError("(ENOIDENTIFIER) no tenant identifier provided (external_id or sni_hostname required)")


def auth_query_user_not_found() -> ClientError:  # lib/supavisor/errors/auth_query_error.ex, reason :user_not_found
    return ClientError("(EAUTHQUERY) user not found in the database")


def auth_query_bad_secret() -> ClientError:  # auth_query_error.ex, reason :unsupported_secret_format
    return ClientError("(EAUTHQUERY) unsupported or invalid secret format")


def wrong_password(user: str) -> ClientError:  # lib/supavisor/errors/wrong_password_error.ex: plain PG text, 28P01
    return ClientError(f'password authentication failed for user "{user}"', "28P01", delay=ERROR_DELAY)


def circuit_open() -> ClientError:  # errors/circuit_breaker_error.ex + circuit_breaker.ex :auth_error explanation
    return ClientError("(ECIRCUITBREAKER) too many authentication failures, new connections are temporarily blocked")


def max_clients(kind: str, limit: int) -> ClientError:  # lib/supavisor/errors/max_connections_error.ex
    if kind == "session":
        return ClientError(f"(EMAXCONNSESSION) max clients reached in session mode - max clients are limited to "
                           f"pool_size: {limit}")
    return ClientError(f"(EMAXCONN) max client connections reached, limit: {limit}")


def ssl_required(user: str) -> ClientError:  # lib/supavisor/errors/ssl_required_error.ex
    return ClientError(f"(ESSLREQUIRED) SSL connection is required for user: {user}")


def auth_timeout() -> ClientError:  # lib/supavisor/errors/auth_timeout_error.ex: FATAL 08006
    return ClientError("(EAUTHTIMEOUT) timeout while waiting for message", "08006")


def startup_error(reason: str) -> ClientError:  # lib/supavisor/errors/startup_message_error.ex: FATAL 08P01
    return ClientError(f"(ESTARTUPMESSAGE) Invalid startup message: :{reason}", "08P01")


def invalid_user_info() -> ClientError:  # lib/supavisor/errors/invalid_user_info_error.ex
    return ClientError('(EINVALIDUSERINFO) Authentication error, reason: "Invalid format for user or db_name"')


def no_transaction_pooling(session_hint: str) -> ClientError:
    """The router's own refusal (not a Supavisor text): a tenant configured with neither the router's transaction
    pool nor an upstream pooler gets no transaction mode at all, never session semantics dressed up as it."""
    return ClientError("(ENOTRANSACTIONPOOLING) transaction mode is not configured for this tenant: run "
                       f"`supatui sandbox start` again to update the router's config{session_hint}")


def error_response(message: str, code: str = "XX000", severity: str = "FATAL") -> bytes:
    """A protocol-3 ErrorResponse ('E') message."""
    fields = b"".join(tag + value.encode() + b"\0" for tag, value in
                      ((b"S", severity), (b"V", severity), (b"C", code), (b"M", message)))
    body = fields + b"\0"
    return b"E" + struct.pack("!i", len(body) + 4) + body


def message(tag: bytes, body: bytes) -> bytes:
    return tag + struct.pack("!i", len(body) + 4) + body


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


def connect(target: tuple[str, int], timeout: float) -> socket.socket:
    """TCP to (host, port), or, as libpq does for a host starting with '/', the Unix socket DIR/.s.PGSQL.PORT."""
    host, port = target
    if host.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(f"{host}/.s.PGSQL.{port}")
        except OSError:
            sock.close()
            raise
        return sock
    sock = socket.create_connection(target, timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(n - got)
        if not chunk:
            raise ConnectionError("peer closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_message(sock: socket.socket) -> tuple[bytes, bytes]:
    """One tagged backend/frontend message: (tag, body)."""
    header = recv_exact(sock, 5)
    length = struct.unpack("!i", header[1:])[0]
    if not 4 <= length <= 1 << 24:
        raise ConnectionError("bad message length")
    return header[:1], recv_exact(sock, length - 4)


def error_text(body: bytes) -> tuple[str, str]:
    """(SQLSTATE, message) of an ErrorResponse body."""
    fields = {part[:1]: part[1:].decode(errors="replace") for part in body.split(b"\0") if part}
    return fields.get(b"C", ""), fields.get(b"M", "")


# -- options and tenant routing ---------------------------------------------------------------------
_SPACE = " \t\n\r\v\f"


def _tokens(text: str) -> list[str]:
    """Split like PostgreSQL's pg_split_opts (backslash escapes), as Supavisor's protocol/startup_options.ex does."""
    tokens: list[str] = []
    current: list[str] | None = None
    chars = iter(text)
    for char in chars:
        if char in _SPACE:
            if current is not None:
                tokens.append("".join(current))
                current = None
            continue
        if current is None:
            current = []
        if char == "\\":
            current.append(next(chars, ""))
        else:
            current.append(char)
    if current is not None:
        tokens.append("".join(current))
    return tokens


def parse_options(text: str) -> dict[str, str]:
    """Supavisor's reading of the ``options`` startup parameter (lib/supavisor/protocol/client.ex +
    startup_options.ex): ``-c name=value`` and ``--name=value``; when none is found, a URL query string."""
    found: dict[str, str] = {}
    tokens = _tokens(text)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        pair = None
        if token == "-c" and index + 1 < len(tokens):
            pair, index = tokens[index + 1], index + 1
        elif token.startswith("--"):
            pair = token[2:]
        if pair is not None and "=" in pair:
            name, value = pair.split("=", 1)
            found[name] = value
        index += 1
    if found:
        return found
    from urllib.parse import parse_qsl

    return dict(parse_qsl(text, keep_blank_values=True))


def encode_options(options: dict[str, str]) -> str:
    """``--name=value`` with isspace and backslash escaped (startup_options.ex ``encode/1``)."""
    def escape(value: str) -> str:
        return "".join("\\" + c if c in _SPACE or c == "\\" else c for c in value)

    return " ".join(f"--{name}={escape(value)}" for name, value in options.items())


def route(params: dict[str, str]) -> tuple[str, dict[str, str]] | None:
    """(ref, params for the upstream) as Supavisor derives them (handler_helpers.ex ``parse_user_info/1``),
    or None when there is no tenant identifier."""
    params = dict(params)
    user = params.get("user", "")
    options = parse_options(params.get("options", "")) if params.get("options") else {}
    if "reference" in options:
        ref = options.pop("reference")
        if options:
            params["options"] = encode_options(options)
        else:
            params.pop("options", None)
        return (ref, params) if user and ref else None
    if ".cluster." in user or "." not in user:
        return None
    role, ref = user.rsplit(".", 1)
    if not role or not ref:
        return None
    params["user"] = role
    return ref, params


def valid_name(name: str) -> bool:
    """Supavisor's Helpers.validate_name: 1-63 bytes, printable."""
    raw = name.encode()
    return 0 < len(raw) <= 63 and name.isprintable()
