"""Explain a pasted connection string: what it is, what Prisma needs, and what looks wrong.

Most Supabase + Prisma failures are visible in the string itself (a bare role on the pooler,
an unencoded password, a composed ``aws-0`` host, the IPv6-only direct host), so saying so
before anything connects saves the trip through a cryptic error. The password is never shown.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Literal

from supatui.core.connstr import (
    ParsedUrl,
    UrlError,
    parse_url,
    placeholder_problem,
    unencoded_password_chars,
    validate_ref,
)
from supatui.core.errors import InputError
from supatui.core.pastecheck import direct_host_note, not_a_postgres_url, pasted_url
from supatui.core.redact import MASK, register_secret

Kind = Literal["direct", "pooler-session", "pooler-transaction", "dedicated-pooler", "local", "not-supabase",
               "supabase-other"]
KIND_LABELS: dict[str, str] = {
    "direct": "Supabase direct connection (Postgres itself)",
    "pooler-session": "Supabase shared pooler (Supavisor), session mode",
    "pooler-transaction": "Supabase shared pooler (Supavisor), transaction mode",
    "dedicated-pooler": "Supabase dedicated pooler (PgBouncer)",
    "local": "local database on this machine (e.g. the supatui sandbox on 127.0.0.1)",
    "not-supabase": "not a Supabase connection string",
    "supabase-other": "a Supabase host on an unexpected port",
}
POOLER_HOST_RE = re.compile(r"(aws|gcp|azure|fly)-(\d+)-[a-z0-9-]+\.pooler\.supabase\.com")  # always fullmatch
DIRECT_HOST_RE = re.compile(r"db\.([a-z0-9]+)\.supabase\.co")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104 - names, not a bind
SSL_VERIFYING = {"require", "prefer", "verify-ca"}


@dataclass(frozen=True)
class UrlWarning:
    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class UrlExplanation:
    kind: Kind
    masked_url: str
    user: str
    role: str
    ref: str
    host: str
    port: int
    database: str
    port_meaning: str
    network: str
    prisma: tuple[str, ...]
    warnings: tuple[UrlWarning, ...] = ()
    params: dict[str, str] = field(default_factory=dict)
    has_password: bool = False

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "kind_label": self.kind_label, "url": self.masked_url, "user": self.user,
                "role": self.role, "ref": self.ref, "host": self.host, "port": self.port, "database": self.database,
                "port_meaning": self.port_meaning, "network": self.network, "prisma": list(self.prisma),
                "warnings": [w.to_json() for w in self.warnings], "params": self.params, "has_password": self.has_password}

    def render(self) -> str:
        lines = [
            f"{self.kind_label}",
            f"  url:      {self.masked_url}",
            f"  user:     {self.user or '(none)'}   role: {self.role or '(none)'}   ref: {self.ref or '(none)'}",
            f"  host:     {self.host}:{self.port}   database: {self.database}",
            f"  port:     {self.port_meaning}",
            f"  network:  {self.network}",
            "  Prisma needs:",
            *(f"    - {item}" for item in self.prisma),
        ]
        if self.warnings:
            lines.append("  Warnings:")
            lines.extend(f"    ! {w.message}" for w in self.warnings)
        else:
            lines.append("  No problems found in the string itself.")
        return "\n".join(lines)


def _masked_url(parsed: ParsedUrl, params: dict[str, str]) -> str:
    user = urllib.parse.quote(parsed.user, safe=".")
    auth = f"{user}:{MASK}@" if parsed.password is not None else (f"{user}@" if user else "")
    if parsed.password_placeholder:  # not a secret: show it, it is what the user has to replace
        auth = f"{user}:{parsed.password_placeholder}@"
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    query = "?" + urllib.parse.urlencode(params) if params else ""
    return f"{parsed.scheme}://{auth}{host}:{parsed.port}/{parsed.database}{query}"


def _kind(parsed: ParsedUrl) -> Kind:
    host = parsed.host.lower()
    if host in LOCAL_HOSTS or host.startswith("127."):
        return "local"
    if host.endswith(".pooler.supabase.com"):
        return {5432: "pooler-session", 6543: "pooler-transaction"}.get(parsed.port, "supabase-other")  # type: ignore[return-value]
    if DIRECT_HOST_RE.fullmatch(host):
        return {5432: "direct", 6543: "dedicated-pooler"}.get(parsed.port, "supabase-other")  # type: ignore[return-value]
    if host.endswith((".supabase.co", ".supabase.com")):
        return "supabase-other"
    return "not-supabase"


PORT_MEANING: dict[str, str] = {
    "pooler-session": "5432 = Supavisor session mode: one server connection per client; prepared statements and "
                      "migrations work.",
    "pooler-transaction": "6543 = Supavisor transaction mode: a server connection per transaction; no named prepared "
                          "statements, no advisory locks (so no migrations).",
    "direct": "5432 = Postgres itself, no pooler: everything works, connections count against max_connections.",
    "dedicated-pooler": "6543 = the dedicated PgBouncer (transaction mode) next to your database.",
    "local": "a local port: whatever this machine's server (or the supatui sandbox) listens on.",
    "not-supabase": "not a Supabase port layout.",
    "supabase-other": "unexpected: Supabase uses 5432 (session/direct) and 6543 (transaction).",
}
NETWORK: dict[str, str] = {
    "pooler-session": "IPv4 and IPv6: works from any network.",
    "pooler-transaction": "IPv4 and IPv6: works from any network.",
    "direct": "IPv6 only, unless the project has the IPv4 add-on: fails from IPv4-only networks (many ISPs, Vercel, "
              "GitHub Actions, Docker).",
    "dedicated-pooler": "IPv6 only, unless the project has the IPv4 add-on.",
    "local": "loopback: reachable only from this machine.",
    "not-supabase": "depends on the server.",
    "supabase-other": "depends on the host.",
}
DIRECT_URL_HINT = ("migrations need DIRECT_URL on the session port 5432 (same host, same user): Prisma 7 puts "
                   "env DIRECT_URL in prisma.config.ts `datasource.url`; Prisma 6 uses `directUrl = env(\"DIRECT_URL\")`")


def _prisma_needs(kind: str) -> tuple[str, ...]:
    if kind == "pooler-session":
        return ("use it as DATABASE_URL as is; migrations work on it, so no DIRECT_URL is needed",
                "for serverless, add `connection_limit=1`")
    if kind in ("pooler-transaction", "dedicated-pooler"):
        return ("Prisma 6: add `?pgbouncer=true` (turns off named prepared statements); Prisma 7's adapter-pg "
                "sends unnamed statements and ignores it", "for serverless, add `connection_limit=1`", DIRECT_URL_HINT,
                "at run time, give this URL to `new PrismaPg({ connectionString })`")
    if kind == "direct":
        return ("use it as DATABASE_URL for both runtime and migrations (no DIRECT_URL needed) if this network has IPv6",
                "otherwise use the session pooler string from the Connect dialog")
    if kind == "local":
        return ("use it as DATABASE_URL; leave out `sslmode` (the sandbox has no TLS)",)
    return ("Prisma accepts any PostgreSQL URL as DATABASE_URL; supatui's steps expect a Supabase project",)


def _warnings(url: str, parsed: ParsedUrl, kind: str) -> list[UrlWarning]:
    out: list[UrlWarning] = []

    def add(code: str, message: str) -> None:
        out.append(UrlWarning(code, message))

    bad = unencoded_password_chars(url)
    if bad:
        shown = " ".join("space" if c == " " else c for c in bad)
        add("unencoded-password", f"the password contains characters that must be percent-encoded: {shown} "
            "(e.g. @ → %40, # → %23); Prisma, node-postgres and psql read them differently (P1013, Invalid URL, wrong "
            "host). Encode it, or let supatui write .env.")
    if parsed.password_placeholder:
        add("placeholder-password", placeholder_problem(parsed))
    elif parsed.password is None:
        add("no-password", "no password in the string: Prisma needs it in DATABASE_URL (supatui fills it from the keyring).")
    elif "$" in parsed.password:
        add("dollar-in-password", "the password contains `$`: Prisma's .env loader may expand it; write it as %24.")
    pooler = kind in ("pooler-session", "pooler-transaction")
    host = parsed.host.lower()
    match = POOLER_HOST_RE.fullmatch(host)
    if match and match.group(2) == "0":
        add("composed-aws0", f"`{host}`: aws-0 is a cluster index, not a safe default; copy the host from the "
            "dashboard's Connect dialog (a wrong cluster answers 'Tenant or user not found').")
    options_ref = (re.search(r"reference=([A-Za-z0-9_-]+)", parsed.params.get("options", "")) or [None, ""])[1]
    user_ref = parsed.user.rsplit(".", 1)[1] if "." in parsed.user else ""
    direct = DIRECT_HOST_RE.fullmatch(host)
    host_ref = direct.group(1) if direct else ""
    if pooler and not user_ref and not options_ref:
        add("missing-ref", f"the user `{parsed.user}` has no project ref: on the pooler it must be "
            f"`{parsed.user or 'prisma'}.<project-ref>` (else 'Tenant or user not found' / ENOIDENTIFIER).")
    refs = {r for r in (options_ref, host_ref, user_ref if pooler else "") if r}
    if len(refs) > 1:
        add("ref-mismatch", "the project refs in this string disagree (" + ", ".join(sorted(refs)) + "): copy the "
            "string again from one project's Connect dialog.")
    if host_ref and user_ref and len(user_ref) == 20 and user_ref.isalpha():
        add("ref-on-direct", f"the direct host takes the bare role: user `{parsed.user.rsplit('.', 1)[0]}`, not "
            f"`{parsed.user}`.")
    ref = options_ref or host_ref or (user_ref if pooler else "")
    if ref and kind not in ("local", "not-supabase") and validate_ref(ref):
        add("bad-ref", f"`{ref}` does not look like a project ref (20 lowercase letters).")
    sslmode = parsed.params.get("sslmode", "").lower()
    if sslmode in SSL_VERIFYING and parsed.params.get("uselibpqcompat", "").lower() != "true":
        add("sslmode-require", f"`sslmode={sslmode}` means verify-full in Prisma 7's pg driver: expect P1011 (self-signed "
            "certificate) unless you pass Supabase's CA; drop it or add `uselibpqcompat=true`.")
    if kind == "local" and sslmode and sslmode not in ("disable", "allow", "prefer"):
        add("local-ssl", "the local sandbox has no TLS: remove `sslmode`.")
    if kind in ("pooler-transaction", "dedicated-pooler") and parsed.params.get("pgbouncer", "").lower() != "true":
        add("no-pgbouncer", "transaction port without `pgbouncer=true`: Prisma 6 will hit 'prepared statement \"s0\" "
            "already exists'; add it (harmless for Prisma 7), and run migrations through DIRECT_URL on 5432.")
    if kind in ("direct", "dedicated-pooler"):
        add("ipv6-only", (direct_host_note(host, parsed.port) or f"{host} is IPv6-only.")
            + " (The failure there is P1001 / ENETUNREACH.)")
    if kind == "supabase-other":
        add("odd-port", f"port {parsed.port} is not a Supabase port: use 5432 (session/direct) or 6543 (transaction).")
    if kind not in ("local", "not-supabase") and parsed.database != "postgres":
        add("not-postgres-db", f"database `{parsed.database}`: Supabase projects have one database, `postgres` (P1003).")
    return out


def explain_url(url: str) -> UrlExplanation:
    """Read ``url`` and explain it. Raises :class:`InputError` (one line) when it is not a URL."""
    url = pasted_url(url)  # `DATABASE_URL="…"` or a whole .env block, as copied from the Connect dialog
    try:
        parsed = parse_url(url)
    except UrlError as exc:
        if not_a_postgres_url(url):  # the API URL, a dashboard page…: the sentence already says what to copy
            raise InputError(str(exc), field="url") from None
        raise InputError(f"Not a PostgreSQL URL: {exc}", "Copy the string from the dashboard's Connect dialog.",
                         field="url") from None
    register_secret(parsed.password)
    params = {k: (MASK if k.lower() in ("password", "sslpassword") else v) for k, v in parsed.params.items()}
    for key in ("password", "sslpassword"):
        if key in parsed.params:
            register_secret(parsed.params[key])
    kind = _kind(parsed)
    user_ref = parsed.user.rsplit(".", 1)[1] if "." in parsed.user else ""
    pooler = kind in ("pooler-session", "pooler-transaction", "local")
    options_ref = re.search(r"reference=([A-Za-z0-9_-]+)", parsed.params.get("options", ""))
    direct = DIRECT_HOST_RE.fullmatch(parsed.host.lower())
    ref = options_ref.group(1) if options_ref else direct.group(1) if direct else user_ref if pooler else ""
    role = parsed.user[: -len(user_ref) - 1] if pooler and user_ref and not options_ref else parsed.user
    return UrlExplanation(
        kind=kind, masked_url=_masked_url(parsed, params), user=parsed.user, role=role, ref=ref, host=parsed.host,
        port=parsed.port, database=parsed.database, port_meaning=PORT_MEANING[kind], network=NETWORK[kind],
        prisma=_prisma_needs(kind), warnings=tuple(_warnings(url, parsed, kind)), params=params,
        has_password=parsed.password is not None,
    )
