"""The catalogue matches the exact strings tools print, ranks the specific cause first, and never leaks."""

from __future__ import annotations

import re
import socket
import struct
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supatui.core.diagnoses import Match, best, catalogue, diagnose, mask_text
from supatui.core.redact import forget_secrets, register_secret
from supatui.sandbox.model import State
from tests.conftest import require_tool

CASES = [
    # Supavisor, old and new wordings
    ("FATAL:  Tenant or user not found", "supavisor-tenant-not-found"),
    ("FATAL: (ENOTFOUND) tenant/user prisma.abcdefghijklmnopqrst not found", "supavisor-tenant-not-found"),
    ("FATAL: (ENOIDENTIFIER) no tenant identifier provided (external_id or sni_hostname required)", "supavisor-no-tenant"),
    ("FATAL: (EAUTHQUERY) user not found in the database", "supavisor-auth-query"),
    ("Authentication error, reason: \"There is no user 'prisma' in the database.\"", "supavisor-auth-query"),
    ("FATAL: SSL connection is required", "ssl-required"),
    ("FATAL: (ESSLREQUIRED) SSL connection is required for user: prisma.abcdefghijklmnopqrst", "ssl-required"),
    ("FATAL: Max client connections reached", "max-clients"),
    ("FATAL: (EMAXCONN) max client connections reached, limit: 200", "max-clients"),
    ("ERROR: no more connections allowed (max_client_conn)", "max-clients"),
    ("MaxClientsInSessionMode: max clients reached - in Session mode max clients are limited to pool_size",
     "max-clients-session"),
    ("FATAL: (EMAXCONNSESSION) max clients reached in session mode - max clients are limited to pool_size: 15",
     "max-clients-session"),
    ("FATAL: (ECHECKOUTTIMEOUT) unable to check out connection from the pool after 5000ms in Transaction mode",
     "checkout-timeout"),
    ("Unable to check out connection from the pool due to timeout", "checkout-timeout"),
    ("FATAL: (EPSSIMPLEQUERY) transaction mode only supports prepared statements using the Extended Query Protocol",
     "prepared-simple-query"),
    # PostgreSQL SQLSTATEs
    ('FATAL:  password authentication failed for user "prisma"', "auth-failed"),
    ("psycopg.errors.InvalidPassword: code 28P01", "auth-failed"),
    ('ERROR: prepared statement "s0" already exists', "prepared-exists"),
    ("DuplicatePreparedStatement: SQLSTATE 42P05", "prepared-exists"),
    ('ERROR: prepared statement "_pg3_0" does not exist', "prepared-missing"),
    ("ERROR: must be superuser to create bypassrls users", "bypassrls-denied"),
    ("DETAIL: Only roles with the BYPASSRLS attribute may create roles with the BYPASSRLS attribute.", "bypassrls-denied"),
    ("ERROR: permission denied for table User", "permission-denied"),
    ("ERROR: must be owner of table Post", "must-be-owner"),
    ('ERROR:  role "prisma" already exists', "role-exists"),
    ('FATAL: database "app" does not exist', "database-missing"),
    ("ERROR: permission denied for schema auth", "supabase-schema-denied"),
    ('ERROR: extension "pg_cron" is not available\nDETAIL: Could not open extension control file',
     "extension-not-available"),
    ('ERROR: permission denied to create extension "plpython3u"\nHINT: Must be superuser to create this extension.',
     "extension-superuser-only"),
    ("FATAL: sorry, too many clients already", "too-many-connections"),
    ('{"code":"42501","details":null,"hint":null,"message":"permission denied for table User"}', "data-api-invisible"),
    ('ERROR: permission denied for table "User" (role anon)', "data-api-invisible"),
    ("Cross schema references are only allowed when the target schema is listed in the schemas property of your "
     "data-source", "cross-schema"),
    # Prisma P-codes
    ("Error: P1000: Authentication failed against the database server", "auth-failed"),
    ("Error: P1001: Can't reach database server at `aws-1-eu-west-1.pooler.supabase.com:5432`", "p1001-unreachable"),
    ("Error: P1002: Timed out trying to acquire a postgres advisory lock", "p1002-advisory-lock"),
    ("Error: P1003: Database `nodb` does not exist on the database server", "database-missing"),
    ("Error: P1011: Error opening a TLS connection: self-signed certificate", "p1011-tls"),
    ("error: Error validating datasource `db`: The datasource property `url` is no longer supported in schema files. "
     "Move connection URLs for Migrate to `prisma.config.ts`", "p1012-url-unsupported"),
    ("Error: P1013: The provided database string is invalid.", "url-not-encoded"),
    ("Error: P1017: Server has closed the connection.", "p1017-closed"),
    ("The table `public.User` does not exist in the current database.", "p2021-table-missing"),
    ("Timed out fetching a new connection from the connection pool. (P2024)", "p2024-pool-timeout"),
    ("Error: P3005\nThe database schema is not empty.", "p3005-not-empty"),
    ("Error: P3008\nThe migration `0_init` is already recorded as applied in the database.", "p3008-already-applied"),
    ("Error: P3014\nPrisma Migrate could not create the shadow database. Original error: permission denied to create "
     "database", "p3014-shadow-db"),
    ("Error: P3018\nA migration failed to apply.", "p3018-migration-failed"),
    ("Drift detected: Your database schema is not in sync with your migration history.", "drift-detected"),
    ('We need to reset the "public" schema at "127.0.0.1:5432"\nYou may use prisma migrate reset', "migrate-reset-prompt"),
    # engines, npm, pnpm, node, TypeScript
    ("Error: request to https://binaries.prisma.sh/all_commits/d1b3/debian-openssl-3.0.x/schema-engine.gz.sha256 failed, "
     "reason: getaddrinfo ENOTFOUND binaries.prisma.sh", "engine-download"),
    ("npm error code ENOTFOUND\nnpm error request to https://registry.npmjs.org/prisma failed, reason: getaddrinfo "
     "ENOTFOUND registry.npmjs.org", "npm-offline"),
    ("npm error code EACCES\nnpm error Error: EACCES: permission denied, mkdir '/usr/lib/node_modules'", "npm-eacces"),
    ('npm error npx canceled due to missing packages and no YES option: ["tsc@2.0.4"]', "npx-tsc-missing"),
    ("npm error code ERESOLVE\nnpm error ERESOLVE unable to resolve dependency tree", "npm-eresolve"),
    ("Ignored build scripts: @prisma/engines@7.10.1, esbuild@0.28.2, prisma@7.10.1", "pnpm-ignored-builds"),
    ("Prisma only supports Node.js versions 20.19+, 22.12+, 24.0+.", "node-too-old"),
    ("TypeError: Cannot read properties of undefined (reading 'fileExists')", "ts-node-ts7"),
    # URLs, hosts, TLS, dotenv
    ("TypeError [ERR_INVALID_URL]: Invalid URL", "node-invalid-url"),
    ('invalid percent-encoded token: "p%ss"', "libpq-bad-percent"),
    ("failed to resolve host 'ss@127.0.0.1': [Errno -2] Name or service not known", "password-mangled"),
    ('could not translate host name "aws-0-eu-west-9.pooler.supabase.com" to address', "libpq-bad-host"),
    ('invalid URI query parameter: "pgbouncer"', "libpq-prisma-param"),
    ("Error: self-signed certificate in certificate chain", "self-signed-cert"),
    ("connect ENETUNREACH 2a05:d014::1:5432 - Local (:::0)", "ipv6-direct-host"),
    ("connection to server at \"db.abcdefghijklmnopqrst.supabase.co\" (2a05::1), port 5432 failed: Network is "
     "unreachable", "ipv6-direct-host"),
    ("getaddrinfo ENOTFOUND db.abcdefghijklmnopqrst.supabase.co", "ipv6-direct-host"),
    ("Error: P1001: Can't reach database server at `db.abcdefghijklmnopqrst.supabase.co:5432`", "ipv6-direct-host"),
    ('DATABASE_URL="postgresql://prisma.abcdefghijklmnopqrst:pa${x}word@host:5432/postgres"', "dotenv-dollar"),
    ("PrismaConfigEnvError: Cannot resolve environment variable: DATABASE_URL", "env-not-loaded"),
    ("Can't reach database server at base", "env-not-loaded"),
    # session 5: Prisma 7's driver, pg_hba, PostgreSQL 15 grants, read-only, old and new wordings
    ("Invalid `prisma.user.findMany()` invocation:\n\nUser was denied access on the database `(not available)`",
     "prisma7-ssl-denied"),
    ('FATAL: no pg_hba.conf entry for host "203.0.113.7", user "postgres", database "postgres", SSL off',
     "pg-hba-no-entry"),
    ('no pg_hba.conf entry for host "127.0.0.2", user "prisma", database "postgres", no encryption', "pg-hba-no-entry"),
    ("User `app` was denied access on the database `app.public`\nFATAL:  no pg_hba.conf entry for host "
     '"10.0.0.5", user "app", database "app", SSL on', "pg-hba-no-entry"),
    ("ERROR: permission denied for schema public at character 28", "schema-public-denied"),
    ("ERROR: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)", "read-only-mode"),
    ('error: Argument "url" is missing in data source block "db".', "p1012-url-missing"),
    ("Error validating datasource `db`: the URL must start with the protocol `prisma://`", "client-no-engine"),
    ("TypeError: Cannot read properties of undefined (reading 'create')", "model-accessor-undefined"),
    ("Error: P3019\nThe datasource provider `postgresql` specified in your schema does not match the one specified in "
     "the migration_lock.toml, `sqlite`.", "p3019-provider-mismatch"),
    ("Error: P3006\nMigration `2_add_posts` failed to apply cleanly to the shadow database.\nError code: P1014",
     "p3006-shadow-replay"),
    ("TSError: ⨯ Unable to compile TypeScript:\nerror TS5023: Unknown compiler option '0'.", "ts-node-options-string"),
    ("Error [ERR_MODULE_NOT_FOUND]: Cannot find package '@prisma/adapter-pg' imported from /app/src/db.ts",
     "module-not-installed"),
    ("Error: Cannot find module 'dotenv/config'", "module-not-installed"),
    ("Error: Cannot find module '../generated/prisma/client'", "client-not-generated"),
    ("Timed out fetching a new connection from the pool. Please consider increasing the `connection_limit`",
     "p2024-pool-timeout"),
    ("Error: read ECONNRESET\n    at TCP.onStreamRead (node:internal/stream_base_commons:216:20)", "connection-lost"),
    ("Error: db error: FATAL: unexpected response from login query", "migrate-via-pooler"),
    ('Error: ERROR: database "prisma_migrate_shadow_db_0f1e" is being accessed by other users\nDETAIL: There is 1 '
     "other session using the database.", "shadow-db-busy"),
    ("Error: ERROR: permission denied to terminate process\nDETAIL: Only roles with privileges of the role whose "
     'process is being terminated or with privileges of the "pg_signal_backend" role may terminate this process.\n'
     "   0: schema_core::state::DevDiagnostic", "shadow-db-busy"),
    # session 6: Supavisor's DbHandler (lib/supavisor/errors/db_handler_exited_error.ex, checkout_retries_exhausted
    # _error.ex), data problems that are not connection problems, Prisma 7's config file
    ("FATAL: (EDBHANDLEREXITED) DbHandler exited. Check logs for more information", "supavisor-db-handler-exited"),
    ("(EDBHANDLEREXITED) connection to database closed. Check logs for more information",
     "supavisor-db-handler-exited"),
    ("FATAL: (ECHECKOUTRETRIES) failed to check out a connection after multiple retries",
     "supavisor-db-handler-exited"),
    ("Connection closed when state was authentication", "supavisor-auth-closed"),
    ("Invalid `prisma.user.create()` invocation:\nUnique constraint failed on the fields: (`email`)",
     "unique-violation"),
    ('ERROR: duplicate key value violates unique constraint "User_pkey"\nDETAIL: Key (id)=(3) already exists.',
     "unique-violation"),
    ("Error: Could not find Prisma Schema that is required for this command.", "config-file-missing"),
    ("Cannot find module './generated/client' or its corresponding type declarations.", "client-not-generated"),
]


