"""Supavisor (Supabase's shared pooler): its errors, old and new wordings.

Texts from supabase/supavisor: lib/supavisor/errors/*.ex (``(ENOTFOUND) tenant/user X not found``,
``(EADDRNOTALLOWED) address not in tenant allow_list``, ``(ECIRCUITBREAKER) …``) and, before the error codes,
lib/supavisor/client_handler/error.ex and native_handler.ex (``Tenant or user not found``, ``Tenant not found``,
``Circuit breaker open: …``, ``Address not in tenant allow_list``).
"""

from __future__ import annotations

from supatui.core.diagnoses.catalogue.common import PRISMA_DB, SUPA_GUIDE, SUPA_TS, SUPAVISOR_SRC, TENANT_TS
from supatui.core.diagnoses.model import Diagnosis, make

SUPAVISOR: tuple[Diagnosis, ...] = (
    make("supavisor-tenant-not-found", "Supavisor: tenant or user not found",
         [r"Tenant or user not found", r"\(ENOTFOUND\)\s*tenant/user", r"tenant/user \S+ not found",
          r"\bTenant not found\b"],
         "The pooler could not find the project for this user: the user lacks `.<project-ref>`, the pooler host "
         "(aws-N-<region>) is not your project's cluster, or the ref is mistyped. The password is never the cause.",
         "Copy the pooler host and the user `<role>.<project-ref>` from the dashboard's Connect dialog exactly (the "
         "aws-N part differs between projects and cannot be derived from the region); do not reset the password. "
         "Check with `supatui url explain URL`.",
         TENANT_TS, PRISMA_DB, "FATAL: (ENOTFOUND) tenant/user prisma.abcdefghijklmnopqrst not found", 3,
         tell="A wrong password gives `password authentication failed` instead; this error comes before the "
              "password is checked.", sources=[SUPAVISOR_SRC]),
    make("supavisor-no-tenant", "Supavisor: no project ref in the user name",
         [r"\(ENOIDENTIFIER\)", r"no tenant identifier provided"],
         "The pooler needs to know the project: the user was a bare role (`prisma`) instead of `<role>.<project-ref>`.",
         "Use the user `prisma.<ref>` (`<role>.<project-ref>`) on the pooler host (ports 5432/6543), or add "
         "`?options=reference%3D<project-ref>`. Only the direct host db.<ref>.supabase.co takes the bare role.",
         TENANT_TS, PRISMA_DB,
         "FATAL: (ENOIDENTIFIER) no tenant identifier provided (external_id or sni_hostname required)", 3,
         sources=[SUPAVISOR_SRC]),
    make("supavisor-bad-user-format", "Supavisor: the user or database name is malformed",
         [r"\(EINVALIDUSERINFO\)", r"Invalid format for user or db_name"],
         "The user or database name has characters Supavisor does not accept (often a pasted placeholder such as "
         "`[YOUR-PROJECT-REF]` or a space).",
         "Copy the URL again from the Connect dialog: user `<role>.<project-ref>`, database `postgres`.", TENANT_TS,
         PRISMA_DB, "Authentication error, reason: \"Invalid format for user or db_name\"", 3, sources=[SUPAVISOR_SRC]),
    make("supavisor-auth-query", "The role does not exist in the database",
         [r"\(EAUTHQUERY\)", r"There is no user '[^']+' in the database", r"role \"[^\"]+\" does not exist"],
         "The role in the URL is not in this project's database: step 1 (create the prisma role) has not run, or "
         "ran in another project.",
         "Run step 1 (create the `prisma` role) in this project: `supatui run --from role`, then connect again. "
         "Pooler caches can take a minute to notice a new role.", SUPA_GUIDE, PRISMA_DB,
         "FATAL: (EAUTHQUERY) user not found in the database", 3),
    make("supavisor-allow-list", "Supavisor: this address is not allowed (Network Restrictions)",
         [r"address not in tenant allow_list", r"\(EADDRNOTALLOWED\)"],
         "The project has Network Restrictions on, and the client's IP address is not in the allowed ranges.",
         "Add the client's IP (or your host's published ranges) under Database Settings → Network Restrictions, or "
         "remove the restriction; serverless hosts change IPs, so allow their whole range.",
         "https://supabase.com/docs/guides/platform/network-restrictions", PRISMA_DB,
         "FATAL: (EADDRNOTALLOWED) address not in tenant allow_list: {14, 191, 33, 93}", 4, sources=[SUPAVISOR_SRC]),
    make("supavisor-circuit-breaker", "Supavisor blocks new connections after failed logins",
         [r"too many authentication (?:failures|errors)", r"Circuit breaker open(?!.*credentials)",
          r"too many failed attempts to connect"],
         "After repeated failed logins from this client the pooler blocks new connections for a while; every retry "
         "with the wrong password extends it.",
         "Stop retrying (restart loops, CI retries, open GUI tools), wait a few minutes for the block to expire, fix "
         "the password once (test it with psql), then connect again.", SUPAVISOR_SRC, PRISMA_DB,
         "FATAL: (ECIRCUITBREAKER) too many authentication failures, new connections are temporarily blocked", 4,
         tell="`failed to retrieve database credentials` is the pooler's own lookup failing, not your password."),
    make("supavisor-circuit-credentials", "Supavisor could not fetch the database credentials",
         [r"failed to retrieve (?:database credentials|authentication secrets)",
          r"Authentication credentials are invalid\. Please reconnect"],
         "The pooler's own lookup of the role's credentials in your database failed several times (database busy, "
         "restarting or paused); it is not a wrong password.",
         "Wait a minute and retry; if it persists, check the project is up (not paused or restarting) in the "
         "dashboard and that the database is not overloaded.", SUPAVISOR_SRC, PRISMA_DB,
         "FATAL: (ECIRCUITBREAKER) failed to retrieve database credentials after multiple attempts", 4),
    make("supavisor-auth-closed", "Supavisor closed the connection while logging in",
         [r"Connection closed when state was authentication", r"\(EAUTHCLOSED\)"],
         "The pooler's login to the database failed: the database named in the URL does not exist, or the user or "
         "password is not one this project knows.",
         "Check the URL against the Connect dialog: user `<role>.<project-ref>` (with this project's project-ref), "
         "database `postgres`, and the role's current password; `supatui url explain URL` checks the user and the "
         "database.", "https://supabase.com/docs/guides/database/connecting-to-postgres", PRISMA_DB,
         "Connection closed when state was authentication", 3,
         sources=["https://github.com/supabase/supabase/pull/31027"]),
    make("supavisor-db-handler-exited", "Supavisor lost its own connection to your database",
         [r"\(EDBHANDLEREXITED\)", r"DbHandler exited", r"connection to database closed\. Check logs",
          r"\(ECHECKOUTRETRIES\)", r"failed to check out a connection after multiple retries"],
         "Supavisor's process holding the server connection (its DbHandler) ended unexpectedly: the database closed "
         "that connection (a restart, a crash or out of memory, a terminated backend) or refused the pooler's own "
         "login, so the pooler ended your session too. Repeated exits during checkout end in ECHECKOUTRETRIES.",
         "Retry once: the cause is on the database side, not in your URL. If it repeats, read the project's Postgres "
         "and Pooler logs (Dashboard → Logs) at that time for why the session ended, check the project is not "
         "paused, restarting or out of memory (Reports), and give them to Supabase support if the logs say nothing.",
         SUPAVISOR_SRC + "/db_handler_exited_error.ex", PRISMA_DB,
         "FATAL: (EDBHANDLEREXITED) DbHandler exited. Check logs for more information", 4,
         sources=["https://github.com/supabase/supavisor/blob/main/lib/supavisor/db_handler.ex"]),
    make("supavisor-banned", "Supavisor: the project is banned",
         [r"\(EBANNED\)", r"tenant is banned"],
         "The pooler refuses every connection to this project (restricted by Supabase).",
         "Check the dashboard for a notice about the project's status and contact Supabase support.",
         SUPAVISOR_SRC, PRISMA_DB, "FATAL: (EBANNED) tenant is banned: …", 4),
    make("ip-banned", "Your IP address is banned after failed logins",
         [r"SASL authentication failed \(SQLSTATE 08P01\)", r"\b(?:IP|address)\b[^\n]{0,40}\b(?:blocked|banned)\b",
          r"network[- ]bans?"],
         "The database blocked this IP address after too many failed password attempts (fail2ban).",
         "Unban your IP under Database Settings → Network Bans (or `supabase network-bans remove --db-unban-ip <ip>`), "
         "then connect once with the right password.",
         "https://supabase.com/docs/reference/cli/supabase-network-bans", PRISMA_DB,
         "failed SASL auth (FATAL: SASL authentication failed (SQLSTATE 08P01))", 3),
    make("ssl-required", "SSL is enforced but the client connected without TLS",
         [r"\(ESSLREQUIRED\)", r"SSL connection is required"],
         "The project has 'Enforce SSL on incoming connections' on, and this client did not use TLS.",
         "Connect with TLS: psql/libpq add `sslmode=require` (or `sslmode=verify-full sslrootcert=<ca>`); Prisma 7 "
         "pass the CA to the adapter: `new PrismaPg({ connectionString, ssl: { ca } })` with the 'Server root "
         "certificate' from Database Settings.",
         "https://supabase.com/docs/guides/platform/ssl-enforcement", PRISMA_DB,
         "FATAL: (ESSLREQUIRED) SSL connection is required for user: prisma.abcdefghijklmnopqrst", 3),
    make("ssl-unsupported", "The server does not speak TLS",
         [r"server does not support SSL"],
         "The URL asks for TLS (`sslmode=require`) and this server, e.g. a local database, has none.",
         "Remove `sslmode=require` from the URL for this server (the local sandbox has no TLS).",
         "https://www.postgresql.org/docs/current/libpq-ssl.html", PRISMA_DB,
         "server does not support SSL, but SSL was required", 3),
    make("max-clients", "Too many clients on the pooler (transaction mode)",
         [r"\(EMAXCONN\)", r"Max client connections reached", r"no more connections allowed \(max_client_conn\)"],
         "More clients are connected through the pooler than it allows: usually many serverless instances, each "
         "with a Prisma pool of num_cpus*2+1 connections.",
         "Use the transaction pooler (6543) with `?pgbouncer=true&connection_limit=1` for serverless, create one "
         "PrismaClient per process (not per request), and raise the pool size in Database Settings if the load is "
         "real.", SUPA_TS, ("test",), "FATAL: (EMAXCONN) max client connections reached, limit: 200", 3),
    make("max-clients-session", "Too many clients in session mode (port 5432)",
         [r"\(EMAXCONNSESSION\)", r"MaxClientsInSessionMode", r"max clients reached (?:-\s*)?in session mode"],
         "Session mode gives each client its own server connection, capped at the pool size per role+database.",
         "Use the transaction port 6543 with `?pgbouncer=true&connection_limit=1` for serverless, close idle "
         "clients, or raise the pool size in Database Settings.", SUPA_TS, ("migrations", "test"),
         "FATAL: (EMAXCONNSESSION) max clients reached in session mode - max clients are limited to pool_size: 15", 4),
    make("checkout-timeout", "The pooler had no free server connection in time",
         [r"\(ECHECKOUTTIMEOUT\)", r"Unable to check out connection from the pool"],
         "Every server connection in the pool was busy (slow queries, long transactions, or a pool too small).",
         "Find slow queries in the dashboard's Query Performance view, keep transactions short, and raise the pool "
         "size in Database Settings.", SUPA_TS, ("test",),
         "FATAL: (ECHECKOUTTIMEOUT) unable to check out connection from the pool after 5000ms in Transaction mode", 3),
    make("prepared-simple-query", "Prepared statement over the simple protocol in transaction mode",
         [r"\(EPSSIMPLEQUERY\)", r"only supports prepared statements using the Extended Query Protocol"],
         "A client sent PREPARE/EXECUTE as plain SQL through the transaction pooler, which only tracks protocol-level "
         "prepared statements.",
         "Connect on the session port 5432 for this client (or the direct host), or stop using SQL-level PREPARE.",
         SUPA_TS, PRISMA_DB,
         "FATAL: (EPSSIMPLEQUERY) transaction mode only supports prepared statements using the Extended Query Protocol",
         4),
)
