"""Where the sandbox keeps its postgres password: the OS keyring, else a 0600 file beside its state.

A fresh laptop or CI box often has no usable keyring, and `supatui sandbox start` must still
work there; the file fallback is said out loud by `status`. A keyring that exists but cannot be
read right now (locked) is an error, never "no password": that would rotate the password.
"""

from __future__ import annotations

import os
from pathlib import Path

from supatui.core import secrets
from supatui.core.errors import SupatuiError
from supatui.core.redact import register_secret
from supatui.sandbox.model import State


class PasswordStore:
    def __init__(self, file: Path, state_path: Path) -> None:
        self.file = file
        self.state_path = state_path

    def store(self, state: State, password: str) -> None:
        try:
            secrets.set_password(state.ref, "postgres", password)
            state.password_store = "keyring"
            self.file.unlink(missing_ok=True)
        except secrets.KeyringUnavailable:
            fd = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(password + "\n")
            state.password_store = "file"
        state.save(self.state_path)

    def load(self, state: State, *, strict: bool = False) -> str | None:
        """The stored password, or None when the store really has none.

        ``strict``: a keyring that cannot be read right now (locked, no backend) is an error, not
        "no password" — otherwise starting would rotate the password and orphan the keyring entry.
        """
        password: str | None = None
        if state.password_store == "keyring":
            try:
                password = secrets.get_password(state.ref, "postgres")
            except secrets.KeyringUnavailable as exc:
                if strict:
                    raise SupatuiError(
                        f"The sandbox's postgres password is in the OS keyring, which cannot be read now ({exc.message})",
                        "Unlock the keyring and run the command again, or run `supatui sandbox reset` to start over.",
                        code="keyring-unavailable",
                    ) from None
        if password is None and self.file.exists():
            password = self.file.read_text().strip() or None
        register_secret(password)
        return password

    def label(self, state: State) -> str:
        return str(self.file) if state.password_store == "file" else "keyring"
