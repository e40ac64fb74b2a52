"""Real clients over TLS with the sandbox's CA: psql with sslmode=verify-full, and Prisma 7's driver adapter
(``new PrismaPg({ connectionString, ssl: { ca } })``, node-postgres underneath), on all three ports."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from supatui.sandbox import SandboxInfo, tls
from tests.conftest import require_tool

if TYPE_CHECKING:
    from tests.prisma_fixture import PreparedProject

pytest_plugins = ["tests.prisma_fixture"]

MODES = ["session", "transaction", "direct"]

NODE_SCRIPT = r"""
const fs = require("fs");
const pg = require("pg");
const { PrismaPg } = require("@prisma/adapter-pg");
(async () => {
  const out = {};
  for (const [name, url] of JSON.parse(process.env.URLS)) {
    const ssl = { ca: fs.readFileSync(process.env.CA_FILE, "utf8") };
    const adapter = await new PrismaPg({ connectionString: url, ssl }).connect();
    const result = await adapter.queryRaw({ sql: "select current_user::text as u", args: [], argTypes: [] });
    await adapter.dispose();
    const client = new pg.Client({ connectionString: url, ssl });
    await client.connect();
    const encrypted = client.connection.stream.encrypted === true;
    await client.end();
    let otherCa = "connected";
    const stranger = new pg.Client({ connectionString: url, ssl: { ca: fs.readFileSync(process.env.OTHER_CA, "utf8") } });
    try { await stranger.connect(); await stranger.end(); } catch (e) { otherCa = e.code || e.message; }
    out[name] = { user: result.rows[0][0], encrypted, otherCa };
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"""


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
@pytest.mark.parametrize("mode", MODES)
def test_psql_verify_full_with_the_sandbox_ca(sandbox: SandboxInfo, mode: str, host: str) -> None:
    psql = require_tool("psql")
    port = {"session": sandbox.session_port, "transaction": sandbox.transaction_port, "direct": sandbox.direct_port}[mode]
    user = "postgres" if mode == "direct" else f"postgres.{sandbox.ref}"
    conninfo = f"sslmode=verify-full sslrootcert={sandbox.ca_file} host={host} port={port} dbname=postgres user={user}"
    proc = subprocess.run([psql, conninfo, "-Atc", "select current_user"], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "PGPASSWORD": sandbox.postgres_password})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "postgres"


@pytest.mark.slow
def test_prisma7_adapter_connects_with_the_sandbox_ca(sandbox: SandboxInfo, prisma7_project: PreparedProject,
                                                      tmp_path: Path) -> None:
    require_tool("node")
    other = tls.ensure(tmp_path / "other")
    urls = [[mode, sandbox.target.url("postgres", sandbox.postgres_password, mode)] for mode in MODES]  # type: ignore[arg-type]
    script = prisma7_project.path / "tls-check.cjs"
    script.write_text(NODE_SCRIPT)
    try:
        proc = subprocess.run(["node", str(script)], cwd=prisma7_project.path, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "URLS": json.dumps(urls), "CA_FILE": sandbox.ca_file,
                                                "OTHER_CA": str(other.ca)})
    finally:
        script.unlink()
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    for mode in MODES:
        assert found[mode]["user"] == "postgres"
        assert found[mode]["encrypted"] is True
        assert found[mode]["otherCa"] in ("SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                                          "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"), found[mode]
