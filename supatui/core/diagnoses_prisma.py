"""Known problems, second half: Prisma P-codes, networks, URLs and passwords, npm/pnpm/node.

Split from ``diagnoses_catalogue`` only to keep files short; ``CATALOGUE`` joins both.
"""

from __future__ import annotations

from supatui.core.diagnoses import Diagnosis, make

PRISMA_ERR = "https://www.prisma.io/docs/orm/reference/error-reference"
SUPA_TS = "https://supabase.com/docs/guides/database/prisma/prisma-troubleshooting"
SUPA_GUIDE = "https://supabase.com/docs/guides/database/prisma"
BASELINE = "https://www.prisma.io/docs/orm/prisma-migrate/workflows/baselining"
PRISMA7 = "https://www.prisma.io/docs/orm/more/upgrade-guides/upgrading-versions/upgrading-to-prisma-7"
URL_CHARS = "https://www.prisma.io/docs/orm/reference/connection-urls#special-characters"
LIBPQ_URI = "https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS"
PRISMA_DB = ("connection", "migrations", "test")
NPM = ("project", "client")
URL_FIX = ("Percent-encode the password in the URL (`supatui url explain URL` names the characters) or use a "
           "letters-and-digits password; supatui's .env step writes it encoded.")

PRISMA_AND_TOOLS: tuple[Diagnosis, ...] = (
    # --- networks ------------------------------------------------------------------------------------------------
    make("ipv6-direct-host", "The direct host is IPv6-only",
         [r"Network is unreachable", r"\bENETUNREACH\b", r"getaddrinfo \w+ db\.[a-z]{20}\.supabase\.co",
          r"Can't reach database server at `?db\.[a-z]{20}\.supabase\.co",
          r"could not translate host name \"db\.[a-z]{20}\.supabase\.co\"", r"\bP1001\b.*db\.[a-z]{20}\.supabase\.co",
          r"db\.[a-z]{20}\.supabase\.co.*(timed out|timeout expired|ETIMEDOUT)"],
         "db.<ref>.supabase.co has only an IPv6 address; this network (many home ISPs, Vercel, GitHub Actions, "
         "Docker) has no IPv6 route.",
         "Use the Supavisor session pooler instead: host from the Connect dialog, port 5432, user "
         "`prisma.<project-ref>` (`supatui url explain` checks it); or buy the IPv4 add-on.",
         "https://github.com/orgs/supabase/discussions/27034", PRISMA_DB,
         "connect ENETUNREACH 2a05:d014:1c06:5f01::1:5432 - Local (:::0)", 3),
    make("p1001-unreachable", "Can't reach the database server (P1001)",
         [r"\bP1001\b", r"Can't reach database server at", r"\bECONNREFUSED\b.*:(5432|6543)\b",
          r"connection to server at .* failed: (Connection refused|timeout expired)"],
         "Nothing answered at that host and port: a mistyped or composed host, the wrong port, a paused project, "
         "a firewall, or a database under heavy load.",
         "Copy the connection string again from the Connect dialog, check the project is not paused, and add "
         "`connect_timeout=30` for slow networks; from IPv4-only networks use the session pooler.",
         SUPA_TS, PRISMA_DB, "Error: P1001: Can't reach database server at `aws-1-eu-west-1.pooler.supabase.com:5432`", 1),
    make("env-not-loaded", "DATABASE_URL was not loaded from .env",
         [r"Can't reach database server at `?(base|undefined)\b", r"PrismaConfigEnvError",
          r"Cannot resolve environment variable: \w+", r"datasource\.url property is required in your Prisma config"],
         "Prisma 7 does not read .env by itself: without `import \"dotenv/config\"` the variable is undefined.",
         "Put `import \"dotenv/config\";` as the first line of prisma.config.ts and index.ts, and check .env has "
         "DATABASE_URL (`supatui` writes both).", PRISMA7, ("migrations", "client", "test"),
         "PrismaConfigEnvError: Cannot resolve environment variable: DATABASE_URL", 3),
    # --- Prisma P-codes -----------------------------------------------------------------------------------------
    make("p1002-advisory-lock", "Migration timed out on the advisory lock (P1002)",
         [r"\bP1002\b", r"Timed out trying to acquire a postgres advisory lock"],
         "`prisma migrate` takes a session-level advisory lock, which transaction mode (port 6543) cannot hold.",
         "Run migrations over the session port 5432 (or the direct host): DIRECT_URL in prisma.config.ts for "
         "Prisma 7, `directUrl = env(\"DIRECT_URL\")` for Prisma 6.", SUPA_TS, ("migrations",),
         "Error: P1002: Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock(72707369))", 3),
    make("p1011-tls", "TLS connection failed (P1011)",
         [r"\bP1011\b", r"Error opening a TLS connection"],
         "With Prisma 7's pg driver `sslmode=require` (or prefer/verify-ca) means verify-full, and Supabase's "
         "certificate chains to Supabase's own CA, which Node does not trust.",
         "Remove `sslmode` from DATABASE_URL, or use `sslmode=require&uselibpqcompat=true`, or pass the CA: "
         "`new PrismaPg({ connectionString, ssl: { ca } })`.", PRISMA_ERR + "#p1011", ("migrations", "test"),
         "Error: P1011: Error opening a TLS connection: self-signed certificate", 3),
    make("p1012-url-unsupported", "Prisma 7 rejects `url` in schema.prisma (P1012)",
         [r"datasource property `?url`? is no longer supported", r"\bP1012\b.*no longer supported"],
         "The schema follows the Prisma 6 guide; Prisma 7 moved connection URLs to prisma.config.ts.",
         "Delete `url`/`directUrl` from the datasource block and set `datasource: { url: process.env[\"DATABASE_URL\"] }` "
         "in prisma.config.ts, or pin Prisma 6 (`npm install prisma@6 @prisma/client@6`).", PRISMA7,
         ("migrations", "client"), "error: The datasource property `url` is no longer supported in schema files.", 3),
    make("p1013-invalid-url", "Invalid database URL (P1013)",
         [r"\bP1013\b", r"The provided database string is invalid"],
         "Prisma could not parse DATABASE_URL, usually because the password has `@ : / # ? %` or spaces unencoded.",
         URL_FIX, URL_CHARS, PRISMA_DB, "Error: P1013: The provided database string is invalid.", 3),
    make("p1017-closed", "The server closed the connection (P1017)",
         [r"\bP1017\b", r"Server has closed the connection"],
         "The database or pooler dropped the connection: very large results, a restart, or a strained database.",
         "Fetch fewer rows (`take`, pagination), retry, and check the dashboard's Observability page for load.",
         SUPA_TS, PRISMA_DB, "Error: P1017: Server has closed the connection.", 2),
    make("p2021-table-missing", "The table does not exist (P2021)",
         [r"\bP2021\b", r"The table `?[\w.\"]+`? does not exist in the current database"],
         "The client queries a table that the database behind DATABASE_URL does not have: migrations did not run "
         "there, or ran against another database.",
         "Run `npx prisma migrate dev` (step 4) with the same .env, then `npx prisma generate`.", PRISMA_ERR + "#p2021",
         ("test",), "The table `public.User` does not exist in the current database. (P2021)", 3),
    make("p2024-pool-timeout", "Timed out waiting for a pooled connection (P2024)",
         [r"\bP2024\b", r"Timed out fetching a new connection from the connection pool"],
         "All of Prisma's connections were busy: a `connection_limit` too low for the load, slow queries, or an "
         "overwhelmed server.",
         "Add `pool_timeout=30` (or raise `connection_limit`) in DATABASE_URL, and speed up slow queries.", SUPA_TS,
         ("test",), "Error: P2024: Timed out fetching a new connection from the connection pool.", 3),
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
         "As postgres: `alter user \"prisma\" createdb;` (step 1 grants it), then rerun `npx prisma migrate dev`.",
         "https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/shadow-database",
         ("migrations",), "Error: P3014: Prisma Migrate could not create the shadow database.", 3),
    make("p3018-migration-failed", "A migration failed to apply (P3018)",
         [r"\bP3018\b", r"A migration failed to apply"],
         "The SQL of one migration failed in the database; the database error is printed below this line.",
         "Fix that migration's SQL (the error names the statement), mark it with `npx prisma migrate resolve "
         "--rolled-back <name>`, then run `npx prisma migrate dev` again.", PRISMA_ERR + "#p3018", ("migrations",),
         "Error: P3018: A migration failed to apply. New migrations cannot be applied before the error is recovered from.",
         3),
    make("drift-detected", "Drift: the database differs from the migration history",
         [r"Drift detected: Your database schema is not in sync"],
         "The database has tables or changes no migration made (an existing project, or Supabase-managed schemas).",
         "Do not reset: baseline instead (`prisma db pull`, `migrate diff --from-empty`, `migrate resolve --applied "
         "0_init`), and keep Prisma out of the auth and storage schemas.", BASELINE, ("migrations",),
         "Drift detected: Your database schema is not in sync with your migration history.", 3),
    make("migrate-reset-prompt", "Prisma wants to reset the schema (exit 130)",
         [r"We need to reset the \"?\w+\"? schema", r"environment is non-interactive",
          r"All data will be lost"],
         "`migrate dev` found drift and asked to drop everything; without a terminal to answer it stops with exit "
         "130. Nothing was dropped.",
         "Never answer yes on a Supabase database. Baseline instead (see 'Drift'), then run `migrate dev` again.",
         BASELINE, ("migrations",), "We need to reset the \"public\" schema at \"aws-1-eu-west-1.pooler.supabase.com:5432\"",
         3),
    make("cross-schema", "Cross-schema reference to a schema Prisma does not manage",
         [r"Cross schema references are only allowed when the target schema is listed"],
         "A model references a table in another schema (often auth.users) that is not in the datasource's schemas.",
         "Do not reference auth/storage: keep a `public.profiles` table filled by a trigger on auth.users, or list "
         "the schema in `schemas = [\"public\", \"other\"]`.", SUPA_TS, ("migrations",),
         "Cross schema references are only allowed when the target schema is listed in the schemas property", 3),
    make("schema-path", "prisma.config.ts points at a schema that is not there",
         [r"Could not load schema from .* provided by the Prisma config file"],
         "The guide's config says `schema: \"prisma/schema\"` (a folder) but `prisma init` wrote one file.",
         "Set `schema: \"prisma/schema.prisma\"` in prisma.config.ts.", SUPA_GUIDE, ("migrations", "client"),
         "Error: Could not load schema from `prisma/schema` provided by the Prisma config file", 3),
    make("engine-download", "Prisma could not download its engine",
         [r"binaries\.prisma\.sh", r"schema-engine\.gz", r"libquery_engine", r"PRISMA_ENGINES_MIRROR"],
         "Every Prisma CLI command first downloads a native engine from binaries.prisma.sh; this machine could not "
         "reach it (offline, DNS, corporate proxy).",
         "Connect to the internet (or set HTTPS_PROXY), or point PRISMA_ENGINES_MIRROR at a mirror, then rerun the "
         "step; `supatui doctor` checks the host.",
         "https://www.prisma.io/docs/orm/reference/environment-variables-reference", ("project", "migrations", "client"),
         "Error: request to https://binaries.prisma.sh/all_commits/…/schema-engine.gz.sha256 failed, reason: "
         "getaddrinfo ENOTFOUND binaries.prisma.sh", 4),
    make("query-engine-missing", "Prisma 6 client has no query engine",
         [r"could not locate the Query Engine"],
         "Prisma 6 needs a native query engine that was not downloaded when the client was generated.",
         "Run `npx prisma generate` with internet access, or move to Prisma 7 (no native engine at run time).",
         PRISMA_ERR, ("client", "test"),
         "PrismaClientInitializationError: Prisma Client could not locate the Query Engine", 3),
    make("prisma-folder-exists", "`prisma init` ran before",
         [r"A folder called prisma already exists"],
         "The project already has a prisma/ folder, so `prisma init` refuses to overwrite it.",
         "Nothing to fix: keep the folder and go on with the next step.", SUPA_GUIDE, ("project",),
         "ERROR  A folder called prisma already exists in your project.", 3),
    # --- URLs and passwords --------------------------------------------------------------------------------------
    make("node-invalid-url", "node-postgres: Invalid URL",
         [r"TypeError.*Invalid URL", r"ERR_INVALID_URL"],
         "Node's URL parser rejected DATABASE_URL: `/ # ?` in the password are read as path, fragment or query.",
         URL_FIX, URL_CHARS, ("test",), "TypeError [ERR_INVALID_URL]: Invalid URL", 3),
    make("libpq-bad-percent", "libpq: invalid percent-encoded token / spaces in the URL",
         [r"invalid percent-encoded token", r"unexpected spaces found in"],
         "libpq (psql, psycopg) found `%` not followed by two hex digits, or a space, in the URL's password.",
         URL_FIX, LIBPQ_URI, PRISMA_DB, "invalid percent-encoded token: \"p%ss\"", 3),
    make("libpq-bad-host", "libpq: cannot resolve the host",
         [r"failed to resolve host", r"could not translate host name \"[^\"]+\" to address"],
         "The host name does not resolve: a typo, a composed host, no network, or an unencoded `@` in the password "
         "(libpq then reads the rest of the password as the host).",
         "If the host shown contains part of your password, percent-encode `@` as %40; otherwise copy the host "
         "from the Connect dialog and check your network.", LIBPQ_URI, PRISMA_DB,
         "failed to resolve host 'ss@127.0.0.1': Name or service not known", 2),
    make("libpq-prisma-param", "libpq rejects a Prisma-only parameter",
         [r"invalid URI query parameter: \"(pgbouncer|connection_limit|pool_timeout|schema|socket_timeout)\""],
         "`pgbouncer=true`, `connection_limit` and friends are Prisma's own options; psql and psycopg reject them.",
         "Strip them when using psql/psycopg (supatui does), e.g. `psql \"${DATABASE_URL%%\\?*}\"`; keep them "
         "in DATABASE_URL for Prisma.", LIBPQ_URI, ("connection",),
         "invalid URI query parameter: \"pgbouncer\"", 4),
    make("self-signed-cert", "Self-signed certificate in the chain",
         [r"self[- ]signed certificate in certificate chain", r"SELF_SIGNED_CERT_IN_CHAIN"],
         "TLS verification failed: for the database, Supabase's CA is not in Node's store; for npm, a corporate "
         "proxy re-signs HTTPS.",
         "Database: give PrismaPg the Supabase CA (`ssl: { ca }`) or drop `sslmode=require`. npm: "
         "`npm config set cafile <proxy-ca.pem>` or set NODE_EXTRA_CA_CERTS.",
         "https://supabase.com/docs/guides/platform/ssl-enforcement", ("project", "client", "test"),
         "Error: self-signed certificate in certificate chain", 3),
    make("dotenv-dollar", "`$` in the password was expanded from .env",
         [r"postgres(?:ql)?://[^:\s/@]+:[^@\s]*\$[^@\s]*@"],
         "Prisma's dotenv-expand replaces `$NAME` in .env values, so a password with `$` arrives changed and "
         "authentication fails.",
         "Write `$` percent-encoded as %24 in DATABASE_URL (supatui encodes the whole password), then retry.",
         "https://www.prisma.io/docs/orm/more/development-environment/environment-variables", ("connection", "test"),
         "DATABASE_URL=\"postgresql://prisma.abcdefghijklmnopqrst:pa$word@host:5432/postgres\"", 2),
    # --- npm, pnpm, node, TypeScript ----------------------------------------------------------------------------
    make("npm-offline", "npm cannot reach its registry",
         [r"(ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED)\s+registry\.", r"request to https?://registry\S* failed",
          r"npm (?:ERR!|error) code (?:ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET)"],
         "npm could not download packages: no network, DNS trouble, or a proxy it does not know about.",
         "Check the network (`supatui doctor`), set `npm config set proxy/https-proxy` behind a proxy, then rerun "
         "the step; a warm cache also works with `--prefer-offline`.",
         "https://docs.npmjs.com/cli/v11/using-npm/config#proxy", NPM,
         "npm error code ENOTFOUND / request to https://registry.npmjs.org/prisma failed, reason: getaddrinfo ENOTFOUND "
         "registry.npmjs.org", 3),
    make("npm-eacces", "npm: permission denied (EACCES)",
         [r"npm (?:ERR!|error) code EACCES", r"EACCES: permission denied"],
         "npm cannot write its cache or the project folder, often because an earlier `sudo npm` left root-owned files.",
         "Do not use sudo: `sudo chown -R \"$(id -u)\":\"$(id -g)\" ~/.npm` and the project folder, then rerun.",
         "https://docs.npmjs.com/resolving-eacces-permissions-errors-when-installing-packages-globally", NPM,
         "npm error code EACCES / EACCES: permission denied, mkdir '/root/.npm/_cacache'", 3),
    make("npx-tsc-missing", "`npx tsc` found the wrong package",
         [r"npx canceled due to missing packages", r"This is not the tsc command you are looking for"],
         "The guide's installs omit `typescript`, so `npx tsc --init` resolves the unrelated npm package `tsc`.",
         "Run `npm install -D typescript` then `npx tsc --init`, or skip it: tsx runs index.ts without a tsconfig.",
         "https://www.typescriptlang.org/download", ("project",),
         "npm error npx canceled due to missing packages and no YES option: [\"tsc@2.0.4\"]", 3),
    make("npm-eresolve", "npm cannot resolve the dependency tree (ERESOLVE)",
         [r"\bERESOLVE\b", r"unable to resolve dependency tree", r"Could not resolve dependency"],
         "Two packages want incompatible versions, typically prisma and @prisma/client of different majors.",
         "Install matching majors, e.g. `npm install -D prisma@7` and `npm install @prisma/client@7 @prisma/adapter-pg@7`; "
         "use `--legacy-peer-deps` only as a last resort.", "https://docs.npmjs.com/cli/v11/commands/npm-install", NPM,
         "npm error code ERESOLVE / npm error ERESOLVE unable to resolve dependency tree", 3),
    make("pnpm-ignored-builds", "pnpm ignored build scripts (exit 1)",
         [r"Ignored build scripts"],
         "pnpm installed everything but refuses to run packages' install scripts until you approve them.",
         "Run `pnpm approve-builds` (or just continue: Prisma fetches its engine when first used), or use npm.",
         "https://pnpm.io/cli/approve-builds", NPM,
         "Ignored build scripts: @prisma/engines@7.10.1, esbuild@0.28.2, prisma@7.10.1", 4),
    make("node-too-old", "Node.js is too old for Prisma 7",
         [r"Prisma only supports Node\.js", r"EBADENGINE.*(prisma|@prisma)", r"required: \{ node: '\^?20\.19"],
         "Prisma 7 needs Node 20.19+, 22.12+ or 24+.",
         "Install Node 22 LTS (`nvm install 22` or nodejs.org), open a new terminal, and run `supatui doctor`.",
         "https://www.prisma.io/docs/orm/reference/system-requirements", ("project", "migrations", "client"),
         "npm warn EBADENGINE Unsupported engine { package: 'prisma@7.10.1', required: { node: '^20.19 || ^22.12' } }", 3),
    make("ts-node-ts7", "ts-node does not work with TypeScript 7",
         [r"Cannot read properties of undefined \(reading 'fileExists'\)"],
         "TypeScript 7 has no JavaScript API, which ts-node relies on.",
         "Run the script with tsx instead: `npx tsx index.ts` (the guide's runner).", "https://tsx.is", ("test",),
         "TypeError: Cannot read properties of undefined (reading 'fileExists')", 4),
)
