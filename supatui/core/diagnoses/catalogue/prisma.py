"""Prisma itself: configuration and environment, the generated client, engines and their downloads, TLS."""

from __future__ import annotations

from supatui.core.diagnoses.catalogue.common import NPM, PRISMA7, PRISMA_ERR, SUPA_GUIDE, SUPA_TS
from supatui.core.diagnoses.context import Context
from supatui.core.diagnoses.model import Diagnosis, make, sqlstate

_DOWNLOAD = (r"binaries\.prisma\.sh|binaries\.prismacdn\.com|Downloading Prisma engines|@prisma[/+]engines|"
             r"scripts/postinstall\.js|registry\.(?:npmjs|yarnpkg)|npm (?:ERR!|error)|\bnpm install\b|request to https")


def _downloading(ctx: Context) -> bool:
    return ctx.has(_DOWNLOAD)


def _generating(ctx: Context) -> bool:
    """`prisma generate` (or a Docker build) ran: it needs no database, so an unset URL is expected there."""
    return ctx.has(r"\bprisma(?:\s+\S+)?\s+generate\b|\bRUN\s|docker build") or "generate" in ctx.command


PRISMA: tuple[Diagnosis, ...] = (
    make("env-var-missing", "An environment variable the schema names is not set",
         [r"Environment variable not found: \w+", r"You must provide a nonempty (?:direct )?URL",
          r"resolved to an empty string", r"Connection url is empty"],
         "schema.prisma reads DATABASE_URL (and DIRECT_URL when `directUrl` is set) from the environment and it is "
         "not there: no .env, the value sits in .env.local, the CI/host has no such variable, or a prisma.config.ts "
         "turned off Prisma's own .env loading.",
         "Put the variable in `.env` in the project folder (the Prisma CLI reads `.env`, not `.env.local`) or set it "
         "in the environment (CI, Docker, Vercel); with a prisma.config.ts add `import \"dotenv/config\";` at its "
         "top. When the schema names both, set DATABASE_URL and DIRECT_URL.", PRISMA_ERR + "#p1012",
         ("migrations", "client"), "error: Environment variable not found: DATABASE_URL.", 3,
         tell="`Prisma config detected, skipping environment variable loading.` above it means the config file is why."),
    make("p1012-url-unsupported", "Prisma 7 rejects `url` in schema.prisma (P1012)",
         [r"datasource property `?url`? is no longer supported", r"datasource property `?directUrl`? is no longer",
          r"\bP1012\b.*no longer supported"],
         "The schema follows the Prisma 6 guide; Prisma 7 (often pulled in by an unpinned `npx prisma`) moved "
         "connection URLs to prisma.config.ts.",
         "Either move the URLs: delete `url`/`directUrl` from the datasource block and set `datasource: { url: "
         "process.env.DIRECT_URL }` in prisma.config.ts (client: `new PrismaClient({ adapter })`); or stay on 6: "
         "pin it (`npm install -D prisma@6 @prisma/client@6`, `npx prisma@6 …`).", PRISMA7, ("migrations", "client"),
         "error: The datasource property `url` is no longer supported in schema files.", 3),
    make("client-not-generated", "Prisma Client was not generated",
         [r"@prisma/client did not initialize yet", r"Cannot find module '\.prisma/client",
          r"has no exported member '?PrismaClient", r"requested module '@prisma/client' does not provide an export named",
          r"Cannot find (?:module|package) '(?:\.{1,2}/|@/|~/)+(?:[\w.-]+/)*generated(?:/[\w.-]+)*'"],
         "`@prisma/client` is installed but its generated code is missing: `prisma generate` has not run since the "
         "install (or ran in another folder/image).",
         "Run `npx prisma generate` (after every install and schema change; in deploys add it to the build or "
         "`postinstall` script). If it already ran and the generator block has an `output` path (Prisma 7 and "
         "`prisma init` since 6.6 write `output = \"../generated/prisma\"`), the client is in that folder, not in "
         "node_modules: import it from there (`import { PrismaClient } from \"./generated/prisma/client\"`; Prisma "
         "7's `prisma-client` writes no index file, so name the `client` file inside the output folder) "
         "instead of `@prisma/client`, or remove `output` and generate again. pnpm 10 runs no install scripts until "
         "you approve them (`pnpm approve-builds`), so put `prisma generate` in your own build script.",
         "https://pris.ly/d/client", ("client", "test"),
         "Error: @prisma/client did not initialize yet. Please run \"prisma generate\"", 4),
    make("prisma7-client-without-adapter", "Prisma 7's client needs a driver adapter",
         [r"PrismaClient was instantiated without any options", r"A driver adapter is required to connect",
          r"needs to be constructed with a non-empty, valid `?PrismaClientOptions",
          r"requires either \"adapter\" or \"accelerateUrl\"",
          r"Property 'accelerateUrl' is missing in type"],
         "Prisma 7 no longer reads the URL from the schema at run time: `new PrismaClient()` without options (or "
         "with only `log`) has no way to connect. Code written for Prisma 6, like the guide's, does that.",
         "Install `@prisma/adapter-pg` and pass it: `const adapter = new PrismaPg({ connectionString: "
         "process.env.DATABASE_URL }); const prisma = new PrismaClient({ adapter });` (import PrismaPg from "
         "'@prisma/adapter-pg' and PrismaClient from your generated folder), or pin Prisma 6.", PRISMA7,
         ("client", "test"), "PrismaClient was instantiated without any options. A driver adapter is required", 4,
         sources=("https://github.com/prisma/orm/pull/28549",)),
    make("prisma7-client-esm-in-cjs", "CommonJS code was loaded as an ES module (Prisma 7's generated client)",
         [r"\b(?:exports|module) is not defined in ES module scope"],
         "Node ran a file that uses CommonJS (`exports`, `module.exports`) as an ES module: Prisma 7's `prisma-client` "
         "generator writes ES modules by default, and a CommonJS project (NestJS, `tsc` with `\"module\": "
         "\"commonjs\"`) compiles them into CommonJS that Node then loads as ESM, or the reverse.",
         "Make the two agree: in a CommonJS project add `moduleFormat = \"cjs\"` to the `generator client` block and "
         "run `npx prisma generate` again; or make the project ESM (`\"type\": \"module\"` in package.json, "
         "`\"module\": \"ESNext\"` in tsconfig) and run it with tsx.",
         "https://www.prisma.io/docs/orm/prisma-schema/overview/generators", ("client", "test"),
         "ReferenceError: exports is not defined in ES module scope", 4,
         sources=("https://github.com/nestjs/docs.nestjs.com/issues/3350", "https://github.com/prisma/orm/issues/27556")),
    make("query-engine-missing", "Prisma Client has no engine for this platform",
         [r"could not locate the Query Engine", r"Query engine (?:binary|library) for current platform",
          r"add (?:the platform )?\"?[\w.-]+\"? to `?binaryTargets"],
         "The client was generated on another platform (e.g. Debian locally, RHEL on Vercel/Lambda), so the native "
         "engine for where it runs is missing (Prisma 6 and older).",
         "Add the runtime the error names to `binaryTargets` in the generator block (e.g. `binaryTargets = "
         "[\"native\", \"rhel-openssl-3.0.x\"]`), run `npx prisma generate` and redeploy; Prisma 7 needs no native "
         "engine.", "https://www.prisma.io/docs/orm/reference/prisma-schema-reference#binarytargets-options",
         ("client", "test"), "Prisma Client could not locate the Query Engine for runtime \"rhel-openssl-3.0.x\"", 3,
         tell="If it says `tooling that has not copied …`, the bundler dropped the file "
              "(pris.ly/d/engine-not-found-nextjs)."),
    make("tls-intercepted", "A proxy or antivirus re-signs HTTPS on this network",
         [r"self[- ]signed certificate in certificate chain", r"SELF_SIGNED_CERT_IN_CHAIN",
          r"unable to get local issuer certificate", r"UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
          r"unable to verify the first certificate"],
         "Downloads (Prisma's engines, npm packages) are TLS-intercepted: a corporate proxy or an antivirus' HTTPS "
         "scanning presents its own certificate, which Node does not trust. It is not a download failure.",
         "Give Node the proxy's CA: `export NODE_EXTRA_CA_CERTS=/path/to/corp-ca.pem` (Prisma's engine download "
         "ignores npm's `cafile`; npm itself: `npm config set cafile …`), or turn off the antivirus' HTTPS "
         "scanning; never NODE_TLS_REJECT_UNAUTHORIZED=0.", "https://nodejs.org/api/cli.html#node_extra_ca_certsfile",
         ("project", "migrations", "client"),
         "Error: request to https://binaries.prisma.sh/… failed, reason: self-signed certificate in certificate chain",
         5, when=_downloading, sources=["https://github.com/prisma/orm/issues/12162"]),
    make("engine-download", "Prisma could not download its engine",
         [r"binaries\.prisma\.sh", r"binaries\.prismacdn\.com", r"schema-engine\S*\.(?:gz|sha256)",
          r"libquery_engine\S*\.(?:gz|sha256)", r"PRISMA_ENGINES_MIRROR", r"@prisma[/+]engines[^\n]*postinstall",
          r"node_modules[/\\]@prisma[/\\]engines[\s\S]{0,300}(?:aborted|ECONNRESET|Command failed)",
          r"Downloading Prisma engines"],
         "Prisma's install (or first command) downloads native engines from binaries.prisma.sh; the download was "
         "cut off (ECONNRESET, aborted) or the host was unreachable (offline, DNS, proxy).",
         "Rerun the install, downloads are often just interrupted; if it keeps failing retry from another network "
         "or VPN, set HTTPS_PROXY behind a proxy, or point PRISMA_ENGINES_MIRROR at a mirror. `supatui doctor` "
         "checks the host.", "https://www.prisma.io/docs/orm/reference/environment-variables-reference",
         ("project", "migrations", "client"),
         "Error: request to https://binaries.prisma.sh/all_commits/…/schema-engine.gz.sha256 failed, reason: "
         "getaddrinfo ENOTFOUND binaries.prisma.sh", 3),
    make("windows-engine-locked", "Windows: an engine file is in use",
         [r"EPERM: operation not permitted, (?:unlink|rename|open|copyfile)[^\n]*(?:query_engine|schema-engine|"
          r"libquery|\.dll\.node|@prisma|\.prisma)"],
         "On Windows a file that a process has loaded cannot be replaced: a running dev server, watch mode, Prisma "
         "Studio or an editor extension has the engine DLL open.",
         "Stop the running Node processes (dev server, `prisma studio`, watchers; close the editor if needed), then "
         "rerun `npx prisma generate` (or the install). WSL avoids the lock entirely.",
         "https://github.com/prisma/orm/issues/9184", NPM,
         "EPERM: operation not permitted, rename '…\\node_modules\\.prisma\\client\\query_engine-windows.dll.node.tmp1'",
         4),
    make("self-signed-cert", "The database's certificate is not trusted",
         [r"self[- ]signed certificate in certificate chain", r"SELF_SIGNED_CERT_IN_CHAIN"],
         "With `sslmode=require` node-postgres verifies the server certificate, and Supabase's chains to Supabase's "
         "own CA, which Node does not trust.",
         "Give PrismaPg the Supabase CA (`ssl: { ca }`, 'Server root certificate' from Database Settings), or drop "
         "`sslmode=require` (or use `sslmode=require&uselibpqcompat=true`).",
         "https://supabase.com/docs/guides/platform/ssl-enforcement", ("test",),
         "Error: self-signed certificate in certificate chain", 3, when=lambda ctx: not _downloading(ctx)),
    make("p1011-tls", "TLS connection failed (P1011)",
         [r"\bP1011\b", r"Error opening a TLS connection"],
         "With Prisma 7's pg driver `sslmode=require` (or prefer/verify-ca) means verify-full, and Supabase's "
         "certificate chains to Supabase's own CA, which Node does not trust.",
         "Remove `sslmode` from DATABASE_URL, or use `sslmode=require&uselibpqcompat=true`, or pass the CA: "
         "`new PrismaPg({ connectionString, ssl: { ca } })`.", PRISMA_ERR + "#p1011", ("migrations", "test"),
         "Error: P1011: Error opening a TLS connection: self-signed certificate", 4),
    make("p2021-table-missing", "The table does not exist (P2021)",
         [r"\bP2021\b", r"The table `?[\w.\"]+`? does not exist in the current database"],
         "The client queries a table that the database behind DATABASE_URL does not have: migrations did not run "
         "there, or ran against another database.",
         "Apply the migrations to that database with the same DATABASE_URL: `npx prisma migrate dev` (step 4) while "
         "developing; for a deployed app, a container or a database emptied by hand, `npx prisma migrate deploy` "
         "(run it at start, before the app). Then `npx prisma generate`.", PRISMA_ERR + "#p2021",
         ("test",), "The table `public.User` does not exist in the current database. (P2021)", 3),
    make("p2024-pool-timeout", "Timed out waiting for a pooled connection (P2024)",
         [r"\bP2024\b", r"Timed out fetching a new connection from the (?:connection )?pool"],
         "All of Prisma's connections were busy: a `connection_limit` too low for the load, slow queries, or an "
         "overwhelmed server.",
         "Add `pool_timeout=30` (or raise `connection_limit`) in DATABASE_URL, and speed up slow queries.", SUPA_TS,
         ("test",), "Error: P2024: Timed out fetching a new connection from the connection pool.", 3),
    make("schema-path", "prisma.config.ts points at a schema that is not there",
         [r"Could not load schema from .* provided by the Prisma config file"],
         "The guide's config says `schema: \"prisma/schema\"` (a folder) but `prisma init` wrote one file.",
         "Set `schema: \"prisma/schema.prisma\"` in prisma.config.ts.", SUPA_GUIDE, ("migrations", "client"),
         "Error: Could not load schema from `prisma/schema` provided by the Prisma config file", 3),
    make("config-file-missing", "The Prisma CLI found no prisma.config.ts (or one without `datasource`)",
         [r"Could not find Prisma Schema that is required for this command",
          r"The datasource property is required in your Prisma config file"],
         "Prisma 7's CLI takes the schema's path and the connection URL from prisma.config.ts, not from the "
         "schema's datasource block. The command ran where that file is not (another folder, a Docker stage it was "
         "not copied into) or the file has no `datasource`.",
         "Run the command in the folder that holds prisma.config.ts; in a Docker image copy prisma.config.ts (and "
         "the prisma/ folder) into the stage that runs it. Give the config `datasource: { url: "
         "process.env.DATABASE_URL }` (the schema's `url` is not read), and pass `--schema` if the schema is not in "
         "prisma/.", "https://www.prisma.io/docs/orm/reference/prisma-config-reference", ("migrations", "client"),
         "Error: The datasource property is required in your Prisma config file when using prisma migrate deploy.",
         4, sources=["https://github.com/Shelf-nu/shelf.nu/pull/1981"],
         tell="`datasource.url property is required` is a config that has `datasource` but an unset variable."),
    make("config-env-throws", "`env()` in prisma.config.ts throws where the variable is not set",
         [r"PrismaConfigEnvError", r"Missing required environment variable: \w+",
          r"Cannot resolve environment variable: \w+"],
         "`env(\"DATABASE_URL\")` from prisma/config throws when the variable is unset, and every CLI command loads "
         "the config, so `prisma generate` fails too, though it needs no database (a Docker build, CI).",
         "Where the variable may be absent, read it with `url: process.env.DATABASE_URL` in prisma.config.ts instead "
         "of `env()`, or give generate a placeholder (`DATABASE_URL=unused npx prisma generate`); commands that "
         "connect still need the real URL.", "https://www.prisma.io/docs/orm/reference/prisma-config-reference",
         ("client",), "npx prisma generate → Error: PrismaConfigEnvError: Missing required environment variable: "
         "DATABASE_URL", 4,
         when=_generating, sources=["https://github.com/prisma/orm/issues/28708"]),
    make("unique-violation", "A row with this value already exists (P2002 / 23505)",
         [r"\bP2002\b", r"Unique constraint failed on the (?:fields|constraint)",
          r"duplicate key (?:value )?violates unique constraint", sqlstate("23505"), r"UniqueViolation"],
         "Your data, not the connection: the insert or update gives a unique column (the error names it) a value "
         "another row already has. When that column is an autoincrement `id`, its sequence is behind the rows: "
         "they were imported, restored or seeded with explicit ids.",
         "Look at the row that already has that value: use `upsert` or another value (or catch P2002 and say it is "
         "taken). For an `id` after an import, restore or seed, move the sequence past the rows: `SELECT "
         "setval(pg_get_serial_sequence('\"User\"', 'id'), (SELECT max(id) FROM \"User\"));` for each table.",
         PRISMA_ERR + "#p2002", ("test",), "Unique constraint failed on the fields: (`email`)", 3,
         tell="Connecting again will not help: the same insert fails the same way until the data changes."),
    make("prisma-folder-exists", "`prisma init` ran before",
         [r"A folder called prisma already exists"],
         "The project already has a prisma/ folder, so `prisma init` refuses to overwrite it.",
         "Nothing to fix: keep the folder and go on with the next step.", SUPA_GUIDE, ("project",),
         "ERROR  A folder called prisma already exists in your project.", 3),
    make("prisma7-ssl-denied", "Prisma 7's pg driver was refused: TLS is off or not trusted",
         [r"was denied access on the database `?\(not available\)", r"\bP1010\b",
          r"was denied access on the database"],
         "Prisma 7 connects through node-postgres, which uses no TLS unless the URL or the adapter asks for it and "
         "then verifies the certificate; Prisma 6's engine tried TLS by itself and accepted any certificate. A "
         "server that requires TLS (Supabase with SSL enforcement, RDS) refuses the plain connection, and Prisma "
         "reports it as `User was denied access on the database (not available)`.",
         "Turn TLS on in the adapter: `new PrismaPg({ connectionString, ssl: { ca } })` with the server's CA "
         "(Supabase: Database Settings → SSL → Server root certificate), or add `sslmode=require` to the URL and "
         "trust the CA with `NODE_EXTRA_CA_CERTS=/path/to/ca.pem`. `ssl: { rejectUnauthorized: false }` brings back "
         "Prisma 6's behaviour (encrypted, server not verified): use it only to confirm this is the cause.",
         PRISMA7, ("client", "test"), "User was denied access on the database `(not available)`", 4,
         when=lambda ctx: ctx.has(r"\(not available\)") or (ctx.prisma_major or 0) >= 7,
         sources=("https://github.com/prisma/orm/issues/28795", "https://github.com/prisma/web/pull/7422")),
    make("p1012-url-missing", "The Prisma CLI wants `url` in the schema (Prisma 6 CLI on a Prisma 7 schema)",
         [r"Argument \"url\" is missing in data source block"],
         "A Prisma 6 (or older) CLI read a schema written for Prisma 7, whose datasource block has no `url`: "
         "usually a global or `npx prisma@6` CLI, or a Docker image that installs its own prisma, next to a "
         "Prisma 7 project.",
         "Run the project's own CLI (`npx prisma --version` should show 7; keep `prisma` in devDependencies, no "
         "global install, no unpinned `npx prisma` in Dockerfiles); staying on Prisma 6, put `url = "
         "env(\"DATABASE_URL\")` back in the datasource block.", PRISMA7, ("migrations", "client"),
         "error: Argument \"url\" is missing in data source block \"db\".", 3),
    make("client-no-engine", "The client was generated for Accelerate but the URL is postgresql://",
         [r"the URL must start with the protocol `?prisma(?:\+postgres)?://",
          r"URL must start with the protocol `prisma://`"],
         "Prisma Client was generated without its query engine (`prisma generate --no-engine`, common in Vercel "
         "templates, or for Accelerate/Data Proxy), so it accepts only prisma:// URLs.",
         "Generate it with the engine: `npx prisma generate` without `--no-engine` (check package.json's "
         "build/postinstall scripts), then redeploy; Prisma 7: pass an adapter (`new PrismaClient({ adapter })`) "
         "instead of `accelerateUrl`.", "https://www.prisma.io/docs/orm/reference/prisma-cli-reference#generate",
         ("client", "test"), "error: Error validating datasource `db`: the URL must start with the protocol "
         "`prisma://`", 4),
    make("model-accessor-undefined", "`prisma.<model>` is undefined",
         [r"Cannot read propert(?:y|ies) of undefined \(reading '(?:findMany|findUnique|findFirst|create|"
          r"createMany|update|upsert|delete|deleteMany|count|aggregate)'\)"],
         "The client has no such model accessor: the model is named differently (accessors are lower camel case: "
         "model `User` → `prisma.user`), or the client was generated before the model was added.",
         "Run `npx prisma generate` after every schema change (restart the dev server), and use the lower-camel-"
         "case accessor (`prisma.user`, `prisma.blogPost`).", "https://pris.ly/d/client", ("test",),
         "TypeError: Cannot read properties of undefined (reading 'findMany')", 2),
)
