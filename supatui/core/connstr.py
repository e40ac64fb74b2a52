"""Supabase connection strings: build them from the Connect dialog's parts, parse pasted ones.

Supavisor routes by user name ``<role>.<ref>`` on the shared pooler (session 5432,
transaction 6543); the direct host ``db.<ref>.supabase.co`` takes the bare role. The pooler
host is copied from the Connect dialog, never composed (``aws-N`` is a cluster index).
Passwords are always percent-encoded (``quote(pw, safe="")``), which every parser accepts.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass, field
from typing import Literal

from supatui.core.pastecheck import (
    PASSWORD_HINT,
    host_problem,
    is_placeholder_password,
    not_a_postgres_url,
    pasted_url,
    placeholder_message,
    placeholders,
    shown,
)

Mode = Literal["session", "transaction", "direct"]
MODES: tuple[Mode, ...] = ("session", "transaction", "direct")
MODE_HELP: dict[Mode, str] = {
    "session": "Supavisor session mode (port 5432): long-running servers; IPv4 and IPv6. The usual choice.",
    "transaction": "Supavisor transaction mode (port 6543): serverless and edge functions; migrations still use 5432.",
    "direct": "Direct to Postgres (db.<ref>.supabase.co:5432): only from IPv6 networks or with the IPv4 add-on.",
}

REF_RE = re.compile(r"[a-z]{20}")  # always .fullmatch: `$` would let "…\n" through
SCHEMES = ("postgresql", "postgres")
# Query parameters Prisma understands but libpq rejects ("invalid URI query parameter").
PRISMA_ONLY_PARAMS = frozenset(
    {"pgbouncer", "connection_limit", "pool_timeout", "schema", "socket_timeout", "statement_cache_size",
     "sslaccept", "uselibpqcompat"}
)


def encode_password(password: str) -> str:
    return urllib.parse.quote(password, safe="")


# A ref inside what people paste into the ref field: the dashboard URL, the API URL or direct host, `postgres.<ref>`.
_REF_INSIDE = re.compile(r"/project/([a-z]{20})(?![a-z])|(?<![a-z])([a-z]{20})\.supabase\.(?:co|in)\b")
_POOLER_USER = re.compile(r"([a-z_][a-z0-9_]*)\.([a-z0-9]+)")  # <role>.<ref>, the pooler's user


def validate_ref(ref: str) -> str | None:
    """Return a message when ``ref`` is not a Supabase project ref, else None."""
    if not ref:
        return "Enter the project ref (20 lowercase letters, from the dashboard URL or the Connect dialog)."
    if not REF_RE.fullmatch(ref):
        if ref.strip() != ref and REF_RE.fullmatch(ref.strip()):
            return f"The project ref '{shown(ref)}' has a space or line break around it: enter the 20 letters only."
        if found := placeholders(ref):
            return f"'{shown(ref)}' is the template's placeholder {found[0]}: enter your project ref (20 lowercase letters)."
        if REF_RE.fullmatch(ref.lower()):
            return f"'{shown(ref)}' is not a project ref: refs are 20 lowercase letters, so enter {ref.lower()}."
        if ref.isalpha() and ref.islower():
            return (f"'{shown(ref)}' is not a project ref: it has {len(ref)} letters, a ref has 20 lowercase letters "
                    "(copy it again from the dashboard URL).")
        if user_name := _POOLER_USER.fullmatch(ref):  # postgres.<ref>: the Connect dialog's user, pasted whole
            after = user_name.group(2)
            if REF_RE.fullmatch(after):
                return (f"'{shown(ref)}' looks like the pooler user name; the ref is the part after the dot: "
                        f"enter just {after}.")
            return (f"'{shown(ref)}' looks like the pooler user name (<role>.<ref>), but '{shown(after)}' after the "
                    "dot is no ref either: a ref is 20 lowercase letters (from https://supabase.com/dashboard/project/<ref>).")
        if inner := _REF_INSIDE.search(ref):
            return (f"'{shown(_mask_userinfo(ref))}' is not a project ref, but holds one: enter just "
                    f"{inner.group(1) or inner.group(2)}.")
        return (f"'{shown(ref)}' is not a project ref: it should be 20 lowercase letters "
                "(from https://supabase.com/dashboard/project/<ref>).")
    return None


def validate_host(host: str) -> str | None:
    if not host:
        return "Enter the pooler host, copied from the Connect dialog (e.g. aws-1-eu-west-1.pooler.supabase.com)."
    if "://" in host or "/" in host or "@" in host:
        masked = shown(_mask_userinfo(host))  # a whole pasted URL may carry its password: never echo it
        return f"'{masked}' is not a host name: paste only the host part (like aws-1-eu-west-1.pooler.supabase.com)."
    if found := placeholders(host):
        return placeholder_message(found, f"The host '{shown(host)}'")
    return host_problem(host)


def _mask_userinfo(text: str) -> str:
    """``text`` with anything between ``user:`` and the last ``@`` replaced by ``****``."""
    head, at, tail = text.rpartition("@")
    if not at:
        return text
    scheme, sep, userinfo = head.rpartition("://")
    user = userinfo.split(":", 1)[0]
    return f"{scheme}{sep}{user}:****@{tail}" if ":" in userinfo else text


@dataclass(frozen=True)
class ConnectionTarget:
    """Where a Supabase project's database is reachable. Defaults are Supabase's own ports."""

    ref: str
    pooler_host: str
    session_port: int = 5432
    transaction_port: int = 6543
    direct_host: str = ""  # default: db.<ref>.supabase.co
    direct_port: int = 5432
    database: str = "postgres"

    @property
    def direct(self) -> str:
        return self.direct_host or f"db.{self.ref}.supabase.co"

    def endpoint(self, mode: Mode) -> tuple[str, int]:
        if mode == "session":
            return self.pooler_host, self.session_port
        if mode == "transaction":
            return self.pooler_host, self.transaction_port
        return self.direct, self.direct_port

    def user_for(self, role: str, mode: Mode) -> str:
        """Supavisor needs ``role.ref``; the direct connection takes the bare role."""
        return role if mode == "direct" else f"{role}.{self.ref}"

    def url(self, role: str, password: str | None, mode: Mode, params: dict[str, str] | None = None) -> str:
        host, port = self.endpoint(mode)
        user = urllib.parse.quote(self.user_for(role, mode), safe="")
        auth = f"{user}:{encode_password(password)}" if password is not None else user
        host_part = f"[{host}]" if ":" in host else host
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return f"postgresql://{auth}@{host_part}:{port}/{self.database}{query}"


def admin_mode(target: ConnectionTarget) -> Mode:
    """The admin works through the session pooler (IPv4 everywhere); direct only when no pooler is known."""
    return "session" if target.pooler_host else "direct"


@dataclass(frozen=True)
class ParsedUrl:
    scheme: str
    user: str
    password: str | None
    host: str
    port: int
    database: str
    params: dict[str, str] = field(default_factory=dict)
    password_placeholder: str = ""  # "[YOUR-PASSWORD]" when pasted as is; ``password`` is then None

    @property
    def role(self) -> str:
        """The database role: the user name without Supavisor's ``.ref`` suffix."""
        if self.ref and self.user.endswith(f".{self.ref}"):
            return self.user[: -len(self.ref) - 1]
        return self.user

    @property
    def ref(self) -> str:
        """The project ref from ``role.ref``, ``options=reference=…`` or ``db.<ref>.supabase.co``."""
        options = self.params.get("options", "")
        match = re.search(r"reference=([a-z0-9]+)", options)
        if match:
            return match.group(1)
        host_match = re.fullmatch(r"db\.([a-z]{20})\.supabase\.co", self.host)
        if host_match:
            return host_match.group(1)
        if "." in self.user:
            return self.user.rsplit(".", 1)[1]
        return ""


