"""Each UI test gets its own empty keyring (tests/ui/conftest.py): a password stored here is gone in the next test.

The order matters and is the point: the first test stores what test_prisma_choice would otherwise load
(REF's prisma and postgres passwords); the second must not see it. Prove it end to end with
``pytest tests/ui/test_keyring_isolation.py tests/ui/test_prisma_choice.py``.
"""

from __future__ import annotations

from supatui.core import secrets
from tests.keyring_backend import MemoryKeyring
from tests.ui.helpers import REF  # the ref test_prisma_choice uses


def test_a_test_stores_passwords(fresh_keyring: MemoryKeyring) -> None:
    secrets.set_password(REF, "prisma", "Leaked-from-an-earlier-test-1")
    secrets.set_password(REF, "postgres", "Leaked-admin-2")
    assert secrets.get_password(REF, "prisma") == "Leaked-from-an-earlier-test-1"
    assert fresh_keyring.entries  # stored in this test's own keyring


def test_the_next_test_starts_empty(fresh_keyring: MemoryKeyring) -> None:
    assert secrets.get_password(REF, "prisma") is None
    assert secrets.get_password(REF, "postgres") is None
    assert fresh_keyring.entries == {}
