"""The router's optional login_log (a contract with the workshop room, issue 14)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import psycopg
import pytest

from supatui.sandbox import SandboxInfo
from tests.sandbox.router_proc import running_router


def test_login_log_gets_one_line_per_successful_login(sandbox: SandboxInfo, tmp_path: Path) -> None:
    log = tmp_path / "logins.jsonl"
    tenants = {sandbox.ref: {"session": ["127.0.0.1", sandbox.direct_port],
                             "transaction": ["127.0.0.1", sandbox.direct_port],
                             "direct": ["127.0.0.1", sandbox.direct_port]}}
    with running_router(tmp_path, tenants, login_log=str(log)) as router:
        for port in (router.session_port, router.transaction_port):
            with psycopg.connect(host="127.0.0.1", port=port, user=f"postgres.{sandbox.ref}", dbname="postgres",
                                 password=sandbox.postgres_password, connect_timeout=5) as conn:
                conn.execute("select 1")
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(host="127.0.0.1", port=router.session_port, user=f"postgres.{sandbox.ref}",
                            dbname="postgres", password="wrong", connect_timeout=5)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(x["ref"], x["user"], x["kind"]) for x in lines] == [(sandbox.ref, "postgres", "session"),
                                                                 (sandbox.ref, "postgres", "transaction")]
    at = datetime.datetime.fromisoformat(lines[0]["at"].replace("Z", "+00:00"))
    assert at.utcoffset() == datetime.timedelta(0)
    assert abs((datetime.datetime.now(datetime.UTC) - at).total_seconds()) < 60
