"""Matching reads the paste like a person: noise off, then port, host kind, command and Prisma major decide."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from supatui.core.diagnoses import best, diagnose, get
from supatui.core.diagnoses.context import normalise, read_context

PREPARED = 'Error: Schema engine error:\\nERROR: prepared statement "s0" already exists'


def top(text: str, step: str | None = None, **context: object) -> str | None:
    match = best(text, step, **context)
    return match.diagnosis.id if match else None


def test_normalise_undoes_json_ansi_and_prefixes() -> None:
    pasted = ('{"errorMessage":"\\\\nInvalid `prisma.user.findMany()` invocation:\\\\n\\\\nCan\'t reach database server '
              'at `db.[REF].supabase.co:5432`"}')
    assert "\nCan't reach database server" in normalise(pasted.replace("\\\\", "\\"))
    assert normalise("\x1b[31mError:\x1b[0m P1001") == "Error: P1001"
    assert normalise("npm error code ERESOLVE\nnpm ERR! ERESOLVE unable") == "code ERESOLVE\nERESOLVE unable"
    assert normalise("17:06:24.216 | Error code: P1012") == "Error code: P1012"
    windows = r"EPERM: operation not permitted, unlink 'C:\app\node_modules\.prisma\client\query_engine.dll.node'"
    assert normalise(windows) == windows  # \node_modules is a path, not a newline
    framed = "Error: boom\n    at Object.<anonymous> (/app/index.js:2:16)\n    at Module._compile (node:internal/x:1:2)"
    assert normalise(framed).strip() == "Error: boom"


def test_context_reads_ports_hosts_commands_and_majors() -> None:
    ctx = read_context(normalise('Datasource "db": PostgreSQL database "postgres", schema "public" at '
                                 '"aws-0-ap-south-1.pooler.supabase.com:6543"\nPrisma CLI Version : 7.1.0'))
    assert ctx.tx_pooler and ctx.pooler_host and ctx.migrating and ctx.prisma_major == 7 and not ctx.direct_host
    for redacted in ("db.xxxxx.supabase.co", "db.[MY_INSTANCE_NAME].supabase.co", "db.$HOST.supabase.co",
                     "db.example.supabase.co", "db.abcdefghijklmnopqrst.supabase.co"):
        assert read_context(f"Can't reach database server at `{redacted}:5432`").direct_host, redacted
    assert read_context("x", command="npx prisma migrate deploy").migrating
    assert read_context("x", url="postgresql://u:p@aws-1-eu-west-1.pooler.supabase.com:6543/postgres").tx_pooler


def test_migrations_through_the_pooler_are_not_told_to_add_pgbouncer() -> None:
    on_pooler = 'Datasource "db": PostgreSQL database "postgres" at "aws-0-eu-west-1.pooler.supabase.com:6543"\n'
    for error in ('ERROR: prepared statement "s0" already exists', 'ERROR: prepared statement "s0" does not exist',
                  "Error: P1017: Server has closed the connection.",
                  "Error: P1002: Timed out trying to acquire a postgres advisory lock"):
        match = best(on_pooler + error)
        assert match is not None and match.diagnosis.id == "migrate-via-pooler", error
        assert "pgbouncer=true` URL" in match.diagnosis.fix and "5432" in match.diagnosis.fix
        assert "never" in match.diagnosis.fix
    assert top(PREPARED.replace("\\n", "\n")) == "migrate-via-pooler"  # the schema engine ran: Migrate
    assert top('ERROR: prepared statement "s0" already exists', command="npx prisma db push") == "migrate-via-pooler"
    runtime = ('Invalid `prisma.user.findMany()` invocation:\nConnectorError(ConnectorError { kind: QueryError('
               'PostgresError { code: "42P05", message: "prepared statement \\"s0\\" already exists" }) })')
    assert top(runtime) == "prepared-exists" and "pgbouncer=true" in get("prepared-exists").fix
    assert top("Error: P1002\nTimed out trying to acquire a postgres advisory lock at `localhost`:`5432`") \
        == "p1002-advisory-lock"


def test_ipv6_needs_a_direct_host_and_a_blocked_pooler_port_is_not_ipv6() -> None:
    assert top("failed to connect to `host=db.[id].supabase.co user=postgres database=postgres`: dial error "
               "(dial tcp [2406:da14::1]:5432: connect: no route to host)") == "ipv6-direct-host"
    assert top('connection to server at "db.ref.supabase.co" (2a05:d014::1), port 5432 failed: Address family not '
               "supported by protocol") == "ipv6-direct-host"
    assert top("failed to connect to `host=aws-0-ap-northeast-1.pooler.supabase.com user=postgres.ref database="
               "postgres`: failed to receive message (timeout: context deadline exceeded)") == "port-blocked"
    assert top("connect ETIMEDOUT 100.26.135.91:5432") == "port-blocked"


def test_damaged_passwords_are_not_told_to_reset() -> None:
    for text in ("failed SASL auth (invalid SCRAM server-final-message received from server)",
                 "SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature is missing",
                 "Error: P1001: Can't reach database server at `ss@aws-0-eu-west-1.pooler.supabase.com:5432`",
                 'failed to parse as DSN: invalid port ":p@ss" after host'):
        match = best(text)
        assert match is not None and match.diagnosis.id == "password-mangled", text
        assert match.diagnosis.fix.startswith("Do not reset")


def test_dollar_entry_fits_only_what_dotenv_expands() -> None:
    assert top('DATABASE_URL="postgresql://postgres:$PASSWORD@db.$HOST.supabase.co:5432/postgres"') != "dotenv-dollar"
    assert top('DATABASE_URL="postgresql://prisma.ref:pa$word@h:5432/postgres"') != "dotenv-dollar"
    assert top('DATABASE_URL="postgresql://prisma.ref:pa${x}word@h:5432/postgres"') == "dotenv-dollar"
    assert top('DATABASE_URL="postgresql://prisma.ref:pa${x}word@h:5432/postgres"', prisma_major=7) != "dotenv-dollar"


def test_specific_beats_generic() -> None:
    wrapped = ("Error: P3018\nA migration failed to apply.\nMigration name: 02_add\nDatabase error code: 42501\n"
               "Database error:\nERROR: must be owner of table event")
    assert top(wrapped) == "must-be-owner" and "OWNER TO" in get("must-be-owner").fix
    download = ("Error: request to https://binaries.prisma.sh/all_commits/x/windows/schema-engine.exe.gz.sha256 failed, "
                "reason: self signed certificate in certificate chain")
    assert top(download) == "tls-intercepted"
    assert top("Error: self-signed certificate in certificate chain") == "self-signed-cert"
    assert top("Prisma Client could not locate the Query Engine for runtime \"rhel-openssl-3.0.x\". Add "
               "\"rhel-openssl-3.0.x\" to `binaryTargets`") == "query-engine-missing"
    assert "binaryTargets" in get("query-engine-missing").fix
    assert top("ERROR: permission denied to create role", step="role") == "role-attribute-denied"


@pytest.mark.parametrize("text", ["FATAL: Tenant or user not found", "FATAL: Tenant not found",
                                  "FATAL: (ENOTFOUND) tenant/user postgres.abcdefghijklmnopqrst not found"])
def test_supavisor_tenant_wordings_old_and_new(text: str) -> None:
    assert top(text) == "supavisor-tenant-not-found"


def test_render_puts_the_fix_first_and_cites_sources() -> None:
    match = best("FATAL: (ECIRCUITBREAKER) too many authentication failures, new connections are temporarily blocked")
    assert match is not None
    lines = match.render().splitlines()
    assert lines[1].lstrip().startswith("seen:") and lines[2].lstrip().startswith("fix:")
    assert any(line.lstrip().startswith("tell:") for line in lines)
    assert "https://" in match.render()


def test_every_fix_and_example_is_sane() -> None:
    for d in (m.diagnosis for m in diagnose("FATAL: Tenant or user not found")):
        assert d.fix and d.cause and d.doc.startswith("https://")


def test_no_import_cycle_inside_the_package() -> None:
    root = Path(__file__).resolve().parents[2] / "supatui" / "core" / "diagnoses"
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        name = ".".join(path.relative_to(root.parents[2]).with_suffix("").parts).removesuffix(".__init__")
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("supatui.core.diagnoses"):
                deps.add(node.module)
        graph[name] = deps
    for name, deps in graph.items():
        if name != "supatui.core.diagnoses":
            assert "supatui.core.diagnoses" not in deps, f"{name} imports the package back"

    def visit(node: str, stack: tuple[str, ...]) -> None:
        assert node not in stack, " -> ".join((*stack, node))
        for dep in graph.get(node, ()):
            visit(dep, (*stack, node))

    for name in graph:
        visit(name, ())


def test_step_errors_take_their_advice_from_the_catalogue() -> None:
    import psycopg

    from supatui.core.database import Endpoint, explain_connect_error

    pooler = Endpoint("prisma.abcdefghijklmnopqrst", "aws-0-eu-west-1.pooler.supabase.com", 5432)
    direct = Endpoint("prisma", "db.abcdefghijklmnopqrst.supabase.co", 5432)
    cases = [(pooler, "FATAL:  Tenant or user not found", "supavisor-tenant-not-found"),
             (pooler, "FATAL:  (ESSLREQUIRED) SSL connection is required", "ssl-required"),
             (pooler, "connection timeout expired", "port-blocked"),
             (direct, "connection timeout expired", "ipv6-direct-host"),
             (direct, "Network is unreachable", "ipv6-direct-host")]
    for endpoint, text, diagnosis_id in cases:
        assert explain_connect_error(psycopg.OperationalError(text), endpoint).hint == get(diagnosis_id).fix, text
