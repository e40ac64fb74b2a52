"""A PostgreSQL SCRAM-SHA-256 verifier computed here, so a plaintext password never reaches the server.

``create/alter user … password 'x'`` sends ``x`` in the statement text, and PostgreSQL writes a
failing statement (or every DDL with ``log_statement=ddl``) to its log, which Supabase shows in
the Dashboard's Log Explorer. psql's ``\\password`` avoids that by sending the verifier instead
(libpq ``PQencryptPasswordConn``, src/interfaces/libpq/fe-auth.c → src/common/scram-common.c
``scram_build_secret``); PostgreSQL stores a string already in this form as is (src/backend/
libpq/crypt.c ``get_password_type``). Format (RFC 5802/7677, PostgreSQL docs "Password
Authentication")::

    SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>

The password is first normalised with SASLprep exactly as PostgreSQL does (src/common/saslprep.c
``pg_saslprep``): pure ASCII is used as is; otherwise map non-ASCII spaces to U+0020, drop the
"mapped to nothing" characters, NFKC-normalise, and if anything prohibited, unassigned or
bidi-invalid remains, fall back to the raw bytes (the server and libpq do the same at login).
tests/core/test_scram.py checks this against libpq's own verifier with the same salt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import stringprep
import unicodedata

ITERATIONS = 4096  # PostgreSQL's default scram_iterations
SALT_LEN = 16  # SCRAM_DEFAULT_SALT_LEN
PREFIX = "SCRAM-SHA-256$"

# RFC 3454 table C.1.2 as PostgreSQL has it (non_ascii_space_ranges); Python's in_table_c12 misses U+200B.
_NON_ASCII_SPACE = frozenset({0x00A0, 0x1680, *range(0x2000, 0x200C), 0x202F, 0x205F, 0x3000})
_PROHIBITED = (
    stringprep.in_table_c12, stringprep.in_table_c21_c22, stringprep.in_table_c3, stringprep.in_table_c4,
    stringprep.in_table_c5, stringprep.in_table_c6, stringprep.in_table_c7, stringprep.in_table_c8,
    stringprep.in_table_c9, stringprep.in_table_a1,
)


def saslprep(password: str) -> bytes:
    """The bytes PostgreSQL hashes for ``password`` (SASLprep, or the raw UTF-8 when SASLprep refuses it).

    Step for step as ``pg_saslprep``: map, refuse an empty result, check prohibited/unassigned and
    bidi on the mapped characters, return their NFKC form.
    """
    raw = password.encode("utf-8")
    if password.isascii():
        return raw
    mapped = "".join(" " if ord(ch) in _NON_ASCII_SPACE else ch for ch in password if ord(ch) in _NON_ASCII_SPACE
                     or not stringprep.in_table_b1(ch))
    if not mapped or any(check(ch) for ch in mapped for check in _PROHIBITED):
        return raw
    rand_al = [stringprep.in_table_d1(ch) for ch in mapped]
    bidi_bad = any(stringprep.in_table_d2(ch) for ch in mapped) or not (rand_al[0] and rand_al[-1])
    if any(rand_al) and bidi_bad:
        return raw
    return unicodedata.normalize("NFKC", mapped).encode("utf-8")


def verifier(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """``SCRAM-SHA-256$…`` for ``password`` (a fresh random salt unless one is given, for tests)."""
    salt = secrets.token_bytes(SALT_LEN) if salt is None else salt
    salted = hashlib.pbkdf2_hmac("sha256", saslprep(password), salt, iterations)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return f"{PREFIX}{iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def parse(secret: str) -> tuple[int, bytes]:
    """Iterations and salt of a verifier (ValueError when it is not one)."""
    if not secret.startswith(PREFIX):
        raise ValueError("not a SCRAM-SHA-256 verifier")
    head, _, _keys = secret[len(PREFIX):].partition("$")
    iterations, _, salt = head.partition(":")
    return int(iterations), base64.b64decode(salt, validate=True)


def matches(secret: str, password: str) -> bool:
    """Whether ``secret`` is the verifier of ``password`` (recomputed with its salt)."""
    try:
        iterations, salt = parse(secret)
    except ValueError:
        return False
    return hmac.compare_digest(verifier(password, salt=salt, iterations=iterations), secret)