def test_catalogue_is_complete_and_well_formed() -> None:
    items = catalogue()
    assert len(items) >= 25
    assert len({d.id for d in items}) == len(items)
    for d in items:
        assert d.patterns and d.title and d.cause and d.fix and d.example, d.id
        assert d.doc.startswith("https://"), d.id
        assert set(d.applies_to_steps) <= {"role", "project", "connection", "migrations", "client", "test"}, d.id


@pytest.mark.parametrize("diagnosis", catalogue(), ids=lambda d: d.id)
def test_each_example_is_diagnosed_as_itself(diagnosis) -> None:  # type: ignore[no-untyped-def]
    top = best(diagnosis.example)
    assert top is not None and top.diagnosis.id == diagnosis.id


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[1] + "-" + str(i) for i, c in enumerate(CASES)])
def test_exact_strings(text: str, expected: str) -> None:
    matches = diagnose(f"some log line\n{text}\nmore output")
    assert matches, text
    assert matches[0].diagnosis.id == expected, [m.diagnosis.id for m in matches]


def test_all_catalogue_ids_are_exercised() -> None:
    from tests.core.diagnoses_corpus import load

    exercised = {c[1] for c in CASES} | {e.expect for e in load()}
    assert {d.id for d in catalogue()} - exercised <= {
        "reserved-role", "stale-role-oid", "create-schema-denied", "schema-path", "prisma-folder-exists",
        "bypassrls-stock-pg15", "connection-lost", "connection-refused", "no-password", "role-attribute-denied",
        "ssl-unsupported", "statement-timeout", "supavisor-bad-user-format", "supavisor-banned"}


