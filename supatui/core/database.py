"""Small psycopg helpers: connect safely, and turn connection failures into advice.

Passwords go to libpq as a keyword argument, never inside a DSN, so a failure text cannot
carry them. ``prepare_threshold=None`` everywhere: these are a handful of short queries, and
prepared statements break behind a transaction pooler (42P05/26000, notes supabase §10).
The error texts matched here are Supavisor's old and new forms and libpq's own (notes §4, §9).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import TupleRow

from supatui.core.connstr import ConnectionTarget, Mode, ParsedUrl, UrlError, connect_kwargs, parse_url
from supatui.core.connstr import libpq_url as libpq_url  # re-exported: the URL without Prisma-only params
from supatui.core.errors import InputError, SupatuiError

DEFAULT_TIMEOUT = 10
Connection = psycopg.Connection[TupleRow]

PASSWORD_HINT_ADMIN = (
    "Check the database password of 'postgres' (Dashboard → Project Settings → Database; reset it there if lost), "
    "then enter it again (headless: SUPATUI_DB_PASSWORD)."
)
PASSWORD_HINT_ROLE = (
    "The role's password differs from the one supatui has: run step 1 again to set it "
    "(supatui run --redo role), or set SUPATUI_PRISMA_PASSWORD to the right one."
)


@dataclass(frozen=True)
class Endpoint:
    """Who connects where; only used to word error messages."""

    user: str
    host: str
    port: int

    @property
    def role(self) -> str:
        return self.user.rsplit(".", 1)[0] if "." in self.user else self.user


def connect(
    url: str | ParsedUrl,
    *,
    password: str | None = None,
    connect_timeout: int = DEFAULT_TIMEOUT,
    autocommit: bool = True,
    password_hint: str = "",
) -> Connection:
    """Connect through a URL (Prisma parameters are ignored); ``password`` overrides the URL's."""
    if isinstance(url, str):
        try:
            parsed = parse_url(url)
        except UrlError as exc:
            raise InputError(str(exc), "Copy the connection string again from the Connect dialog.", field="url") from None
    else:
        parsed = url
    kwargs: dict[str, Any] = dict(connect_kwargs(parsed))
    if password is not None:
        kwargs["password"] = password
    kwargs.setdefault("connect_timeout", connect_timeout)
    endpoint = Endpoint(parsed.user, parsed.host, parsed.port)
    try:
        conn = psycopg.connect(autocommit=autocommit, prepare_threshold=None, **kwargs)
    except psycopg.Error as exc:
        raise explain_connect_error(exc, endpoint, password_hint=password_hint) from None
    return conn


def connect_target(
    target: ConnectionTarget,
    role: str,
    password: str | None,
    mode: Mode,
    *,
    connect_timeout: int = DEFAULT_TIMEOUT,
    password_hint: str = "",
) -> Connection:
    """Connect as ``role`` to the target's endpoint for ``mode`` (``role.ref`` on the pooler)."""
    return connect(target.url(role, None, mode), password=password, connect_timeout=connect_timeout,
                   password_hint=password_hint)


def _detail(text: str) -> str:
    """The server's own words (after FATAL:/ERROR:), else libpq's last line."""
    match = re.search(r"(?:FATAL|ERROR):\s+(.+)", text)
    if match:
        return match.group(1).strip()
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else text.strip()
    return re.sub(r"^connection failed:\s*", "", last)