class UrlError(ValueError):
    """A string that cannot be read as a PostgreSQL URL; the message says why."""


def parse_url(url: str) -> ParsedUrl:
    """Parse a pasted PostgreSQL URL. Raises :class:`UrlError` with a readable reason.

    The Dashboard's ``[YOUR-PASSWORD]`` is recognised, never returned as a password: ``password`` is
    None and ``password_placeholder`` holds it. Placeholders anywhere else (``[PROJECT-REF]``,
    ``[DB-REGION]``) make the string unusable and raise.
    """
    # pasted_url takes a matched pair of quotes off; a lone one left from half a copied .env line goes too
    # (a URL can neither start nor sensibly end with a quote).
    url = pasted_url(url).strip().strip('"').strip("'")
    if not url:
        raise UrlError("The connection string is empty.")
    if any(ch in url for ch in "\r\n"):
        raise UrlError("The connection string has a line break in it: paste it as one line.")
    if any(unicodedata.category(ch) == "Cc" for ch in url):
        raise UrlError("The connection string contains a control character (a tab or an invisible character): "
                       "copy it again from the Connect dialog.")
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        raise UrlError(not_a_postgres_url(url) or "A connection string starts with postgresql:// (or postgres://).")
    # Split user info at the LAST '@' so an unencoded '@' in the password still parses.
    at = rest.rfind("@")
    after_at = rest[at + 1 :] if at >= 0 else rest
    slash = min((i for i in (after_at.find("/"), after_at.find("?")) if i >= 0), default=len(after_at))
    netloc_end = (at + 1 if at >= 0 else 0) + slash
    netloc, tail = rest[:netloc_end], rest[netloc_end:]
    userinfo, _, hostport = netloc.rpartition("@")
    user_raw, has_pw, password_raw = userinfo.partition(":")
    placeholder = password_raw if has_pw and is_placeholder_password(urllib.parse.unquote(password_raw)) else ""
    elsewhere = [p for p in placeholders(urllib.parse.unquote(user_raw) + " " + hostport)
                 if p != placeholder]
    if elsewhere:
        raise UrlError(placeholder_message(elsewhere))
    if not hostport:
        raise UrlError("The connection string has no host.")
    host, port = _split_hostport(hostport)
    path, _, query = tail.partition("?")
    database = urllib.parse.unquote(path.lstrip("/")) or "postgres"
    if any(unicodedata.category(ch) == "Cc" for ch in database):
        raise UrlError(f"The database name '{shown(database)}' contains a control character (%00, a line break): "
                       "Supabase's database is postgres.")
    params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True)) if query else {}
    password: str | None = None
    if has_pw and not placeholder:
        try:
            password = urllib.parse.unquote(password_raw, errors="strict")
        except UnicodeDecodeError:
            password = password_raw
    return ParsedUrl(scheme.lower(), urllib.parse.unquote(user_raw), password, host, port, database, params,
                     password_placeholder=urllib.parse.unquote(placeholder))