def top(text: str, **context: object) -> str | None:
    match = best(text, **context)
    return match.diagnosis.id if match else None


def test_raw_at_or_hash_in_the_url_password_is_the_cause_of_a_failed_login() -> None:
    """A plain 28P01/P1001 next to a URL whose password still shows `@` or `#`: say so and show %40/%23, do not reset."""
    failed = 'FATAL: password authentication failed for user "postgres"'
    raw = 'DATABASE_URL="postgresql://postgres:p@ss#1@db.abcdefghijklmnopqrst.supabase.co:5432/postgres"'
    encoded = 'DATABASE_URL="postgresql://postgres:p%40ss%231@db.abcdefghijklmnopqrst.supabase.co:5432/postgres"'
    match = best(f"{raw}\n{failed}")
    assert match is not None and match.diagnosis.id == "password-mangled"
    assert "%40" in match.diagnosis.fix and "%23" in match.diagnosis.fix and "p%40ss%231" in match.diagnosis.fix
    assert "p@ss" not in match.excerpt and "ss#1" not in match.excerpt  # the password stays masked
    assert top(f"{encoded}\n{failed}") == "auth-failed"
    assert top(failed) == "auth-failed"
    assert top(failed, url=raw.split("=", 1)[1].strip('"')) == "password-mangled"
    assert top("Error: P1001: Can't reach database server at `dbUser`:`5432`",
               url="postgresql://application:#@123njhuts@localhost:5432/portal") == "password-mangled"
    github_mailto = ("postgres://postgres.x:[pw@aws-0-sa-east-1.pooler.supabase.com](mailto:pw@aws-0-sa-east-1.pooler."
                     "supabase.com):6543/postgres\nFATAL: password authentication failed for user \"postgres\"")
    assert top(github_mailto) == "auth-failed"


