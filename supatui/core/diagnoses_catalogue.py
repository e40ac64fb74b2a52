"""The known problems of connecting Prisma to Supabase (notes: supabase.md §2–§10, prisma.md).

Each entry: exact strings as the tools print them (old and new Supavisor wordings, SQLSTATEs,
Prisma P-codes, npm/pnpm/node errors), the cause, a concrete next action, and its source.
"""

from __future__ import annotations

from supatui.core.diagnoses import Diagnosis, make, sqlstate
from supatui.core.diagnoses_prisma import PRISMA_AND_TOOLS

SUPA_TS = "https://supabase.com/docs/guides/database/prisma/prisma-troubleshooting"
SUPA_GUIDE = "https://supabase.com/docs/guides/database/prisma"
SUPA_CONNECT = "https://supabase.com/docs/guides/database/connecting-to-postgres"
PRISMA_ERR = "https://www.prisma.io/docs/orm/reference/error-reference"
PG_ERR = "https://www.postgresql.org/docs/current/errcodes-appendix.html"
DB = ("role", "connection", "migrations", "test")
PRISMA_DB = ("connection", "migrations", "test")

DATABASE: tuple[Diagnosis, ...] = (
    # --- Supavisor (shared pooler) -------------------------------------------------------------------------------
    make("supavisor-tenant-not-found", "Supavisor: tenant or user not found",
         [r"Tenant or user not found", r"\(ENOTFOUND\) tenant/user \S+ not found"],
         "The pooler could not find the project for this user: the user name lacks `.<project-ref>`, the pooler host "
         "(aws-N-<region>) is not your project's cluster, or the ref is mistyped. The password is never the cause.",
         "Copy the pooler host and the user (`prisma.<project-ref>`) from the dashboard's Connect dialog; do not reset "
         "the password. Check with `supatui url explain URL`.",
         "https://supabase.com/docs/guides/troubleshooting/tenant-or-user-not-found", PRISMA_DB,
         "FATAL: (ENOTFOUND) tenant/user prisma.abcdefghijklmnopqrst not found", 3),
    make("supavisor-no-tenant", "Supavisor: no project ref in the user name",
         [r"\(ENOIDENTIFIER\)", r"no tenant identifier provided"],
         "The pooler needs to know the project: the user was a bare role (`prisma`) instead of `prisma.<project-ref>`.",
         "Use the user `prisma.<project-ref>` on the pooler host (ports 5432/6543), or add "
         "`?options=reference%3D<project-ref>`. Only the direct host db.<ref>.supabase.co takes the bare role.",
         "https://supabase.com/docs/guides/troubleshooting/tenant-or-user-not-found", PRISMA_DB,
         "FATAL: (ENOIDENTIFIER) no tenant identifier provided (external_id or sni_hostname required)", 3),
    make("supavisor-auth-query", "Supavisor: the role does not exist in the database",
         [r"\(EAUTHQUERY\)", r"There is no user '[^']+' in the database"],
         "The pooler looked the role up in your database and it is not there: step 1 (create the prisma role) has "
         "not run, or ran in another project.",
         "Run step 1 (create the `prisma` role) in this project, then connect again. Pooler caches can take a "
         "minute to notice a new role.", SUPA_GUIDE, PRISMA_DB,
         "FATAL: (EAUTHQUERY) user not found in the database", 3),
    make("ssl-required", "SSL is enforced but the client connected without TLS",
         [r"\(ESSLREQUIRED\)", r"SSL connection is required"],
         "The project has 'Enforce SSL on incoming connections' on, and this client did not use TLS.",
         "For Prisma 7 pass the CA to the adapter: `new PrismaPg({ connectionString, ssl: { ca } })` with the "
         "'Server root certificate' from Database Settings; for psql use `sslmode=verify-full sslrootcert=<ca file>`.",
         "https://supabase.com/docs/guides/platform/ssl-enforcement", PRISMA_DB,
         "FATAL: (ESSLREQUIRED) SSL connection is required for user: prisma.abcdefghijklmnopqrst", 3),
    make("max-clients", "Too many clients on the pooler (transaction mode)",
         [r"\(EMAXCONN\)", r"Max client connections reached", r"no more connections allowed \(max_client_conn\)"],
         "More clients are connected through the pooler than it allows: usually many serverless instances, each "
         "with a Prisma pool of num_cpus*2+1 connections.",
         "Add `connection_limit=1` to DATABASE_URL for serverless, create one PrismaClient per process (not per "
         "request), and raise the pool size in Database Settings if the load is real.", SUPA_TS, ("test",),
         "FATAL: (EMAXCONN) max client connections reached, limit: 200", 3),
    make("max-clients-session", "Too many clients in session mode (port 5432)",
         [r"\(EMAXCONNSESSION\)", r"MaxClientsInSessionMode"],
         "Session mode gives each client its own server connection, capped at the pool size per role+database.",
         "Use the transaction port 6543 with `?pgbouncer=true&connection_limit=1` for serverless, close idle "
         "clients, or raise the pool size in Database Settings.", SUPA_TS, ("migrations", "test"),
         "FATAL: (EMAXCONNSESSION) max clients reached in session mode - max clients are limited to pool_size: 15", 3),
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
         3),
    # --- PostgreSQL SQLSTATEs ----------------------------------------------------------------------------------
    make("auth-failed", "Wrong password (28P01 / P1000)",
         [r"password authentication failed for user", sqlstate("28P01"), r"\bP1000\b",
          r"Authentication failed against the database server"],
         "The server rejected the password for this role. Common reasons: the role's password was changed, the "
         "password has unencoded special characters in the URL, or `$` in .env was expanded.",
         "Set the password again in step 1 (`alter user \"prisma\" with password …` in the SQL editor), then rerun "
         "the connection step; supatui stores it in the keyring and writes it encoded.", PRISMA_ERR + "#p1000", DB,
         "FATAL: password authentication failed for user \"prisma\"", 2),
    make("prepared-exists", "Prepared statement already exists (transaction pooler)",
         [r"prepared statement \"?\w+\"? already exists", sqlstate("42P05")],
         "Transaction mode (port 6543) shares server connections between clients, so named prepared statements "
         "collide.",
         "Prisma 6: add `?pgbouncer=true` to the 6543 URL. Prisma 7 (adapter-pg) sends unnamed statements; run "
         "migrations through DIRECT_URL on port 5432.", SUPA_TS, ("migrations", "test"),
         "ERROR: prepared statement \"s0\" already exists (SQLSTATE 42P05)", 3),
    make("prepared-missing", "Prepared statement does not exist (transaction pooler)",
         [r"prepared statement \"?\w+\"? does not exist", sqlstate("26000")],
         "A statement prepared on one server connection was executed on another: transaction mode moves clients "
         "between connections.",
         "Prisma 6: add `?pgbouncer=true` to the 6543 URL; other drivers: turn off prepared statements (psycopg "
         "`prepare_threshold=None`) or use the session port 5432.", SUPA_TS, ("migrations", "test"),
         "ERROR: prepared statement \"s0\" does not exist (SQLSTATE 26000)", 3),
    make("bypassrls-denied", "Cannot create a role with BYPASSRLS",
         [r"must be superuser to create bypassrls users",
          r"Only roles with the BYPASSRLS attribute may create roles with the BYPASSRLS attribute"],
         "Step 1 ran as a role that cannot grant BYPASSRLS (not `postgres`, or stock PostgreSQL 15), or on Supabase "
         "PG15 the `prisma` role already exists and this is a rerun.",
         "Run step 1 as `postgres` in the project's SQL editor or through supatui; if `prisma` already exists, just "
         "`alter user \"prisma\" with password …` (supatui checks pg_roles first).", SUPA_GUIDE, ("role",),
         "ERROR: must be superuser to create bypassrls users (SQLSTATE 42501)", 3),
    make("role-exists", "The prisma role already exists (42710)",
         [r"role \"[^\"]+\" already exists", sqlstate("42710")],
         "Step 1 ran before: `create user` is not repeatable.",
         "Nothing is broken. Keep the role and set its password with `alter user \"prisma\" with password …`; "
         "supatui's step 1 does that on a rerun.", SUPA_GUIDE, ("role",),
         "ERROR: role \"prisma\" already exists (SQLSTATE 42710)", 3),
    make("data-api-invisible", "Data API cannot see tables created by Prisma",
         [r"permission denied for table .*\b(anon|authenticated)\b", r"\b(anon|authenticated)\b.*permission denied for",
          r"\"code\"\s*:\s*\"42501\"", r"Could not find the table '[^']+' in the schema cache"],
         "Tables created by the `prisma` role get no grants for anon/authenticated/service_role (Supabase's default "
         "privileges only cover objects created by postgres), so the Data API (PostgREST) is refused.",
         "If you use the Data API: `grant select on public.\"User\" to anon, authenticated;` (and enable RLS with "
         "policies), or `alter default privileges for role prisma in schema public grant … to anon, authenticated`.",
         "https://supabase.com/docs/guides/database/postgres/row-level-security", ("test",),
         "{\"code\":\"42501\",\"message\":\"permission denied for table User\"}", 3),
    make("permission-denied", "Permission denied on a table (42501)",
         [r"permission denied for (table|relation|sequence) \S+", r"must be owner of (table|relation) \S+",
          sqlstate("42501")],
         "The connected role lacks a grant: `prisma` on tables made by postgres (grants in step 1 missing), or "
         "postgres on tables made by prisma (`grant \"prisma\" to \"postgres\"` missing).",
         "Run step 1's grants again as postgres (supatui's step 1 is safe to rerun); they include "
         "`grant \"prisma\" to \"postgres\"` and `grant all on all tables in schema public to prisma`.", SUPA_GUIDE,
         DB, "ERROR: permission denied for table User (SQLSTATE 42501)", 1),
    make("create-schema-denied", "Prisma cannot create a schema",
         [r"permission denied for database \w+", r"permission denied to create schema"],
         "The `prisma` role may create tables in public but not schemas; a baseline migration begins with "
         "`CREATE SCHEMA IF NOT EXISTS \"public\"`, and multi-schema models need their schema to exist.",
         "Create the schema as postgres (`create schema x; grant usage, create on schema x to prisma;`), or delete "
         "the `CREATE SCHEMA` line from the migration's SQL before applying it.",
         "https://www.prisma.io/docs/orm/prisma-schema/data-model/multi-schema", ("migrations",),
         "ERROR: permission denied for database postgres", 2),
    make("database-missing", "The database does not exist (3D000 / P1003)",
         [r"database \"[^\"]+\" does not exist", sqlstate("3D000"), r"\bP1003\b",
          r"Database `?[^`\s]+`? does not exist on the database server"],
         "The URL names a database that is not there. Every Supabase project has exactly one: `postgres`.",
         "End the URL with `/postgres` (copy it from the Connect dialog), then rerun the connection step.",
         PRISMA_ERR + "#p1003", PRISMA_DB, "Error: P1003: Database `app` does not exist on the database server", 2),
    make("too-many-connections", "Postgres is out of connections (53300)",
         [r"sorry, too many clients already", sqlstate("53300"), r"remaining connection slots are reserved"],
         "The database's max_connections is used up, usually by direct connections that are never closed.",
         "Connect through the pooler (session 5432 or transaction 6543) instead of the direct host, set "
         "`connection_limit`, and close clients with `prisma.$disconnect()`.",
         "https://supabase.com/docs/guides/database/connection-management", PRISMA_DB,
         "FATAL: sorry, too many clients already (SQLSTATE 53300)", 2),
    make("reserved-role", "Supabase reserved role",
         [r"is a reserved role, only superusers can modify it", r"role memberships are reserved"],
         "Supabase protects its own roles (anon, authenticated, authenticator, service_role, supabase_*).",
         "Leave those roles alone; create and grant your own role, as step 1 does with `prisma`.", SUPA_GUIDE, ("role",),
         "ERROR: \"authenticator\" is a reserved role, only superusers can modify it", 3),
    make("stale-role-oid", "Pooler still holds connections of a dropped role",
         [r"invalid role OID"],
         "The `prisma` role was dropped and created again; pooled server connections still belong to the old one.",
         "Wait a few minutes (pooler caches expire) or restart the project's pooler from Database Settings; avoid "
         "dropping the role, use `alter user` to change its password.", SUPA_CONNECT, PRISMA_DB,
         "ERROR: invalid role OID: 16429", 3),
)

CATALOGUE: tuple[Diagnosis, ...] = DATABASE + PRISMA_AND_TOOLS
