"""Small psycopg helpers: connect safely, and turn connection failures into advice.

Passwords go to libpq as a keyword argument, never inside a DSN, so a failure text cannot
carry them. ``prepare_threshold=None`` everywhere: these are a handful of short queries, and
prepared statements break behind a transaction pooler (42P05/26000, notes supabase §10).
The error texts matched here are Supavisor's old and new forms and libpq's own (notes §4, §9); the advice
comes from the diagnoses catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import TupleRow

from supatui.core.connstr import ConnectionTarget, Mode, ParsedUrl, UrlError, connect_kwargs, parse_url
from supatui.core.connstr import libpq_url as libpq_url  # re-exported: the URL without Prisma-only params
from supatui.core.diagnoses import get as diagnosis
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


def fix(diagnosis_id: str) -> str:
    """The catalogue's fix for a known problem: the one place cause-and-fix text lives."""
    return diagnosis(diagnosis_id).fix


def _timed_out_on_pooler(low: str, host: str) -> bool:
    """A pooler host has IPv4: when it times out, a blocked port is the likelier cause than IPv6."""
    return ("timeout" in low or "timed out" in low) and host.endswith(".pooler.supabase.com")


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
            fix("supavisor-tenant-not-found"),
            "tenant-not-found",
        )
    if "(enoidentifier)" in low or "no tenant identifier" in low:
        return err(
            f"The pooler at {where} needs the project ref in the user name; got '{user}'.",
            fix("supavisor-no-tenant"),
            "no-tenant",
        )
    if sqlstate == "28P01" or "password authentication failed" in low:
        return err(
            f"Password authentication failed for '{role}' at {where}.",
            password_hint or fix("auth-failed"),
            "auth-failed",
        )
    if "(eauthquery)" in low or "there is no user" in low or re.search(r'role ".*" does not exist', low):
        return err(
            f"The role '{role}' does not exist in the database at {where}.",
            fix("supavisor-auth-query"),
            "role-missing",
        )
    if "no password supplied" in low:
        return err(f"No password was given for '{user}'.",
                   password_hint or fix("no-password"),
                   "no-password")
    if "server does not support ssl" in low:
        return err(f"{where} does not speak TLS, but the URL asks for it (sslmode=require).",
                   fix("ssl-unsupported"),
                   "ssl-unsupported")
    if "ssl connection is required" in low or "(esslrequired)" in low:
        return err(f"The project at {where} enforces SSL and this connection did not use it.",
                   fix("ssl-required"),
                   "ssl-required")
    if "max client" in low or "(emaxconn" in low or "too many clients" in low or "too many connections" in low:
        return err(f"{where} refused the connection: too many clients ({_detail(text)}).",
                   fix("max-clients"),
                   "max-clients")
    if re.search(r'database ".*" does not exist', low):
        return err(f"{_detail(text)} at {where}.", fix("database-missing"),
                   "database-missing")
    if "could not translate host name" in low or "name or service not known" in low or "nodename nor servname" in low:
        if re.fullmatch(r"db\.[a-z]{20}\.supabase\.co", endpoint.host):  # only an AAAA record
            return err(f"The direct host '{endpoint.host}' does not resolve here: it has only an IPv6 address, "
                       "which this network (or its DNS) cannot use.", fix("ipv6-direct-host"), "dns")
        return err(f"The host name '{endpoint.host}' does not resolve.",
                   fix("libpq-bad-host"),
                   "dns")
    if "connection refused" in low:
        return err(f"Nothing is listening at {where} (connection refused).",
                   fix("connection-refused"),
                   "refused")
    if "timeout" in low or "timed out" in low or "network is unreachable" in low or "no route to host" in low:
        return err(f"Could not reach {where} (timed out or unreachable).",
                   fix("port-blocked" if _timed_out_on_pooler(low, endpoint.host) else "ipv6-direct-host"),
                   "unreachable")
    return err(f"Could not connect to {where} as '{user}': {_detail(text)}",
               fix("p1001-unreachable"),
               "connect-failed")


def query_one(conn: Connection, query: Any, params: Any = None) -> tuple[Any, ...] | None:
    """One row or None (a tiny wrapper so callers stay short)."""
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()


def current_user(conn: Connection) -> str:
    row = query_one(conn, "select current_user")
    return str(row[0]) if row else ""
