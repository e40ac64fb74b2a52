"""Session 7's catalogue additions, by the shape of each error (code, stable phrase) and the context that tells it
apart, with the near misses that must keep their old diagnosis (held_out_s7.txt has the real pastes)."""

from __future__ import annotations

from supatui.core.diagnoses import best


def top(text: str, **context: object) -> str | None:
    match = best(text, **context)
    return match.diagnosis.id if match else None


def fix(text: str, **context: object) -> str:
    match = best(text, **context)
    assert match is not None, text
    return match.diagnosis.fix


def test_commonjs_code_loaded_as_an_es_module_names_prisma7s_module_format() -> None:
    text = ('file:///app/dist/generated/prisma/client.js:35\nObject.defineProperty(exports, "__esModule", '
            '{ value: true });\n                      ^\n\nReferenceError: exports is not defined in ES module scope')
    assert top(text) == "prisma7-client-esm-in-cjs"
    assert 'moduleFormat = "cjs"' in fix(text)
    assert top("ReferenceError: module is not defined in ES module scope") == "prisma7-client-esm-in-cjs"
    # ESM code that calls require() is the other direction: not this problem
    assert top("ReferenceError: require is not defined in ES module scope, you can use import instead") is None


def test_err_require_esm_from_prismas_own_files_is_an_old_node() -> None:
    text = ("Error [ERR_REQUIRE_ESM]: require() of ES Module /app/node_modules/zeptomatch/dist/index.js from "
            "/app/node_modules/@prisma/dev/dist/index.cjs not supported.")
    assert top(text) == "node-too-old"
    assert top(text, step="client") == "node-too-old"
    assert "20.19" in fix(text)
    # the user's own CommonJS code requiring an ES module is still the runner/module-system problem
    own = ("Error [ERR_REQUIRE_ESM]: require() of ES Module /app/node_modules/chalk/source/index.js from "
           "/app/dist/cli.js not supported.")
    assert top(own) == "ts-node-esm"


def test_no_named_export_from_prisma_client_is_a_missing_generate() -> None:
    text = "SyntaxError: The requested module '@prisma/client' does not provide an export named 'PrismaClient'"
    assert top(text) == "client-not-generated"
    assert "prisma generate" in fix(text)


def test_etarget_is_a_version_that_is_not_published() -> None:
    text = ("npm error code ETARGET\nnpm error notarget No matching version found for @prisma/adapter-pg@7.99.0.\n"
            "npm error notarget In most cases you or one of your dependencies are requesting")
    assert top(text) == "npm-etarget"
    assert "published" in fix(text) and "npm view" in fix(text)
    assert top(" ERR_PNPM_NO_MATCHING_VERSION  No matching version found for prisma@8.0.0") == "npm-etarget"


def test_p4001_is_an_empty_database_to_pull() -> None:
    text = "Error:\nP4001 The introspected database was empty:\n\nprisma db pull could not create any models"
    assert top(text) == "db-pull-empty"
    assert "migrate dev" in fix(text) and "schema" in fix(text)


def test_prisma7_seed_lives_in_the_config_file() -> None:
    text = ("⚠️ No seed command configured\n\nTo seed your database, add a seed property to the migrations section "
            "in your Prisma config file.")
    assert top(text) == "seed-not-configured"
    assert "migrations: { seed:" in fix(text)


def test_sasl_failure_of_migrate_through_6543_is_the_pooler() -> None:
    text = ('Datasource "db": PostgreSQL database "postgres", schema "public" at "db.abcdefghijklmnopqrst.supabase.co:'
            '6543"\nError: Migration engine error:\ndb error: FATAL: SASL authentication failed')
    assert top(text) == "migrate-via-pooler"
    assert "5432" in fix(text)
    # the same words from the app, not from Migrate, are not the Migrate-through-the-pooler problem
    assert top("PrismaClientInitializationError: db error: FATAL: SASL authentication failed",
               step="test") != "migrate-via-pooler"


def test_a_global_eacces_says_how_to_fix_a_global_install() -> None:
    text = ("Error: EACCES: permission denied, copyfile '/home/u/.cache/prisma/query-engine' -> "
            "'/usr/local/lib/node_modules/prisma/query-engine-debian-openssl-1.1.x'")
    assert top(text) == "npm-eacces"
    assert "global" in fix(text) and "npm install -D prisma" in fix(text)


def test_a_runner_that_is_not_installed_is_a_missing_package() -> None:
    for text in ("Error: spawn tsx ENOENT", "sh: 1: tsx: not found", "sh: ts-node: command not found",
                 "sh: prisma: command not found"):
        assert top(text) == "module-not-installed", text
        assert "-D" in fix(text)
    # `prisma -v`'s table says "Not found" for a missing client: that line is not a missing runner
    assert top("prisma                  : 7.1.0\n@prisma/client          : Not found") is None
