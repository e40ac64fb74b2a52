"""Migrate through the transaction pooler, prepared statements, advisory locks, shadow databases, resets.

Prisma's maintainers: "Do not use a `pgbouncer=true` connection string with Migrate or Introspection, set the
direct connection string in `directUrl`" (prisma/orm#11831); Migrate's advisory lock needs a session
(prisma.io/docs/orm/prisma-migrate/workflows/development-and-production#advisory-locking).
"""

from __future__ import annotations

from supatui.core.diagnoses.catalogue.common import BASELINE, DB, PRISMA_DB, PRISMA_ERR, SUPA_GUIDE, SUPA_TS
from supatui.core.diagnoses.context import Context
from supatui.core.diagnoses.model import Diagnosis, make, sqlstate

_PREPARED = r"prepared statement \\?\"?\w+\\?\"? (?:already exists|does not exist)"
# Only Migrate meets these: PgBouncer's auth query fails for the shadow database Migrate creates on the fly.
_MIGRATE_ONLY = r"unexpected response from login query|no such database: prisma_migrate_shadow"
_POOLER_SYMPTOM = _PREPARED + "|" + _MIGRATE_ONLY


def _migrate_via_pooler(ctx: Context) -> bool:
    """Migrate ran (or a Migrate-only pooler error shows it did), through the transaction pooler."""
    return ctx.has(_MIGRATE_ONLY) or (ctx.migrating and (ctx.tx_pooler or ctx.has(_POOLER_SYMPTOM)))


def _runtime(ctx: Context) -> bool:
    return not _migrate_via_pooler(ctx)


DIRECT_URL_FIX = ("Run Migrate on a direct connection, never the transaction pooler (6543) and never a "
                  "`pgbouncer=true` URL: set DIRECT_URL to the session pooler or db.<ref> on port 5432, then Prisma 7: "
                  "`datasource: { url: process.env.DIRECT_URL }` in prisma.config.ts; Prisma 6: "
                  "`directUrl = env(\"DIRECT_URL\")` in the datasource. Keep 6543 (+ `pgbouncer=true` on Prisma 6) "
                  "only for the app's DATABASE_URL.")

