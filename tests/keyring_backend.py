"""A file-backed keyring backend for tests, selected through keyring's own mechanism.

``PYTHON_KEYRING_BACKEND=tests.keyring_backend.FileKeyring`` with ``SUPATUI_TEST_KEYRING``
naming a JSON file; it works across processes (the CLI runs as a child in some tests), and
tests can read the file to see exactly what was stored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def _path(self) -> Path:
        return Path(os.environ["SUPATUI_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        if os.environ.get("SUPATUI_TEST_KEYRING_LOCKED"):
            raise KeyringLocked("the test keyring is locked")
        try:
            data: dict[str, str] = json.loads(self._path.read_text())
        except FileNotFoundError:
            return {}
        return data

    def _save(self, data: dict[str, str]) -> None:
        self._path.write_text(json.dumps(data))

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\0{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\0{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._save(data)


class MemoryKeyring(FileKeyring):
    """One test's keyring, in memory: tests/ui/conftest.py gives each UI test a fresh one, so a password
    stored by one test is never found by the next (in-process only; the CLI in a child uses FileKeyring)."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, str] = {}

    def _load(self) -> dict[str, str]:
        if os.environ.get("SUPATUI_TEST_KEYRING_LOCKED"):
            raise KeyringLocked("the test keyring is locked")
        return dict(self.entries)

    def _save(self, data: dict[str, str]) -> None:
        self.entries = dict(data)
