"""Reaching the server: the IPv6-only direct host, blocked ports, refused connections, DNS.

db.<ref>.supabase.co has only an AAAA record unless the IPv4 add-on is on (github.com/orgs/supabase/discussions/
27034); the pooler hosts have IPv4. Wordings: Node (`ENETUNREACH`, `EHOSTUNREACH`), libpq (`Network is
unreachable`, `Address family not supported by protocol`), Go/the Supabase CLI (`connect: no route to host`).
"""

from __future__ import annotations

from supatui.core.diagnoses.catalogue.common import LIBPQ_URI, PRISMA7, PRISMA_DB, SUPA_TS
from supatui.core.diagnoses.context import Context
from supatui.core.diagnoses.model import Diagnosis, make

_DIRECT = r"db\.[^\s.`'\"/:@]{1,40}\.supabase\.co"


def _maybe_ipv6(ctx: Context) -> bool:
    """Not when the only host in sight is an IPv4 pooler or a local server."""
    return ctx.direct_host or ctx.ipv6_literal or not (ctx.pooler_host or ctx.local_host)


def _ipv6_boost(ctx: Context) -> int:
    return 6 if ctx.direct_host or ctx.ipv6_literal else 0


IPV6_FIX = ("Use the session pooler instead of the IPv6-only direct host: in the Connect dialog pick \"Session "
            "pooler\" (host aws-N-<region>.pooler.supabase.com, port 5432, user `<role>.<project-ref>`), or buy the "
            "IPv4 add-on. Newer Supabase CLIs do this after `supabase link`. `supatui url explain URL` checks the URL.")