def test_a_unique_violation_is_the_data_not_the_connection() -> None:
    match = best("PrismaClientKnownRequestError: Unique constraint failed on the fields: (`email`)\n  code: 'P2002'")
    assert match is not None and match.diagnosis.id == "unique-violation"
    assert "upsert" in match.diagnosis.fix and "setval" in match.diagnosis.fix
    assert "password" not in match.diagnosis.fix and "URL" not in match.diagnosis.fix


def test_env_in_the_config_is_a_generate_problem_only_when_generate_ran() -> None:
    text = "Error: PrismaConfigEnvError: Missing required environment variable: DATABASE_URL"
    assert top(text) == "env-not-loaded"
    assert top(text, command="npx prisma generate") == "config-env-throws"
    assert top("#12 0.9 RUN npx prisma generate\n" + text) == "config-env-throws"


def test_unknown_text_and_empty() -> None:
    assert diagnose("everything is fine, 3 rows") == []
    assert diagnose("") == []
    assert diagnose("took 26000 ms") == []  # a bare number is not SQLSTATE 26000


def test_step_breaks_ties_and_specific_beats_generic() -> None:
    text = "Error: P1001: Can't reach database server at `db.abcdefghijklmnopqrst.supabase.co:5432`"
    ids = [m.diagnosis.id for m in diagnose(text)]
    assert ids.index("ipv6-direct-host") < ids.index("p1001-unreachable")
    text = 'ERROR: permission denied for table User\nFATAL: password authentication failed for user "prisma"'
    assert diagnose(text, step="role")[0].diagnosis.id == "auth-failed"
    assert diagnose("x", step="role") == []


