"""Migrations against what Supabase adds: its schemas missing from a shadow database, extension types, failed history."""

from __future__ import annotations

from supatui.core.diagnoses.catalogue.common import PRISMA_ERR
from supatui.core.diagnoses.model import Diagnosis, make

SHADOW = "https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/shadow-database"
EXTENSIONS = "https://supabase.com/docs/guides/database/extensions"
_SUPABASE_SCHEMA = r"(?:extensions|auth|storage|graphql|realtime|vault|pgsodium)"

MIGRATIONS: tuple[Diagnosis, ...] = (
    make("shadow-lacks-supabase-schema", "The shadow database lacks a schema Supabase provides",
         [rf"schema \"{_SUPABASE_SCHEMA}\" does not exist", r"function auth\.(?:uid|jwt|role|email)\(\) does not exist",
          r"relation \"auth\.\w+\" does not exist"],
         "`migrate dev` replays every migration in a fresh, empty shadow database. Supabase's own schemas "
         "(`extensions`, `auth`, `storage`) exist in your project but not there, so a migration that uses them "
         "applies on Supabase and fails in the shadow (P3006).",
         "Make the first migration create what it relies on (`CREATE SCHEMA IF NOT EXISTS extensions;`, and for "
         "auth a stub such as `CREATE SCHEMA IF NOT EXISTS auth;` with the functions you call), or set "
         "`shadowDatabaseUrl` to a second Supabase database that has them; `migrate deploy` needs no shadow.",
         SHADOW, ("migrations",), "ERROR: schema \"extensions\" does not exist", 4,
         sources=("https://github.com/prisma/orm/issues/26231", "https://github.com/prisma/orm/issues/22779")),
    make("extension-type-not-found", "An extension's type is not on the search path",
         [r"type \"(?:vector|halfvec|sparsevec|citext|hstore|ltree|geometry|geography|cube|earth)\" does not exist"],
         "The extension is installed in schema `extensions` (Supabase's default), and the session that runs the "
         "migration does not have `extensions` on its search_path, so the bare type name is not found.",
         "Schema-qualify the type in the migration (`embedding extensions.vector(384)`; in schema.prisma "
         "`Unsupported(\"extensions.vector(384)\")`), or enable the extension first "
         "(`create extension if not exists vector with schema extensions;`).", EXTENSIONS, ("migrations",),
         "ERROR: type \"vector\" does not exist (SQLSTATE 42704)", 4,
         sources=("https://github.com/supabase/cli/issues/4013",)),
    make("p3009-failed-migrations", "A failed migration blocks new ones (P3009)",
         [r"\bP3009\b", r"migrate found failed migrations in the target database"],
         "An earlier `migrate deploy` stopped halfway through a migration; Prisma recorded it as failed in "
         "`_prisma_migrations` and applies nothing after it until someone decides what happened.",
         "Find why it failed (`npx prisma migrate status`, the database error of that run), fix or undo its partial "
         "changes, then mark it: `npx prisma migrate resolve --rolled-back <name>` (to run it again) or "
         "`--applied <name>` (if its changes are in place), and run `npx prisma migrate deploy`.",
         PRISMA_ERR + "#p3009", ("migrations",),
         "Error: P3009 migrate found failed migrations in the target database, new migrations will not be applied.",
         3),
    make("p3019-provider-mismatch", "The migrations were made for another database (P3019)",
         [r"\bP3019\b", r"does not match the one specified in the migration_lock\.toml"],
         "prisma/migrations was created against another provider (most often SQLite from a tutorial) and "
         "migration_lock.toml still says so; its SQL will not run on PostgreSQL.",
         "Start the history again for PostgreSQL: delete the `prisma/migrations` folder (with migration_lock.toml), "
         "then `npx prisma migrate dev --name init` (on a database that already has tables, baseline instead).",
         PRISMA_ERR + "#p3019", ("migrations",),
         "Error: P3019 The datasource provider `postgresql` specified in your schema does not match the one specified "
         "in the migration_lock.toml, `sqlite`.", 4),
    make("db-pull-empty", "The database to pull has no tables (P4001)",
         [r"\bP4001\b", r"The introspected database was empty", r"could not create any models in your schema\.prisma"],
         "`prisma db pull` found no tables in the database and schema the URL points at: a new project has none yet, "
         "or the URL names another database or schema than the one holding them.",
         "On a new project there is nothing to pull: write your models and create the tables with `npx prisma migrate "
         "dev` (or create a table first). Otherwise point the URL at the database and schema that hold the tables "
         "(`?schema=…`, or list them in the datasource's `schemas`), then run `npx prisma db pull` again.",
         PRISMA_ERR + "#p4001", ("migrations",), "Error: P4001 The introspected database was empty", 3,
         sources=("https://github.com/prisma/orm/issues/2744",)),
    make("seed-not-configured", "No seed command is configured",
         [r"No seed command configured", r"add a seed property to the migrations section",
          r"you need to add a \"prisma\.seed\" property in your package\.json"],
         "`prisma db seed` runs the command the configuration names, and there is none: Prisma 7 reads it from "
         "prisma.config.ts (`migrations.seed`), no longer from package.json; Prisma 6 reads `prisma.seed` in "
         "package.json.",
         "Prisma 7: add `migrations: { seed: \"tsx prisma/seed.ts\" }` to prisma.config.ts; Prisma 6: `\"prisma\": "
         "{ \"seed\": \"tsx prisma/seed.ts\" }` in package.json. Then run `npx prisma db seed`.",
         "https://www.prisma.io/docs/orm/prisma-migrate/workflows/seeding", ("migrations",),
         "No seed command configured. To seed your database, add a seed property to the migrations section in your "
         "Prisma config file.", 3, sources=("https://github.com/prisma/orm/issues/28733",)),
    make("p3006-shadow-replay", "A migration does not replay on an empty shadow database (P3006)",
         [r"\bP3006\b", r"failed to apply cleanly to the shadow database"],
         "`migrate dev` replays the whole history in a fresh shadow database; one migration fails there: it was "
         "edited after it was applied, or it relies on something made outside migrations (by hand, `db push`, or "
         "Supabase's own schemas).",
         "Read the error under this line (supatui ranks it first when it knows it). If the database was changed "
         "outside migrations, baseline (`prisma migrate diff --from-empty --to-schema prisma/schema.prisma "
         "--script`, `migrate resolve --applied`); if a migration was edited, restore it; for Supabase schemas, "
         "create them in the first migration.", SHADOW, ("migrations",),
         "Error: P3006 Migration `0_init` failed to apply cleanly to the shadow database.", 1),
)
