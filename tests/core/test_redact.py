from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supatui.core.errors import StepFailed, SupatuiError
from supatui.core.events import Event, EventKind
from supatui.core.redact import MASK, forget_secrets, mask_url_password, redact, register_secret

CANARY = "c@n:a/r%y#?'\" $é"


@pytest.fixture(autouse=True)
def _clean() -> None:
    forget_secrets()


def test_masks_every_form_of_a_secret() -> None:
    register_secret(CANARY)
    forms = [CANARY, urllib.parse.quote(CANARY, safe=""), urllib.parse.quote_plus(CANARY, safe=""),
             CANARY.replace("'", "''")]
    for form in forms:
        assert redact(f"before {form} after") == f"before {MASK} after"


def test_short_or_empty_secrets_are_ignored() -> None:
    register_secret("")
    register_secret("abc")
    assert redact("abc") == "abc"


def test_errors_and_events_are_redacted_on_creation() -> None:
    register_secret(CANARY)
    error = StepFailed("role", f"failed with {CANARY}", f"hint {CANARY}", output=f"out {CANARY}")
    assert CANARY not in error.message + error.hint + error.output + str(error)
    event = Event("role", EventKind.OUTPUT, f"line {CANARY}", {"argv": ["x", CANARY], "nested": {"k": CANARY}})
    assert CANARY not in repr(event)
    assert CANARY not in repr(SupatuiError(CANARY))


def test_mask_url_password_without_registration() -> None:
    url = "postgresql://postgres.abcdefghijklmnopqrst:s3cret-pw@h:5432/postgres"
    assert mask_url_password(url) == "postgresql://postgres.abcdefghijklmnopqrst:****@h:5432/postgres"


@given(st.text(min_size=4, max_size=40).filter(lambda s: s.strip() == s and len(set(s)) > 2))
def test_registered_secret_never_survives(secret: str) -> None:
    forget_secrets()
    register_secret(secret)
    text = f"url=postgresql://u:{urllib.parse.quote(secret, safe='')}@h/db raw={secret}"
    out = redact(text)
    assert secret not in out
    assert urllib.parse.quote(secret, safe="") not in out
