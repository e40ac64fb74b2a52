"""A throwaway login role in the session sandbox, dropped afterwards (the sandbox is shared by the suite)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

import psycopg
from psycopg import sql

from supatui.sandbox import SandboxInfo


@contextlib.contextmanager
def login_role(sandbox: SandboxInfo, prefix: str, password_bytes: int = 16) -> Iterator[tuple[str, str]]:
    """(name, password) of a new role made through the direct port; dropped on exit."""
    name, password = f"{prefix}_{secrets.token_hex(4)}", secrets.token_hex(password_bytes)
    with psycopg.connect(sandbox.direct_url, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login password {}").format(sql.Identifier(name), sql.Literal(password)))
    try:
        yield name, password
    finally:
        with psycopg.connect(sandbox.direct_url, autocommit=True) as conn:
            conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))
