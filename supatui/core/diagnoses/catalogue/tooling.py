"""npm, pnpm, Node and TypeScript runners."""

from __future__ import annotations

from supatui.core.diagnoses.catalogue.common import NPM
from supatui.core.diagnoses.model import Diagnosis, make

# Prisma's own CommonJS files (the CLI, @prisma/dev, a generated client) requiring an ES-only package: Node before
# 20.19/22.12 has no require(esm) (prisma/orm#28784, #27572); the user's own code doing so is the ts-node/ESM problem.
_PRISMA_REQUIRES_ESM = (r"require\(\) of ES Module \S+ from \S*node_modules[/\\](?:@prisma[/\\]|prisma[/\\]|\.prisma[/\\])"
                        r"\S* not supported")

TOOLING: tuple[Diagnosis, ...] = (
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
         "npm (or Prisma, copying its engine) cannot write its cache, the project folder or a global install: an "
         "earlier `sudo npm` left root-owned files, or the CLI is installed globally under /usr/local/lib/node_modules.",
         "Do not use sudo: `sudo chown -R \"$(id -u)\":\"$(id -g)\" ~/.npm` and the project folder, then rerun. For "
         "a global install, install the CLI in the project instead (`npm install -D prisma`, then `npx prisma …`), or "
         "follow npm's guide for global installs (a Node version manager such as nvm).",
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
    make("npm-etarget", "npm asked for a version that is not published (ETARGET)",
         [r"npm (?:ERR!|error) code ETARGET", r"No matching version found for \S+", r"\bERR_PNPM_NO_MATCHING_VERSION\b",
          r"Couldn't find any versions for \S+ that matches"],
         "The registry has no release matching the version asked for: a mistyped or not yet released version in "
         "package.json, a dependency's broken release that names a version never published, or a mirror that lags "
         "behind the registry.",
         "Ask for a version that is published: `npm view <package> versions` lists them (e.g. `npm install -D prisma@7 "
         "@prisma/client@7`); when a dependency's release is broken, install its next patch release; behind a "
         "mirror, retry later or `npm cache clean --force`.", "https://docs.npmjs.com/cli/v11/commands/npm-view", NPM,
         "npm error code ETARGET / npm error notarget No matching version found for prisma@8.0.0.", 3,
         sources=["https://github.com/prisma/orm/issues/6425"]),
    make("pnpm-ignored-builds", "pnpm ignored build scripts (exit 1)",
         [r"Ignored build scripts"],
         "pnpm installed everything but refuses to run packages' install scripts until you approve them.",
         "Run `pnpm approve-builds` (or just continue: Prisma fetches its engine when first used), or use npm.",
         "https://pnpm.io/cli/approve-builds", NPM,
         "Ignored build scripts: @prisma/engines@7.10.1, esbuild@0.28.2, prisma@7.10.1", 4),
    make("node-too-old", "Node.js is too old for Prisma 7",
         [r"Prisma only supports Node\.js", r"EBADENGINE.*(prisma|@prisma)", r"required: \{ node: '\^?20\.19",
          _PRISMA_REQUIRES_ESM],
         "Prisma 7 needs Node 20.19+, 22.12+ or 24+. Its own CommonJS files `require()` ES-only packages, which older "
         "Node versions refuse with ERR_REQUIRE_ESM.",
         "Install Node 22 LTS (Prisma 7 needs 20.19+, 22.12+ or 24+; `nvm install 22` or nodejs.org), open a new "
         "terminal, and run `supatui doctor`.",
         "https://www.prisma.io/docs/orm/reference/system-requirements", ("project", "migrations", "client"),
         "npm warn EBADENGINE Unsupported engine { package: 'prisma@7.10.1', required: { node: '^20.19 || ^22.12' } }", 3),
    make("ts-node-ts7", "ts-node does not work with TypeScript 7",
         [r"Cannot read properties of undefined \(reading 'fileExists'\)"],
         "TypeScript 7 has no JavaScript API, which ts-node relies on.",
         "Run the script with tsx instead: `npx tsx index.ts` (the guide's runner).", "https://tsx.is", ("test",),
         "TypeError: Cannot read properties of undefined (reading 'fileExists')", 4),
    make("ts-node-esm", "The TypeScript runner and the module system disagree (ESM vs CommonJS)",
         [r"ERR_UNKNOWN_FILE_EXTENSION", r"Unknown file extension \"?\.ts\"?", r"Cannot use import statement outside a "
          r"module", r"Must use import to load ES Module", r"\bERR_REQUIRE_ESM\b",
          r"To load an ES module, set \"type\": \"module\""],
         "ts-node runs .ts as CommonJS unless told otherwise: in a `\"type\": \"module\"` project (or on Node 20+ with "
         "`--esm`) Node itself meets the .ts file and refuses it; a .js file using `import` without \"type\": \"module\" "
         "fails the other way round.",
         "Run TypeScript with tsx, which handles both: `npx tsx index.ts` (seed: `\"seed\": \"tsx prisma/seed.ts\"`). "
         "Keeping ts-node: ESM projects need `node --loader ts-node/esm`, CommonJS ones `ts-node -O "
         "'{\"module\":\"CommonJS\"}'` (or remove \"type\": \"module\"); a plain .js seed needs `require()` or "
         "\"type\": \"module\".", "https://tsx.is", ("test", "migrations"),
         "TypeError [ERR_UNKNOWN_FILE_EXTENSION]: Unknown file extension \".ts\" for /app/prisma/seed.ts", 3,
         when=lambda ctx: not ctx.has(_PRISMA_REQUIRES_ESM), sources=["https://github.com/prisma/orm/issues/7053"]),
    make("ts-node-options-string", "ts-node got its compiler options as a string",
         [r"Unknown compiler option '\d+'"],
         "The `--compiler-options`/`-O` JSON in the seed command was escaped twice, so ts-node received a string "
         "and read each of its characters as an option ('0', '1', …).",
         "Escape the JSON once in package.json: `\"seed\": \"ts-node -O {\\\"module\\\":\\\"CommonJS\\\"} "
         "prisma/seed.ts\"`, or use tsx, which needs no options: "
         "`\"seed\": \"tsx prisma/seed.ts\"`.", "https://typestrong.org/ts-node/docs/options", ("test", "migrations"),
         "error TS5023: Unknown compiler option '0'.", 4, sources=["https://github.com/prisma/orm/issues/9211"]),
    make("module-not-installed", "A package the code imports is not installed",
         [r"Cannot find (?:module|package) '(?:@prisma/adapter-[\w-]+|@prisma/client|pg|dotenv|tsx|prisma)"
          r"(?:/[\w./-]*)?'", r"\bspawn (?:tsx|ts-node|prisma) ENOENT\b",
          r"(?m)(?:^|\bsh: (?:\d+: )?)(?:tsx|ts-node|prisma): (?:command )?not found"],
         "The code (or prisma.config.ts, or a script that runs tsx or prisma) needs a package that is not in this "
         "project's node_modules: it was never installed here, was installed in another folder or workspace package, "
         "or only globally.",
         "Install it in the folder that holds package.json: `npm install @prisma/adapter-pg pg` (Prisma 7's "
         "driver), `npm install dotenv` (for `dotenv/config`), `npm install -D prisma tsx` (for `prisma/config` and "
         "the runner), then run again.", "https://docs.npmjs.com/cli/v11/commands/npm-install", NPM + ("test",),
         "Error: Cannot find module '@prisma/adapter-pg'", 3),
)
