"""The suite's one sandbox: a real Supabase-shaped PostgreSQL behind the Supavisor-style router.

Session-scoped and started under the test session's SUPATUI_HOME (set by tests/conftest.py, which
star-imports this module), so every test that needs a database shares one cluster (≈0.5 s to start)
and it is stopped when the session ends. Use ``sandbox.target`` for a ConnectionTarget and
``sandbox.session_url`` / ``transaction_url`` / ``direct_url`` for ``postgres`` URLs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from supatui.sandbox import Sandbox, SandboxInfo

__all__ = ["sandbox", "sandbox_manager"]

# The suite's sandboxes serve hundreds of tests, so Supavisor's circuit breaker, secrets cache and Nano-sized
# session limit are off or wide here (many tests log in with wrong or changed passwords, some leak clients);
# tests/sandbox/test_protections.py checks each of them on a router of its own.
os.environ.setdefault("SUPATUI_SANDBOX_CIRCUIT_BREAKER", "off")
os.environ.setdefault("SUPATUI_SANDBOX_AUTH_CACHE_SECONDS", "0")
os.environ.setdefault("SUPATUI_SANDBOX_MAX_CLIENTS", "200,400")


@pytest.fixture(scope="session")
def sandbox_manager() -> Iterator[Sandbox]:
    """The Sandbox object behind the ``sandbox`` fixture (ports picked freely, never the defaults)."""
    manager = Sandbox(Path(os.environ["SUPATUI_HOME"]), ports="auto")
    try:
        yield manager
    finally:
        manager.stop()


@pytest.fixture(scope="session")
def sandbox(sandbox_manager: Sandbox) -> SandboxInfo:
    """A running sandbox's connection info (ref, ports, postgres password, URLs, ``.target``)."""
    return sandbox_manager.start()