def explain_connect_error(exc: BaseException, endpoint: Endpoint, *, password_hint: str = "") -> SupatuiError:
    """Map a failed connection to what it means and what to do (``code`` names the case)."""
    text = str(exc)
    low = text.lower()
    where = f"{endpoint.host}:{endpoint.port}"
    user, role = endpoint.user, endpoint.role
    sqlstate = getattr(exc, "sqlstate", None) or ""

    def err(message: str, hint: str, code: str) -> SupatuiError:
        return SupatuiError(message, hint, code=code)

    if "tenant or user not found" in low or "(enotfound)" in low:
        return err(
            f"The pooler at {where} does not know the user '{user}' (Tenant or user not found).",
            "Check the project ref (20 letters, from the dashboard URL) and copy the pooler host from the Connect "
            "dialog exactly — the aws-N part differs between projects. The user must be <role>.<ref>. "
            "Resetting the password does not fix this error.",
            "tenant-not-found",
        )
    if "(enoidentifier)" in low or "no tenant identifier" in low:
        return err(
            f"The pooler at {where} needs the project ref in the user name; got '{user}'.",
            f"Use '{role}.<ref>' as the user, e.g. {role}.abcdefghijklmnopqrst.",
            "no-tenant",
        )
    if sqlstate == "28P01" or "password authentication failed" in low:
        return err(
            f"Password authentication failed for '{role}' at {where}.",
            password_hint or "Check the password; in a URL it must be percent-encoded.",
            "auth-failed",
        )
    if "(eauthquery)" in low or "there is no user" in low or re.search(r'role ".*" does not exist', low):
        return err(
            f"The role '{role}' does not exist in the database at {where}.",
            "Run step 1 (create the prisma role) first: supatui run --from role.",
            "role-missing",
        )
    if "no password supplied" in low:
        return err(f"No password was given for '{user}'.",
                   password_hint or "Enter the password (headless: SUPATUI_DB_PASSWORD / SUPATUI_PRISMA_PASSWORD).",
                   "no-password")
    if "server does not support ssl" in low:
        return err(f"{where} does not speak TLS, but the URL asks for it (sslmode=require).",
                   "Remove sslmode=require from the URL for this server (the local sandbox speaks TLS: "
                   "`supatui sandbox status` names its root certificate).",
                   "ssl-unsupported")
    if "ssl connection is required" in low or "(esslrequired)" in low:
        return err(f"The project at {where} enforces SSL and this connection did not use it.",
                   "Add sslmode=require to the URL (Prisma 6), or turn off 'Enforce SSL' in Database Settings.",
                   "ssl-required")
    if "max client" in low or "(emaxconn" in low or "too many clients" in low or "too many connections" in low:
        return err(f"{where} refused the connection: too many clients ({_detail(text)}).",
                   "Close other connections (other apps, open Prisma clients), use transaction mode with "
                   "connection_limit=1, or raise the pool size in Database Settings.",
                   "max-clients")
    if re.search(r'database ".*" does not exist', low):
        return err(f"{_detail(text)} at {where}.", "Supabase's database is named 'postgres'; fix the URL's path.",
                   "database-missing")
    if "could not translate host name" in low or "name or service not known" in low or "nodename nor servname" in low:
        return err(f"The host name '{endpoint.host}' does not resolve.",
                   "Copy the host exactly from the Connect dialog, and check the network (DNS, VPN, proxy).",
                   "dns")
    if "connection refused" in low:
        return err(f"Nothing is listening at {where} (connection refused).",
                   "Check the host and port (Supabase: 5432 session, 6543 transaction). "
                   "For the local sandbox: supatui sandbox start.",
                   "refused")
    if "timeout" in low or "timed out" in low or "network is unreachable" in low or "no route to host" in low:
        return err(f"Could not reach {where} (timed out or unreachable).",
                   "The direct host db.<ref>.supabase.co is IPv6-only: from an IPv4 network use the session pooler "
                   "(Connect dialog → Session pooler) or the IPv4 add-on. Also check firewalls, VPN and proxy.",
                   "unreachable")
    return err(f"Could not connect to {where} as '{user}': {_detail(text)}",
               "Copy the connection string again from the Connect dialog and check that the project is not paused.",
               "connect-failed")


def query_one(conn: Connection, query: Any, params: Any = None) -> tuple[Any, ...] | None:
    """One row or None (a tiny wrapper so callers stay short)."""
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()


def current_user(conn: Connection) -> str:
    row = query_one(conn, "select current_user")
    return str(row[0]) if row else ""
