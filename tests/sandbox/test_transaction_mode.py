"""The transaction port really pools by transaction (the router's own pool, as Supavisor), as on Supabase."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from typing import TYPE_CHECKING

import psycopg
import pytest
from psycopg import sql

from supatui.sandbox import SandboxInfo
from tests.conftest import require_tool
from tests.sandbox.roles import login_role

if TYPE_CHECKING:
    from tests.prisma_fixture import PreparedProject

pytest_plugins = ["tests.prisma_fixture"]


@pytest.fixture
def fresh_role(sandbox: SandboxInfo) -> Iterator[tuple[str, str]]:
    """A role created after the sandbox started (its own pool, so tests are deterministic)."""
    assert sandbox.transaction_pooling
    with login_role(sandbox, "late") as role:
        yield role


def test_named_prepared_statements_collide_on_the_transaction_port(sandbox: SandboxInfo,
                                                                   fresh_role: tuple[str, str]) -> None:
    name, password = fresh_role
    url = sandbox.target.url(name, password, "transaction")
    with psycopg.connect(url, autocommit=True) as first, psycopg.connect(url, autocommit=True) as second:
        assert first.execute("select 1", prepare=True).fetchone() == (1,)
        with pytest.raises(psycopg.errors.DuplicatePreparedStatement, match='prepared statement "_pg3_0" already exists'):
            second.execute("select 1", prepare=True)


def test_the_session_port_keeps_prepared_statements_per_client(sandbox: SandboxInfo, fresh_role: tuple[str, str]) -> None:
    name, password = fresh_role
    url = sandbox.target.url(name, password, "session")
    with psycopg.connect(url, autocommit=True) as first, psycopg.connect(url, autocommit=True) as second:
        assert first.execute("select 1", prepare=True).fetchone() == (1,)
        assert second.execute("select 1", prepare=True).fetchone() == (1,)


def test_new_roles_and_password_changes_work_without_reload(sandbox: SandboxInfo, fresh_role: tuple[str, str]) -> None:
    name, password = fresh_role
    url = sandbox.target.url(name, password, "transaction")
    with psycopg.connect(url, prepare_threshold=None) as conn:
        assert conn.execute("select current_user::text").fetchone() == (name,)
    new_password = secrets.token_hex(16)
    with psycopg.connect(sandbox.direct_url, autocommit=True) as conn:
        conn.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(name), sql.Literal(new_password)))
    with psycopg.connect(sandbox.target.url(name, new_password, "transaction"), prepare_threshold=None) as conn:
        assert conn.execute("select current_user::text").fetchone() == (name,)
    with pytest.raises(psycopg.OperationalError, match=f'password authentication failed for user "{name}"'):
        psycopg.connect(url, connect_timeout=5)


def test_pgbouncer_itself_is_not_a_login_for_clients(sandbox: SandboxInfo) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(sandbox.target.url("pgbouncer", "guess", "transaction"), connect_timeout=5)


NODE_SCRIPT = r"""
const pg = require("pg");
const { PrismaPg } = require("@prisma/adapter-pg");
(async () => {
  const url = process.env.TXN_URL;
  const out = {};
  // Prisma 6 without pgbouncer=true names its statements (s0, s1, ...): the second client meets the first one's
  const a = new pg.Client({ connectionString: url }), b = new pg.Client({ connectionString: url });
  await a.connect(); await b.connect();
  await a.query({ name: "s0", text: "select 1 as x" });
  try { await b.query({ name: "s0", text: "select 1 as x" }); out.named = "ok"; }
  catch (e) { out.named = `${e.code} ${e.message}`; }
  await a.end(); await b.end();
  // Prisma 7's adapter-pg sends unnamed statements: interleaved clients work
  const one = await new PrismaPg({ connectionString: url }).connect();
  const two = await new PrismaPg({ connectionString: url }).connect();
  const rows = [];
  for (let i = 0; i < 10; i++) {
    const [r1, r2] = await Promise.all([
      one.queryRaw({ sql: "select $1::int + 0 as n", args: [i], argTypes: [{ scalarType: "int", arity: "scalar" }] }),
      two.queryRaw({ sql: "select $1::int + 100 as n", args: [i], argTypes: [{ scalarType: "int", arity: "scalar" }] }),
    ]);
    rows.push([r1.rows[0][0], r2.rows[0][0]]);
  }
  const tx = await one.startTransaction();
  await tx.executeRaw({ sql: "create temp table t7 (x int) on commit drop", args: [], argTypes: [] });
  const inTx = await tx.queryRaw({ sql: "select count(*)::int from t7", args: [], argTypes: [] });
  await tx.commit();
  out.unnamed = rows; out.inTx = inTx.rows[0][0];
  await one.dispose(); await two.dispose();
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"""


@pytest.mark.slow
def test_node_postgres_and_prisma7_adapter_on_the_transaction_port(sandbox: SandboxInfo, fresh_role: tuple[str, str],
                                                                   prisma7_project: PreparedProject) -> None:
    require_tool("node")
    name, password = fresh_role
    script = prisma7_project.path / "txn-check.cjs"
    script.write_text(NODE_SCRIPT)
    try:
        proc = subprocess.run(["node", str(script)], cwd=prisma7_project.path, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "TXN_URL": sandbox.target.url(name, password,
                                                                                            "transaction")})
    finally:
        script.unlink()
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["named"] == '42P05 prepared statement "s0" already exists'  # Prisma 6's error on Supabase
    assert found["unnamed"] == [[i, 100 + i] for i in range(10)]
    assert found["inTx"] == 0