POOLER: tuple[Diagnosis, ...] = (
    make("migrate-via-pooler", "Prisma Migrate ran through the transaction pooler (6543)",
         [_PREPARED, sqlstate("42P05"), sqlstate("26000"), r"\bP1017\b", r"Server has closed the connection",
          r"\bP1002\b", r"advisory lock", r"unexpected response from login query",
          r"no such database: prisma_migrate_shadow", r"SASL authentication failed"],
         "Migrate needs one session for its whole run (prepared statements, an advisory lock, a shadow database); "
         "the transaction pooler hands each transaction a different server connection, so it fails as 42P05, "
         "26000, P1017, P1002, a failed SASL login or hangs. `pgbouncer=true` does not make Migrate work.",
         DIRECT_URL_FIX, SUPA_GUIDE, ("migrations",),
         "Datasource \"db\": … at \"aws-0-eu-west-1.pooler.supabase.com:6543\" / Error: Schema engine error: "
         "ERROR: prepared statement \"s0\" already exists", 4, when=_migrate_via_pooler,
         tell="The `Datasource \"db\": … at \"host:port\"` line above the error shows the URL Migrate used: 6543 "
              "is the transaction pooler.",
         sources=["https://github.com/prisma/orm/issues/11831",
                  "https://www.prisma.io/docs/orm/prisma-client/setup-and-configuration/databases-connections/pgbouncer"]),
    make("prepared-exists", "Prepared statement already exists (transaction pooler)",
         [r"prepared statement \\?\"?\w+\\?\"? already exists", sqlstate("42P05")],
         "Transaction mode (port 6543) shares server connections between clients, so Prisma's named prepared "
         "statements collide.",
         "Prisma 6 and older: add `?pgbouncer=true` to the 6543 DATABASE_URL (it turns prepared statements off). "
         "Prisma 7 (adapter-pg) sends unnamed statements. Migrations go through DIRECT_URL on port 5432.",
         SUPA_TS, ("test", "client"), "ERROR: prepared statement \"s0\" already exists (SQLSTATE 42P05)", 3,
         when=_runtime),
    make("prepared-missing", "Prepared statement does not exist (transaction pooler)",
         [r"prepared statement \\?\"?\w+\\?\"? does not exist", sqlstate("26000")],
         "A statement prepared on one server connection was executed on another: transaction mode moves clients "
         "between connections.",
         "Prisma 6 and older: add `?pgbouncer=true` to the 6543 URL; other drivers: turn off prepared statements "
         "(psycopg `prepare_threshold=None`, postgres.js `prepare: false`) or use the session port 5432.",
         SUPA_TS, ("test", "client"), "ERROR: prepared statement \"s0\" does not exist (SQLSTATE 26000)", 3,
         when=_runtime),
    make("p1002-advisory-lock", "Migration timed out on the advisory lock (P1002)",
         [r"\bP1002\b", r"Timed out trying to acquire a postgres advisory lock"],
         "Another session holds Prisma's migration lock (pg_advisory_lock(72707369)): a migrate still running, or "
         "one that was killed and whose connection stayed open.",
         "Wait for the other migrate, or stop it: as postgres run `select pg_terminate_backend(pid) from pg_locks "
         "where locktype = 'advisory' and objid = 72707369;`, then rerun. On the transaction pooler (6543) use port "
         "5432 instead.", "https://pris.ly/d/migrate-advisory-locking", ("migrations",),
         "Error: P1002: Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock(72707369))", 3,
         when=_runtime, sources=["https://github.com/prisma/orm/issues/12999"]),
    make("p1017-closed", "The server closed the connection (P1017)",
         [r"\bP1017\b", r"Server has closed the connection"],
         "The database or pooler dropped the connection: very large results, a restart, or a strained database.",
         "Fetch fewer rows (`take`, pagination), retry, and check the dashboard's Observability page for load; for "
         "Migrate use port 5432, not 6543.", SUPA_TS, PRISMA_DB, "Error: P1017: Server has closed the connection.",
         2, when=_runtime),
    make("shadow-statement-timeout", "Statement timeout while Migrate prepared the shadow database",
         [r"canceling statement due to statement timeout"],
         "`migrate dev` creates and drops a temporary shadow database; on Supabase that step can exceed the "
         "statement timeout of the connection's role.",
         "Give Migrate its own shadow database: create one as postgres (`create database prisma_shadow;`) and set "
         "`shadowDatabaseUrl` to it (Prisma 6 datasource; Prisma 7 `datasource.shadowDatabaseUrl` in "
         "prisma.config.ts), then rerun `migrate dev`.",
         "https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/shadow-database", ("migrations",),
         "Error: db error: ERROR: canceling statement due to statement timeout", 3,
         when=lambda ctx: ctx.migrating or ctx.has(r"\bdb error:"),
         sources=["https://github.com/prisma/orm/issues/16853"]),
    make("connection-lost", "The connection dropped in the middle",
         [r"server closed the connection unexpectedly", r"terminating connection due to administrator command",
          r"SSL SYSCALL error: EOF detected", r"connection to server was lost", r"Connection terminated unexpectedly",
          r"\bECONNRESET\b", r"Error \{ kind: Closed, cause: None \}",
          r"Connection reset by peer"],
         "The server or the network ended the session while a statement ran (a restart, a pooler recycle, idle "
         "timeouts on the way).",
         "The connection dropped; run the step again (it is safe to repeat). If it keeps happening, check the "
         "project's health in the dashboard and prefer the pooler for long-lived clients.", SUPA_TS, DB,
         "server closed the connection unexpectedly", 2,
         when=lambda ctx: not ctx.has(r"registry\.|binaries\.prisma|@prisma[/+]engines|npm (?:ERR!|error)")),
    make("statement-timeout", "A query ran longer than the statement timeout",
         [r"canceling statement due to statement timeout", sqlstate("57014")],
         "The role's statement_timeout (Supabase: 8 s for authenticated, 2 min for postgres) cut the query off.",
         "Speed the query up (index, smaller batches), or raise it for the role: `alter role prisma set "
         "statement_timeout = '60s';`.", "https://supabase.com/docs/guides/database/postgres/timeouts", ("test",),
         "ERROR: canceling statement due to statement timeout", 2),
    make("migrate-reset-grants", "`migrate reset` dropped Supabase's grants",
         [r"Database error (?:checking email|saving new user|finding user)",
          r"no longer possible to create new users", r"migrate reset[\s\S]{0,300}(?:create|sign ?up)[\s\S]{0,40}users?"],
         "`prisma migrate reset` (or answering yes to a reset) drops and recreates the public schema without the "
         "grants Supabase's roles (anon, authenticated, service_role, supabase_auth_admin) rely on.",
         "Restore the grants as postgres: `grant usage on schema public to postgres, anon, authenticated, "
         "service_role; grant all on all tables in schema public to postgres, anon, authenticated, service_role;` "
         "(same for sequences and functions, plus `alter default privileges …`). Never reset a Supabase database: "
         "baseline instead.", SUPA_GUIDE, ("migrations", "test"),
         "Failed to create user: Database error checking email", 4,
         sources=["https://github.com/supabase/supabase/issues/13579", "https://github.com/prisma/orm/issues/16588"]),
    make("drop-auth-users", "Migrate tried to drop Supabase's auth tables",
         [r"cannot drop (?:table|schema) \"?(?:auth|storage)\b"],
         "The datasource lists the auth (or storage) schema, so Migrate treats Supabase's own tables as drift and "
         "tries to drop them.",
         "Keep Prisma out of the auth schema: remove \"auth\" from `schemas = [...]` (or declare `auth.users` in "
         "`tables.external` in prisma.config.ts), and reference users through your own public table (a profiles "
         "table filled by a trigger on auth.users).", SUPA_GUIDE, ("migrations",),
         "ERROR: cannot drop table auth.users because other objects depend on it", 4,
         sources=["https://github.com/prisma/orm/issues/17734"]),
    make("p3018-migration-failed", "A migration failed to apply (P3018)",
         [r"\bP3018\b", r"A migration failed to apply"],
         "The SQL of one migration failed in the database; the real database error is printed below this line.",
         "Read the `Database error:` lines below it (supatui ranks that error first when it knows it), fix that "
         "migration's SQL, run `npx prisma migrate resolve --rolled-back <name>`, then `npx prisma migrate deploy`.",
         PRISMA_ERR + "#p3018", ("migrations",),
         "Error: P3018: A migration failed to apply. New migrations cannot be applied before the error is recovered "
         "from.", 1),
    make("p3005-not-empty", "The database schema is not empty (P3005)",
         [r"\bP3005\b", r"The database schema is not empty"],
         "`migrate deploy` found existing tables that no migration created: the database needs a baseline.",
         "Baseline it: `npx prisma db pull`, write `0_init/migration.sql` with `prisma migrate diff --from-empty "
         "--to-schema prisma/schema.prisma --script`, then `npx prisma migrate resolve --applied 0_init`.", BASELINE,
         ("migrations",), "Error: P3005: The database schema is not empty.", 3),
    make("p3008-already-applied", "Migration already recorded as applied (P3008)",
         [r"\bP3008\b", r"already recorded as applied"],
         "`migrate resolve --applied` ran twice for the same migration.",
         "Nothing to do: the baseline is in place. `npx prisma migrate status` should say the schema is up to date.",
         BASELINE, ("migrations",), "Error: P3008: The migration `0_init` is already recorded as applied.", 3),
    make("p3014-shadow-db", "Could not create the shadow database (P3014)",
         [r"\bP3014\b", r"could not create the shadow database", r"permission denied to create database"],
         "`migrate dev` creates a temporary shadow database; the `prisma` role lacks CREATEDB.",
         "As postgres: `alter user \"prisma\" createdb;` (step 1 grants it), or set `shadowDatabaseUrl` to a "
         "database you created; then rerun `npx prisma migrate dev`.",
         "https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/shadow-database",
         ("migrations",), "Error: P3014: Prisma Migrate could not create the shadow database.", 3),
    make("drift-detected", "Drift: the database differs from the migration history",
         [r"Drift detected: Your database schema is not in sync"],
         "The database has tables or changes no migration made (an existing project, or Supabase-managed schemas).",
         "Do not reset: baseline instead (`prisma db pull`, `migrate diff --from-empty`, `migrate resolve --applied "
         "0_init`), and keep Prisma out of the auth and storage schemas.", BASELINE, ("migrations",),
         "Drift detected: Your database schema is not in sync with your migration history.", 3),
    make("migrate-reset-prompt", "Prisma wants to reset the schema (exit 130)",
         [r"We need to reset the \"?\w+\"? schema", r"All data will be lost"],
         "`migrate dev` found drift and asked to drop everything; without a terminal to answer it stops with exit "
         "130. Nothing was dropped.",
         "Never answer yes on a Supabase database (it drops Supabase's grants). Baseline instead (see 'Drift'), "
         "then run `migrate dev` again.", BASELINE, ("migrations",),
         "We need to reset the \"public\" schema at \"aws-1-eu-west-1.pooler.supabase.com:5432\"", 3),
    make("migrate-dev-non-interactive", "`migrate dev` ran without a terminal (CI, Docker build)",
         [r"environment is non-interactive", r"is an interactive command designed to create new migrations"],
         "`prisma migrate dev` creates migrations and may ask questions, so it refuses to run without a terminal.",
         "Apply the existing migrations with `npx prisma migrate deploy` in CI, Docker and deploys; create new ones "
         "with `migrate dev` in a terminal on your machine.",
         "https://www.prisma.io/docs/orm/reference/prisma-cli-reference#migrate-deploy", ("migrations",),
         "Error: Prisma Migrate has detected that the environment is non-interactive, which is not supported.", 3,
         when=lambda ctx: not ctx.has(r"We need to reset")),
    make("cross-schema", "Cross-schema reference to a schema Prisma does not manage",
         [r"Cross schema references are only allowed when the target schema is listed"],
         "A model references a table in another schema (often auth.users) that is not in the datasource's schemas.",
         "Do not reference auth/storage: keep a `public.profiles` table filled by a trigger on auth.users, or list "
         "the schema in `schemas = [\"public\", \"other\"]`.", SUPA_TS, ("migrations",),
         "Cross schema references are only allowed when the target schema is listed in the schemas property", 3),
    make("shadow-db-busy", "Migrate could not drop its shadow database: a pooled session still uses it",
         [r"database \"?prisma_migrate_shadow_db_[\w-]+\"? is being accessed by other users",
          r"permission denied to terminate process",
          r"must be a member of the role whose process is being terminated"],
         "`migrate dev` creates a temporary shadow database and drops it at the end. Through a pooler (even session "
         "mode, port 5432) a pooled server connection to it stays open, so the DROP fails; Prisma then tries to end "
         "that session, which a role without pg_signal_backend (like the guide's `prisma`) may not do.",
         "Run `migrate dev` without a pooler in between: DIRECT_URL on the direct host db.<ref>.supabase.co:5432 "
         "(needs IPv6 or the IPv4 add-on), or give Migrate a shadow database of its own (as postgres `create "
         "database prisma_shadow;`, then `shadowDatabaseUrl` to it; Prisma 7: `datasource.shadowDatabaseUrl` in "
         "prisma.config.ts). Or let the role end those sessions: as postgres `grant pg_signal_backend to prisma;`. "
         "`migrate deploy` needs no shadow database.",
         "https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/shadow-database", ("migrations",),
         "ERROR: database \"prisma_migrate_shadow_db_29f15d62\" is being accessed by other users", 4,
         when=lambda ctx: ctx.migrating or ctx.has(r"prisma_migrate_shadow|schema_core|DevDiagnostic"),
         sources=["https://github.com/prisma/orm/issues/22779", "https://github.com/supabase/supabase/issues/36926"]),
)
