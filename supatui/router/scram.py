"""SCRAM-SHA-256 as Supavisor does it: check the client's proof against the role's stored verifier, keep the
ClientKey it reveals, and log in upstream with that ClientKey (no password ever known to the router).

Supavisor: lib/supavisor/client_handler/auth_methods/scram.ex (server side, ``validate_scram_proof``) and
its upstream use of ``client_key``; RFC 5802 / 7677 for the messages.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import socket
import struct
from dataclasses import dataclass

from supatui.router import wire

SASL, SASL_CONTINUE, SASL_FINAL, AUTH_OK = 10, 11, 12, 0
MECHANISM = "SCRAM-SHA-256"


@dataclass(frozen=True)
class Verifier:
    iterations: int
    salt: bytes
    stored_key: bytes
    server_key: bytes

    @classmethod
    def parse(cls, text: str) -> Verifier | None:
        """``SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>`` as in pg_authid.rolpassword."""
        try:
            scheme, rest = text.split("$", 1)
            head, keys = rest.split("$", 1)
            iterations, salt = head.split(":", 1)
            stored, server = keys.split(":", 1)
            if scheme != MECHANISM:
                return None
            b64 = base64.b64decode
            return cls(int(iterations), b64(salt), b64(stored), b64(server))
        except (ValueError, TypeError):
            return None


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.digest(key, text.encode(), "sha256")


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _attrs(text: str) -> dict[str, str]:
    return {part[0]: part[2:] for part in text.split(",") if len(part) >= 2 and part[1] == "="}


def _auth(code: int, data: bytes = b"") -> bytes:
    return wire.message(b"R", struct.pack("!i", code) + data)


def authenticate_client(sock: socket.socket, verifier: Verifier, user: str) -> bytes:
    """Run the server side of SCRAM with the client; return the ClientKey, or raise wrong_password."""
    sock.sendall(_auth(SASL, MECHANISM.encode() + b"\0\0"))
    tag, body = wire.read_message(sock)
    if tag != b"p":
        raise wire.startup_error("unexpected_message")
    mechanism, _, rest = body.partition(b"\0")
    if mechanism.decode(errors="replace") != MECHANISM or len(rest) < 4:
        raise wire.ClientError("(EAUTHPROTOCOL) unsupported SASL mechanism", "28000")
    first = rest[4:].decode(errors="replace")
    gs2, _, first_bare = first.partition(",,") if first[:1] in "ny" else ("", "", "")
    if not first_bare:
        raise wire.ClientError("(EAUTHPROTOCOL) malformed SCRAM message", "08P01")
    client_nonce = _attrs(first_bare).get("r", "")
    nonce = client_nonce + base64.b64encode(secrets.token_bytes(18)).decode()
    server_first = f"r={nonce},s={base64.b64encode(verifier.salt).decode()},i={verifier.iterations}"
    sock.sendall(_auth(SASL_CONTINUE, server_first.encode()))
    tag, body = wire.read_message(sock)
    if tag != b"p":
        raise wire.startup_error("unexpected_message")
    final = body.decode(errors="replace")
    without_proof, _, proof_b64 = final.rpartition(",p=")
    attrs = _attrs(without_proof)
    try:
        proof = base64.b64decode(proof_b64)
    except ValueError:
        proof = b""
    auth_message = f"{first_bare},{server_first},{without_proof}"
    signature = _hmac(verifier.stored_key, auth_message)
    client_key = _xor(proof, signature) if len(proof) == len(signature) else b""
    if attrs.get("r") != nonce or not hmac.compare_digest(hashlib.sha256(client_key).digest(), verifier.stored_key):
        raise wire.wrong_password(user)
    server_signature = base64.b64encode(_hmac(verifier.server_key, auth_message)).decode()
    sock.sendall(_auth(SASL_FINAL, f"v={server_signature}".encode()))
    return client_key


def login_upstream(up: socket.socket, stored_key: bytes, client_key: bytes) -> tuple[bytes, bytes]:
    """Answer the upstream's authentication with the ClientKey; return the first message after it
    (AuthenticationOk's successor handling is the caller's): (tag, body) of AuthenticationOk or an error."""
    first_bare = ""
    while True:
        tag, body = wire.read_message(up)
        if tag != b"R":
            return tag, body
        code = struct.unpack("!i", body[:4])[0]
        if code == AUTH_OK:
            return tag, body
        if code == SASL:
            client_nonce = base64.b64encode(secrets.token_bytes(18)).decode()
            first_bare = f"n=,r={client_nonce}"
            first = f"n,,{first_bare}".encode()
            up.sendall(wire.message(b"p", MECHANISM.encode() + b"\0" + struct.pack("!i", len(first)) + first))
        elif code == SASL_CONTINUE:
            server_first = body[4:].decode()
            nonce = _attrs(server_first).get("r", "")
            without_proof = f"c=biws,r={nonce}"
            auth_message = f"{first_bare},{server_first},{without_proof}"
            proof = _xor(client_key, _hmac(stored_key, auth_message))
            up.sendall(wire.message(b"p", f"{without_proof},p={base64.b64encode(proof).decode()}".encode()))
        elif code == SASL_FINAL:
            continue
        else:
            return b"E", wire.error_response(f"the upstream asked for an unsupported authentication method ({code})",
                                             "28000")[5:]