def test_excerpt_is_masked() -> None:
    forget_secrets()
    register_secret("s3cret-Canary!")
    try:
        text = "DATABASE_URL=postgresql://prisma.ref:s3cret-Canary!@db.abcdefghijklmnopqrst.supabase.co:5432/postgres " \
               "Network is unreachable"
        match = diagnose(text)[0]
        assert "s3cret-Canary" not in match.excerpt and "****" in match.excerpt
        unregistered = "postgresql://prisma:hunter22@host:6543/postgres P1001"
        assert "hunter22" not in diagnose(unregistered)[0].excerpt
        assert mask_text("PGPASSWORD=abc123 psql") == "PGPASSWORD=**** psql"
    finally:
        forget_secrets()


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=4, max_size=30).filter(lambda s: s.strip() == s and "\n" not in s), st.text(max_size=200))
def test_never_leaks_a_registered_secret(secret: str, noise: str) -> None:
    forget_secrets()
    register_secret(secret)
    try:
        text = f"{noise}\nFATAL: password authentication failed for user \"prisma\" pw={secret} {noise}"
        for match in diagnose(text):
            assert secret not in match.excerpt
            # a "secret" that is a word of the catalogue's own text ("roje" in "project") is not leaked by it
            static = Match(match.diagnosis, "", match.score).render()
            assert secret in static or secret not in match.render()
    finally:
        forget_secrets()


# --- the real tools' own texts --------------------------------------------------------------------------------------
def _libpq_error(url: str) -> str:
    with pytest.raises(psycopg.Error) as info:
        psycopg.connect(url, connect_timeout=2).close()
    return str(info.value)


def test_real_libpq_errors() -> None:
    assert best(_libpq_error("postgresql://u:pw@127.0.0.1:1/postgres?pgbouncer=true")).diagnosis.id == "libpq-prisma-param"  # type: ignore[union-attr]
    assert best(_libpq_error("postgresql://u:p%ss@127.0.0.1:1/postgres")).diagnosis.id == "libpq-bad-percent"  # type: ignore[union-attr]
    refused = _libpq_error("postgresql://u:pw@127.0.0.1:1/postgres")
    assert best(refused).diagnosis.id == "connection-refused"  # type: ignore[union-attr]


def test_real_wrong_password(sandbox) -> None:  # type: ignore[no-untyped-def]
    url = sandbox.session_url
    wrong = re.sub(r"://([^:]+):[^@]+@", r"://\1:definitely-wrong@", url)
    assert best(_libpq_error(wrong)).diagnosis.id == "auth-failed"  # type: ignore[union-attr]
    no_ref = re.sub(r"://postgres\.[a-z]+:", "://postgres:", url)
    top = best(_libpq_error(no_ref))
    assert top is not None and top.diagnosis.id in ("supavisor-tenant-not-found", "supavisor-no-tenant")


def test_real_node_invalid_url() -> None:
    node = require_tool("node")
    proc = subprocess.run([node, "-e", "new URL('postgresql://u:p/ss#x@h:5432/db')"], capture_output=True, text=True)
    assert proc.returncode != 0
    assert best(proc.stderr).diagnosis.id == "node-invalid-url"  # type: ignore[union-attr]


def test_real_node_missing_adapter(tmp_path: Path) -> None:
    node = require_tool("node")
    proc = subprocess.run([node, "-e", "require('@prisma/adapter-pg')"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode != 0
    assert best(proc.stderr).diagnosis.id == "module-not-installed"  # type: ignore[union-attr]


def _startup_refusal(port: int, source: str) -> str:
    """PostgreSQL's own ErrorResponse to a startup packet sent from ``source`` (an address its pg_hba does not list)."""
    body = struct.pack("!i", 196608) + b"user\0postgres\0database\0postgres\0\0"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.bind((source, 0))
        sock.connect(("127.0.0.1", port))
        sock.sendall(struct.pack("!i", len(body) + 4) + body)
        data = b""
        while len(data) < 5 or len(data) < 1 + struct.unpack("!i", data[1:5])[0]:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    assert data[:1] == b"E", data[:40]
    fields = {f[:1]: f[1:].decode() for f in data[5:].split(b"\0") if f}
    return f"{fields[b'S']}:  {fields[b'M']}"


def test_real_pg_hba_refusal(sandbox_manager, sandbox) -> None:  # type: ignore[no-untyped-def]
    state = State.load(sandbox_manager.state_path)
    assert state is not None
    text = _startup_refusal(state.pg_port, "127.0.0.2")  # the sandbox's pg_hba admits TCP from 127.0.0.1 only
    assert "no pg_hba.conf entry for host" in text, text
    assert best(text).diagnosis.id == "pg-hba-no-entry"  # type: ignore[union-attr]


def test_readme_failures_section_is_up_to_date() -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "scripts/gen_failures_doc.py", "--check"], cwd=root, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    readme = (root / "README.md").read_text()
    section = readme.split("<!-- failures:start -->")[1].split("<!-- failures:end -->")[0]
    assert section.count("\n| ") == len(catalogue()) + 1  # header + one row per problem
