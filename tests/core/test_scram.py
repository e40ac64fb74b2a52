"""Issue 10 defect 3: step 1 sends a SCRAM verifier, never the plaintext, so no server log holds it.

The verifier is checked three ways: byte-for-byte against libpq's own ``PQencryptPasswordConn``
with the same salt (psql's ``\\password``), by logging in with the password after step 1 set it,
and by reading the sandbox's PostgreSQL log with ``log_statement=ddl`` and a failing statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from supatui.core import scram
from supatui.core.context import Secrets, StepContext, WalkthroughConfig
from supatui.core.database import connect_target
from supatui.core.rolesql import guide_statements, password_statement, step1_sql_for_editor
from supatui.core.steps.role import RoleStep
from tests.core.test_role_step import drop_role

CANARY = "Kanari3Scram-ü✓'\" $x"
PASSWORDS = [
    "plain-ascii-42", CANARY, "p@ss:w/o%rd#?'\" $ünï✓日本",
    "\uff21\uff22c\u00a0d\u00ade",  # fullwidth letters (NFKC), no-break space (mapped to space), soft hyphen (dropped)
    "ﬁ-ligature-Ⅻ", "bell\u0007ü",  # NFKC changes; a prohibited control character (raw bytes used)
    "\ue000private", "\u05d0abc\u05d1",  # private use; bidi mix (both fall back to the raw bytes)
    "\u05d0\u05d1\u05d2",  # RandALCat only: valid bidi
    "\u00ad\u200b", "\u00ad",  # U+200B is a space to PostgreSQL; only-soft-hyphen maps to empty (raw used)
    "\u2000x\u3000ü", "\u0627\u0031\u0628",  # more spaces; RandALCat around a digit
]


def test_statement_text_has_no_plaintext() -> None:
    for exists in (False, True):
        text = password_statement("prisma", CANARY, exists).as_string(None)
        assert "Kanari3Scram" not in text and "SCRAM-SHA-256$4096:" in text
    assert all("Kanari3Scram" not in s.query.as_string(None) for s in guide_statements("prisma", CANARY, exists=False))
    editor = step1_sql_for_editor("prisma", masked=False, password=CANARY)
    assert "Kanari3Scram" not in editor and editor.count("SCRAM-SHA-256$") == 2


def _admin_conn(sandbox: Any) -> psycopg.Connection[Any]:
    return connect_target(sandbox.target, "postgres", sandbox.postgres_password, "session")


@pytest.mark.parametrize("password", PASSWORDS)
def test_verifier_equals_libpq_with_the_same_salt(sandbox: Any, password: str) -> None:
    with _admin_conn(sandbox) as conn:
        theirs = conn.pgconn.encrypt_password(password.encode(), b"prisma", b"scram-sha-256").decode()
    iterations, salt = scram.parse(theirs)
    assert scram.verifier(password, salt=salt, iterations=iterations) == theirs
    assert scram.matches(theirs, password) and not scram.matches(theirs, password + "x")


@pytest.fixture
def superuser(sandbox: Any, sandbox_manager: Any) -> Iterator[psycopg.Connection[Any]]:
    """supabase_admin over the sandbox's private socket (trusted; we are root or the server's user)."""
    cluster = sandbox_manager._cluster
    assert cluster is not None, "the session sandbox's cluster object is not available"
    try:
        conn = psycopg.connect(host=str(cluster.run_dir), port=cluster.port, user="supabase_admin", dbname="postgres",
                               autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"cannot reach the sandbox socket as supabase_admin: {exc}")
    with conn:
        yield conn


def test_server_log_never_holds_the_password(sandbox: Any, sandbox_manager: Any, tmp_path: Path,
                                             superuser: psycopg.Connection[Any]) -> None:
    log: Path = sandbox_manager._cluster.log
    start = log.stat().st_size
    role = f"prisma_s{uuid.uuid4().hex[:8]}"
    superuser.execute("alter role postgres set log_statement = 'ddl'")
    try:
        ctx = StepContext(WalkthroughConfig(project_dir=tmp_path, target=sandbox.target, role=role),
                          Secrets(admin_password=sandbox.postgres_password, prisma_password=CANARY))
        RoleStep().run(ctx, lambda e: None)  # create user … (logged by log_statement=ddl)
        with connect_target(sandbox.target, role, CANARY, "session") as conn:  # the role logs in with it
            assert conn.execute("select current_user").fetchone() == (role,)
        stored = superuser.execute(sql.SQL("select rolpassword from pg_authid where rolname = {}").format(
            sql.Literal(role))).fetchone()
        assert stored is not None and scram.matches(stored[0], CANARY)
        # A failing statement is logged with its text, ddl or not.
        with _admin_conn(sandbox) as conn, pytest.raises(psycopg.errors.UndefinedObject):
            conn.execute(password_statement(f"{role}_missing", CANARY, True))
    finally:
        superuser.execute("alter role postgres reset log_statement")
        drop_role(sandbox, role)
    text = log.read_bytes()[start:].decode("utf-8", "replace")
    assert f'create user "{role}" with password \'SCRAM-SHA-256$' in text, "log_statement=ddl logged nothing"
    assert f'alter user "{role}_missing" with password \'SCRAM-SHA-256$' in text, "the failing statement was not logged"
    assert "Kanari3Scram" not in text
