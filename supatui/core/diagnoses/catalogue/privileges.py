"""Roles and privileges: owners, role attributes, grants, Supabase's reserved roles, P1010."""

from __future__ import annotations

from supatui.core.diagnoses.catalogue.common import DB, PRISMA_DB, PRISMA_ERR, SUPA_CONNECT, SUPA_GUIDE
from supatui.core.diagnoses.model import Diagnosis, make, sqlstate

PRIVILEGES: tuple[Diagnosis, ...] = (
    make("must-be-owner", "Only the owner may change this object",
         [r"must be owner of (?:table|relation|schema|sequence|function|view|type|database|publication|extension)"],
         "ALTER/DROP (and some CREATE INDEX/ALTER … ADD) need the object's owner; the migrating role is not it "
         "(the table was created by another role, e.g. by hand as postgres or by supabase_admin). Grants do not help.",
         "As the owner or postgres, hand it over: `ALTER TABLE public.\"event\" OWNER TO <migrating role>;` (or "
         "`ALTER SCHEMA public OWNER TO …`), or run this migration as the role that owns it.",
         "https://www.postgresql.org/docs/current/sql-altertable.html", ("migrations", "role"),
         "ERROR: must be owner of table event (SQLSTATE 42501)", 3,
         sources=["https://github.com/supabase/cli/issues/128"]),
    make("bypassrls-denied", "Cannot create a role with BYPASSRLS",
         [r"must be superuser to create bypassrls users",
          r"Only roles with the BYPASSRLS attribute may create roles with the BYPASSRLS attribute"],
         "Step 1 ran as a role that cannot grant BYPASSRLS (not `postgres`, or stock PostgreSQL 15), or on Supabase "
         "PG15 the `prisma` role already exists and this is a rerun.",
         "Run step 1 as `postgres` in the project's SQL editor or through supatui; if `prisma` already exists, just "
         "`alter user \"prisma\" with password …` (supatui checks pg_roles first).", SUPA_GUIDE, ("role",),
         "ERROR: must be superuser to create bypassrls users (SQLSTATE 42501)", 4),
    make("bypassrls-stock-pg15", "PostgreSQL before 16 lets only a superuser create a BYPASSRLS role",
         [r"must be superuser to create bypassrls users"],
         "PostgreSQL 15 and older let only a superuser create a BYPASSRLS role. Supabase's PG15 allows it through "
         "its supautils extension; this server has no supautils.",
         "Run the SQL as a superuser (supatui can print it: the SQL editor script), or use PostgreSQL 16 or newer.",
         "https://www.postgresql.org/docs/16/release-16.html", ("role",),
         "ERROR: must be superuser to create bypassrls users (PostgreSQL 15.8, no supautils)", 5,
         when=lambda ctx: ctx.has(r"supautils|PostgreSQL 1[0-5]\b|\bPG ?1[0-5]\b")),
    make("role-attribute-denied", "The admin role lacks a role attribute",
         [r"permission denied to create role", r"must have CREATEROLE", r"must be superuser to (?!create bypassrls)",
          r"Only roles with the \w+ attribute may", r"permission denied to alter role", r"must have admin option on role"],
         "Creating or altering a role with CREATEDB/BYPASSRLS/REPLICATION needs CREATEROLE and those attributes "
         "yourself; 42501 here is about role attributes, not table grants.",
         "The admin user lacks the rights to create a BYPASSRLS/CREATEDB role (it needs CREATEROLE and those "
         "attributes itself). Run step 1 as postgres on Supabase, or as a superuser elsewhere.", SUPA_GUIDE, ("role",),
         "ERROR: permission denied to create role (SQLSTATE 42501)", 3),
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
    make("supabase-schema-denied", "Supabase's own schemas (auth, storage) are not yours to change",
         [r"permission denied for schema (?:auth|storage|realtime|graphql|supabase_\w+|vault)\b",
          r"must be owner of (?:table|schema) \"?(?:auth|storage)\."],
         "auth and storage belong to Supabase's services (supabase_auth_admin, supabase_storage_admin); your "
         "roles may read some of it but not create or alter objects there.",
         "Keep your tables in public (or your own schema) and reference users by foreign key to auth.users(id) or "
         "through a public.profiles table; remove auth/storage from Prisma's `schemas`.", SUPA_GUIDE,
         ("migrations", "test"), "ERROR: permission denied for schema auth (SQLSTATE 42501)", 3),
    make("extension-not-available", "This PostgreSQL does not have that extension",
         [r"extension \"[^\"]+\" is not available", r"Could not open extension control file",
          r"extension \"[^\"]+\" does not exist"],
         "The migration creates an extension this server does not ship (Supabase has many more: pg_graphql, "
         "pg_net, pg_cron, postgis…; the local sandbox has contrib and pgvector).",
         "On Supabase enable it first (Dashboard → Database → Extensions, or `create extension <name> with schema "
         "extensions;`); against the sandbox leave it out of the migration.",
         "https://supabase.com/docs/guides/database/extensions", ("migrations",),
         "ERROR: extension \"pg_cron\" is not available", 3),
    make("extension-superuser-only", "The extension needs a superuser",
         [r"permission denied to create extension \"[^\"]+\"", r"Must be superuser to create this extension"],
         "The extension is not in Supabase's allowed list (supautils lets postgres create only those), so only a "
         "superuser could create it.",
         "Use an extension Supabase allows (Dashboard → Database → Extensions lists them) or drop it from the "
         "migration.", "https://supabase.com/docs/guides/database/extensions", ("migrations",),
         "ERROR: permission denied to create extension \"plpython3u\"", 4),
    make("permission-denied", "Permission denied on a table (42501)",
         [r"permission denied for (?:table|relation|sequence|schema|function) \S+", sqlstate("42501")],
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
    make("p1010-denied", "The server denied this user access (P1010)",
         [r"\bP1010\b", r"was denied access on the database"],
         "Prisma got `permission denied` while connecting. On Supabase the user/host pair does not fit (pooler host "
         "with a bare user, or a URL mixing the direct host and the pooler); on localhost another PostgreSQL server "
         "answers on that port.",
         "Copy the URL again from the Connect dialog exactly (session pooler: user `<role>.<project-ref>`; direct "
         "host: user `<role>`). On localhost check which server owns the port (`lsof -i :5432`) and stop the "
         "other one or move it to another port. Elsewhere the server refused this user or address: its log names "
         "the rule (pg_hba.conf, CONNECT privilege).", PRISMA_ERR + "#p1010", PRISMA_DB,
         "Error: P1010: User `postgres.xxx` was denied access on the database `postgres.public`", 3,
         tell="Host localhost/127.0.0.1 → a second server on the port; a supabase host → the URL's user/host pair.",
         sources=["https://github.com/prisma/orm/issues/13384"],
         when=lambda ctx: not ctx.has(r"\(not available\)") and (ctx.prisma_major or 0) < 7),
    make("database-missing", "The database does not exist (3D000 / P1003)",
         [r"database \"[^\"]+\" does not exist", sqlstate("3D000"), r"\bP1003\b",
          r"Database `?[^`\s]+`? does not exist on the database server"],
         "The URL names a database that is not there. Every Supabase project has exactly one: `postgres`.",
         "Supabase's database is named 'postgres': end the URL with `/postgres` (copy it from the Connect dialog), "
         "then rerun the connection step.", PRISMA_ERR + "#p1003", PRISMA_DB,
         "Error: P1003: Database `app` does not exist on the database server", 2),
    make("too-many-connections", "Postgres is out of connections (53300)",
         [r"sorry, too many clients already", sqlstate("53300"), r"remaining connection slots are reserved"],
         "The database's max_connections is used up, usually by direct connections that are never closed.",
         "Connect through the pooler (session 5432 or transaction 6543 with connection_limit=1) instead of the direct "
         "host, and close clients with `prisma.$disconnect()`.",
         "https://supabase.com/docs/guides/database/connection-management", PRISMA_DB,
         "FATAL: sorry, too many clients already (SQLSTATE 53300)", 2),
    make("reserved-role", "Supabase reserved role",
         [r"is a reserved role, only superusers can modify it", r"role memberships are reserved"],
         "Supabase protects its own roles (anon, authenticated, authenticator, service_role, supabase_*).",
         "Supabase reserves this role; choose another role name and grant your own role, as step 1 does with "
         "`prisma`.", SUPA_GUIDE, ("role",), "ERROR: \"authenticator\" is a reserved role, only superusers can "
         "modify it", 3),
    make("stale-role-oid", "Pooler still holds connections of a dropped role",
         [r"invalid role OID"],
         "The `prisma` role was dropped and created again; pooled server connections still belong to the old one.",
         "Wait a few minutes (pooler caches expire) or restart the project's pooler from Database Settings; avoid "
         "dropping the role, use `alter user` to change its password.", SUPA_CONNECT, PRISMA_DB,
         "ERROR: invalid role OID: 16429", 3),
    make("schema-public-denied", "The role may not create objects in schema public",
         [r"permission denied for schema \"?public\"?"],
         "Since PostgreSQL 15 only the database owner (and roles granted CREATE) may create tables in `public`; "
         "the migrating role has neither, so the first CREATE TABLE (or Migrate's `_prisma_migrations`) fails.",
         "As postgres or the database owner: `grant usage, create on schema public to <role>;` (supatui's step 1 "
         "grants it to `prisma`: `supatui run --from role`). On a server of your own, making the role the owner "
         "also works: `alter database <db> owner to <role>;`.",
         "https://www.postgresql.org/docs/release/15.0/", ("migrations", "role"),
         "ERROR: permission denied for schema public", 3,
         sources=["https://www.postgresql.org/docs/current/ddl-schemas.html#DDL-SCHEMAS-PRIV"]),
    make("read-only-mode", "The database accepts no writes (read-only)",
         [r"cannot execute \w+(?: \w+)? in a read-only transaction", sqlstate("25006")],
         "The session is read-only: on Supabase the project went read-only because its disk is full (or the URL "
         "points at a read replica); elsewhere `default_transaction_read_only` is on or this is a standby.",
         "On Supabase check Database → Disk usage: free space or enlarge the disk (the project switches back to "
         "read-write once below the limit); make sure the URL is the primary, not a read replica.",
         "https://supabase.com/docs/guides/platform/database-size#disk-management", PRISMA_DB,
         "ERROR: cannot execute CREATE TABLE in a read-only transaction", 3),
)