NETWORK: tuple[Diagnosis, ...] = (
    make("ipv6-direct-host", "The direct host is IPv6-only and this network has no IPv6",
         [r"Network is unreachable", r"\bENETUNREACH\b", r"\bEHOSTUNREACH\b", r"no route to host",
          r"Address family not supported by protocol", r"getaddrinfo (?:ENOTFOUND|EAI_AGAIN) " + _DIRECT,
          r"Can't reach database server at `?" + _DIRECT, r"could not translate host name \"" + _DIRECT,
          r"\bP1001\b[^\n]*" + _DIRECT, _DIRECT + r"[^\n]*(?:timed out|timeout|ETIMEDOUT)",
          r"(?:ETIMEDOUT|timed out|i/o timeout)\W{1,3}\[?[0-9a-f]{1,4}:[0-9a-f]{0,4}:[0-9a-f:]+"],
         "db.<ref>.supabase.co has only an IPv6 address; this network (many home ISPs, Vercel, GitHub Actions, "
         "Docker, n8n Cloud) has no IPv6 route, so the connection never starts.",
         IPV6_FIX, "https://github.com/orgs/supabase/discussions/27034", PRISMA_DB,
         "connect ENETUNREACH 2a05:d014:1c06:5f01::1:5432 - Local (:::0)", 3, when=_maybe_ipv6, boost=_ipv6_boost,
         tell="If `curl -6 https://ifconfig.co` fails, the network has no IPv6 and this is the cause; if the pooler "
              "host times out too, a firewall blocks the port instead.",
         sources=["https://supabase.com/docs/guides/database/connecting-to-postgres#shared-pooler"]),
    make("port-blocked", "The pooler's port is blocked on this network",
         [r"timeout: context deadline exceeded",
          r"(?:ETIMEDOUT|timed out|timeout expired|i/o timeout)[^\n]*:(?:5432|6543)\b",
          r"\b(?:5432|6543)\b[^\n]*(?:ETIMEDOUT|timed out|timeout expired|i/o timeout)",
          r"connect ETIMEDOUT \d+\.\d+\.\d+\.\d+:(?:5432|6543)"],
         "The pooler host has IPv4, so IPv6 is not the problem: nothing came back from port 5432/6543. School, "
         "office, hotel and some mobile networks block outgoing database ports.",
         "It is not IPv6 (the pooler has IPv4 addresses): try another network (a phone hotspot) to confirm, "
         "then ask the network's admin to open 5432/6543 or work "
         "from a network that allows them; `nc -vz <pooler-host> 5432` shows whether the port answers.", SUPA_TS,
         PRISMA_DB, "failed to receive message (timeout: context deadline exceeded)", 3,
         when=lambda ctx: not ctx.direct_host and not ctx.ipv6_literal,
         tell="A direct host (db.<ref>.supabase.co) that times out is the IPv6 problem; a pooler host that times out "
              "is a blocked port."),
    make("connection-refused", "Nothing is listening at that host and port",
         [r"Connection refused", r"\bECONNREFUSED\b"],
         "The host answered but no server listens on that port: a wrong port, a stopped local server, a paused "
         "project, or a container not published on that port.",
         "Check the host and port (Supabase: 5432 session, 6543 transaction; copy them from the Connect dialog). "
         "For the local sandbox: `supatui sandbox start`.", SUPA_TS, PRISMA_DB,
         "connect ECONNREFUSED 127.0.0.1:5432", 2,
         when=lambda ctx: not (ctx.has(r"registry\.|binaries\.prisma") and not ctx.has(r":(?:5432|6543)\b"))),
    make("p1001-unreachable", "Can't reach the database server (P1001)",
         [r"\bP1001\b", r"Can't reach database server at", r"connection to server at .* failed: timeout expired",
          r"connection timeout expired", r"timeout exceeded when trying to connect",
          r"Connection terminated due to connection timeout"],
         "Nothing answered at that host and port: a mistyped or composed host, the wrong port, a paused project, "
         "a network that blocks the port, or a database under heavy load.",
         "Copy the connection string again from the Connect dialog, check the project is not paused, and add "
         "`connect_timeout=30`; if it still fails, try another network (some block 5432/6543).",
         SUPA_TS, PRISMA_DB, "Error: P1001: Can't reach database server at `aws-1-eu-west-1.pooler.supabase.com:5432`",
         1),
    make("libpq-bad-host", "The host name does not resolve",
         [r"failed to resolve host", r"could not translate host name \"[^\"]+\" to address",
          r"getaddrinfo (?:ENOTFOUND|EAI_AGAIN) (?!registry\.|binaries\.)\S+", r"Name or service not known"],
         "The host name does not resolve: a typo, a composed host, no network, or an unencoded `@` in the password "
         "(the rest of the password is then read as the host).",
         "If the host shown contains part of your password, percent-encode `@` as %40; otherwise copy the host "
         "from the Connect dialog and check your network (DNS, VPN, proxy).", LIBPQ_URI, PRISMA_DB,
         "could not translate host name \"aws-0-eu-west-9.pooler.supabase.com\" to address: Name or service not known",
         2),
    make("env-not-loaded", "DATABASE_URL was not loaded from .env",
         [r"Can't reach database server at `?(?:base|undefined)\b", r"PrismaConfigEnvError",
          r"Cannot resolve environment variable: \w+", r"datasource\.url property is required in your Prisma config"],
         "Prisma 7 does not read .env by itself: without `import \"dotenv/config\"` the variable is undefined.",
         "Put `import \"dotenv/config\";` as the first line of prisma.config.ts and index.ts, and check .env has "
         "DATABASE_URL (`supatui` writes both).", PRISMA7, ("migrations", "client", "test"),
         "PrismaConfigEnvError: Cannot resolve environment variable: DATABASE_URL", 3),
    make("pg-hba-no-entry", "The server has no rule admitting this connection (pg_hba.conf)",
         [r"no pg_hba\.conf entry for host", r"pg_hba\.conf rejects connection for host"],
         "PostgreSQL checked its host rules (pg_hba.conf) and none admits this address, user and database with "
         "this kind of connection. Ending `SSL off` (PostgreSQL 17+: `no encryption`): the server only admits TLS "
         "connections (on Supabase the project has 'Enforce SSL on incoming connections' on); ending `SSL on` (`SSL "
         "encryption`): no rule admits this address or user at all.",
         "`SSL off` / `no encryption`: connect with TLS: add `sslmode=require` to the URL (Prisma 7: `new PrismaPg({ "
         "connectionString, ssl: { ca } })`), or turn SSL enforcement off in Database Settings. `SSL on` (or a "
         "self-hosted server): the server's admin adds a pg_hba.conf rule for this address (`hostssl <db> <user> "
         "<ip>/32 scram-sha-256`, then reload), or connect from an allowed network; on Supabase check Network "
         "Restrictions.", "https://supabase.com/docs/guides/platform/ssl-enforcement", PRISMA_DB,
         "FATAL: no pg_hba.conf entry for host \"203.0.113.7\", user \"postgres\", database \"postgres\", SSL off", 5,
         sources=["https://github.com/orgs/supabase/discussions/21145",
                  "https://www.postgresql.org/docs/current/auth-pg-hba-conf.html"]),
)
