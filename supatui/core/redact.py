"""One redaction function for every log line, preview, transcript and error text.

Secrets are registered once (when read from the keyring, the environment or a prompt) and
every text that leaves the core passes through :func:`redact`, which masks the secret in each
form it can take on the way out: raw, percent-encoded (URLs), form-encoded, and the escaped
forms dotenv and SQL literals give it.
"""

from __future__ import annotations

import re
import threading
import urllib.parse

MASK = "****"

_lock = threading.Lock()
_secrets: set[str] = set()
_forms: list[str] = []


def _forms_of(secret: str) -> set[str]:
    forms = {
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret, safe=""),
        urllib.parse.quote(secret),
        secret.replace("'", "''"),  # SQL literal
        secret.replace("'", "\\'"),  # python-dotenv single-quoted
        secret.replace("\\", "\\\\").replace('"', '\\"'),  # double-quoted env value
    }
    return {form for form in forms if form}


def register_secret(secret: str | None) -> None:
    """Remember a secret so that :func:`redact` masks it from now on (min 4 chars)."""
    if not secret or len(secret) < 4:
        return
    with _lock:
        if secret in _secrets:
            return
        _secrets.add(secret)
        merged = set(_forms) | _forms_of(secret)
        # Longest first, so an encoded form is masked before a raw substring of it.
        _forms[:] = sorted(merged, key=len, reverse=True)


def forget_secrets() -> None:
    """Drop every registered secret (tests)."""
    with _lock:
        _secrets.clear()
        _forms.clear()


def redact(text: str) -> str:
    """Return ``text`` with every registered secret, in every form, replaced by ``****``."""
    if not _forms or not text:
        return text
    for form in _forms:
        if form in text:
            text = text.replace(form, MASK)
    return text


# A URL's password (registered or not): the user part, then everything up to the last '@' before the host.
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@\"']+:)([^\s\"'<>]+)@(?=[^\s@\"']*(?:[\s\"'<>]|$))", re.I)
_KEYWORD_PASSWORD = re.compile(r"\b((?:PG)?PASSWORD\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|\S+)", re.I)


def mask_text(text: str) -> str:
    """:func:`redact`, then mask every URL password and ``password=`` pair, registered or not.

    For text that may hold a secret nobody registered: a pasted error, a diff of ``.env``.
    """
    text = redact(text)
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + "@", text)
    return _KEYWORD_PASSWORD.sub(lambda m: m.group(1) + MASK, text)


def mask_url_password(url: str) -> str:
    """Mask the password part of a connection URL, registered or not."""
    return mask_text(url)
