"""Passwords in the OS keyring (service ``supatui``, one entry per project ref + role).

Headless machines often have no usable keyring (keyring's ``fail`` backend, no D-Bus, a locked
Secret Service). Then :class:`KeyringUnavailable` says so plainly and callers fall back: the
wizard asks each time, the headless run reads ``SUPATUI_*_PASSWORD`` from the environment.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from supatui.core.errors import SupatuiError
from supatui.core.redact import register_secret

SERVICE = "supatui"
_ALPHABET = string.ascii_letters + string.digits


class KeyringUnavailable(SupatuiError):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"No usable OS keyring: {reason}",
            "Passwords will be asked for each time (or read from SUPATUI_DB_PASSWORD / SUPATUI_PRISMA_PASSWORD). "
            "To store them, install a keyring backend (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Locker).",
            code="keyring-unavailable",
        )


def account(ref: str, role: str) -> str:
    """The keyring user name for one project ref + role, e.g. ``abcd…wxyz/prisma``."""
    return f"{ref}/{role}"


def generate_password(length: int = 32) -> str:
    """A strong password of letters and digits: safe in SQL, URLs and every .env parser."""
    import secrets as _random  # here: the stdlib module (hashlib, hmac, base64) is not needed to start the wizard

    password = "".join(_random.choice(_ALPHABET) for _ in range(length))
    register_secret(password)
    return password


@dataclass(frozen=True)
class KeyringStatus:
    usable: bool
    backend: str
    detail: str = ""


def _backend() -> object:
    import keyring

    try:
        return keyring.get_keyring()
    except Exception as exc:  # SecretService without D-Bus raises RuntimeError here
        raise KeyringUnavailable(f"{type(exc).__name__}: {exc}") from None


def keyring_status() -> KeyringStatus:
    """Which backend keyring picked and whether it can store anything."""
    try:
        backend = _backend()
    except KeyringUnavailable as exc:
        return KeyringStatus(False, "none", exc.message)
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if name.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return KeyringStatus(False, name, "no recommended backend is available on this machine")
    return KeyringStatus(True, name)


def get_password(ref: str, role: str) -> str | None:
    """The stored password, or None when there is none. Raises KeyringUnavailable."""
    import keyring.errors

    backend = _backend()
    try:
        value: str | None = backend.get_password(SERVICE, account(ref, role))  # type: ignore[attr-defined]
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(str(exc) or type(exc).__name__) from None
    except Exception as exc:
        raise KeyringUnavailable(f"{type(exc).__name__}: {exc}") from None
    register_secret(value)
    return value


def set_password(ref: str, role: str, password: str) -> None:
    """Store the password. Raises KeyringUnavailable (never with the password in the text)."""
    import keyring.errors

    register_secret(password)
    backend = _backend()
    try:
        backend.set_password(SERVICE, account(ref, role), password)  # type: ignore[attr-defined]
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(str(exc) or type(exc).__name__) from None
    except Exception as exc:
        raise KeyringUnavailable(f"{type(exc).__name__}: {exc}") from None


def delete_password(ref: str, role: str) -> None:
    """Forget the password; a missing entry is not an error."""
    import keyring.errors

    try:
        _backend().delete_password(SERVICE, account(ref, role))  # type: ignore[attr-defined]
    except keyring.errors.PasswordDeleteError:
        return
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(str(exc) or type(exc).__name__) from None