def placeholder_problem(parsed: ParsedUrl) -> str:
    """The sentence for a URL whose password is still the Dashboard's placeholder ('' when it is not)."""
    if not parsed.password_placeholder:
        return ""
    return f"The password in the string is the placeholder {parsed.password_placeholder}: {PASSWORD_HINT}."


def _split_hostport(hostport: str) -> tuple[str, int]:
    if hostport.startswith("["):
        host, closed, rest = hostport[1:].partition("]")
        if not closed:
            raise UrlError(f"The host '{shown(hostport)}' opens [ without closing it: an IPv6 address is written "
                           "[::1]:5432.")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise UrlError(f"'[{shown(host)}]' is not an IPv6 address (only those go in [ ]).") from None
        if rest and not rest.startswith(":"):
            raise UrlError(f"'{shown(rest)}' after the IPv6 address is not a port (write [::1]:5432).")
        port_text = rest[1:]
    elif hostport.count(":") == 1:
        host, _, port_text = hostport.partition(":")
    else:
        host, port_text = hostport, ""
    if not host:
        raise UrlError("The connection string has no host.")
    if not hostport.startswith("[") and (problem := host_problem(host)):
        raise UrlError(problem)
    if not port_text:
        return host, 5432
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise UrlError(f"'{shown(port_text)}' is not a port number (Supabase uses 5432 or 6543).")
    return host, int(port_text)


def unencoded_password_chars(url: str) -> str:
    """Characters in the raw password part that should have been percent-encoded."""
    _, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return ""
    userinfo = rest.rsplit("@", 1)[0]
    if ":" not in userinfo:
        return ""
    raw = userinfo.split(":", 1)[1]
    if is_placeholder_password(urllib.parse.unquote(raw)):
        return ""  # the Dashboard's [YOUR-PASSWORD]: said as such, not as characters to encode
    bad = set()
    for index, char in enumerate(raw):
        if char in "@:/#? '\"$" or (char == "%" and not re.match(r"%[0-9A-Fa-f]{2}", raw[index : index + 3])):
            bad.add(char)
    return "".join(sorted(bad))


def libpq_url(url: str) -> str:
    """The URL without Prisma-only parameters, so psycopg/libpq accepts it."""
    base, sep, query = url.partition("?")
    if not sep:
        return url
    kept = [(k, v) for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True) if k not in PRISMA_ONLY_PARAMS]
    return base + ("?" + urllib.parse.urlencode(kept) if kept else "")


def connect_kwargs(parsed: ParsedUrl) -> dict[str, str | int]:
    """psycopg keyword arguments for a parsed URL (password passed as a kwarg, never in a DSN)."""
    kwargs: dict[str, str | int] = {
        "host": parsed.host, "port": parsed.port, "user": parsed.user, "dbname": parsed.database,
    }
    if parsed.password is not None:
        kwargs["password"] = parsed.password
    for key in ("sslmode", "options", "connect_timeout", "application_name"):
        if key in parsed.params:
            kwargs[key] = parsed.params[key]
    return kwargs


def target_from_url(url: str) -> tuple[ConnectionTarget, Mode]:
    """Read a URL pasted from the Connect dialog into a target and a mode.

    The host is kept as pasted (never recomposed). ``db.<ref>.supabase.co`` with a bare user is
    the direct connection (or the dedicated pooler on 6543, which also takes the bare role);
    any other host is Supavisor: 6543 is transaction mode, anything else session mode.
    Raises :class:`UrlError` when the URL carries no project ref.
    """
    parsed = parse_url(url)
    ref = parsed.ref
    if not ref:
        raise UrlError(
            f"The user '{parsed.user}' carries no project ref: on the Supabase pooler it is <role>.<ref> "
            "(e.g. postgres.abcdefghijklmnopqrst). Copy the string from the Connect dialog again."
        )
    if re.fullmatch(r"db\.[a-z]{20}\.supabase\.co", parsed.host) and "." not in parsed.user:
        direct = ConnectionTarget(ref, "", direct_host=parsed.host, direct_port=parsed.port, database=parsed.database)
        return direct, "direct"
    if parsed.port == 6543:
        return ConnectionTarget(ref, parsed.host, transaction_port=6543, database=parsed.database), "transaction"
    return ConnectionTarget(ref, parsed.host, session_port=parsed.port, database=parsed.database), "session"


# Prisma's parameters for the transaction pooler: no named prepared statements (Prisma <= 6),
# one connection per serverless instance to start with (Supabase's troubleshooting page).
TRANSACTION_PARAMS: dict[str, str] = {"pgbouncer": "true", "connection_limit": "1"}


def prisma_env(target: ConnectionTarget, role: str, password: str, mode: Mode) -> dict[str, str]:
    """The ``.env`` values for Prisma: DATABASE_URL (runtime) and DIRECT_URL (the CLI, migrations).

    Transaction mode pools on 6543, where migrations cannot run (advisory locks, prepared
    statements), so DIRECT_URL points at the session port. In session and direct mode both
    keys hold the same URL: the guide needs only DATABASE_URL, but writing DIRECT_URL too means
    a ``prisma.config.ts`` or a Prisma 6 ``directUrl = env("DIRECT_URL")`` works in every mode
    and a mode switch never leaves a stale DIRECT_URL behind.
    """
    if mode == "transaction":
        return {
            "DATABASE_URL": target.url(role, password, "transaction", TRANSACTION_PARAMS),
            "DIRECT_URL": target.url(role, password, "session"),
        }
    url = target.url(role, password, mode)
    return {"DATABASE_URL": url, "DIRECT_URL": url}
