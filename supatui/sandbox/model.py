"""The sandbox's data: what a client needs (SandboxInfo), what `status` shows, what is kept on disk.

``state.json`` holds ports, ref and pids, never a password: the ``postgres`` password lives in
the OS keyring (or, when there is none, a 0600 file next to the state, and `status` says so).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from supatui.core.connstr import ConnectionTarget
from supatui.core.errors import SupatuiError

POOLER_HOST = "127.0.0.1"
JSON_KEYS = ("ref", "pooler_host", "session_port", "transaction_port", "direct_port", "postgres_password",
             "session_url", "transaction_url", "direct_url", "ca_file")


def sandbox_home() -> Path:
    """``$SUPATUI_HOME``, else the platform's user data dir for supatui."""
    env = os.environ.get("SUPATUI_HOME")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("supatui", appauthor=False))


@dataclass(frozen=True)
class SandboxInfo:
    """How to reach a running sandbox, as ``supatui sandbox start --json`` prints it."""

    ref: str
    pooler_host: str
    session_port: int
    transaction_port: int
    direct_port: int
    postgres_password: str = field(repr=False)
    session_url: str = field(repr=False)
    transaction_url: str = field(repr=False)
    direct_url: str = field(repr=False)
    transaction_pooling: bool = True  # the transaction port pools by transaction (the router's own pool)
    ca_file: str = ""  # the sandbox's root certificate (sslrootcert=...), as the Dashboard's "Server root certificate"

    @property
    def target(self) -> ConnectionTarget:
        return ConnectionTarget(self.ref, self.pooler_host, self.session_port, self.transaction_port,
                                direct_host="127.0.0.1", direct_port=self.direct_port)

    @classmethod
    def build(cls, ref: str, session_port: int, transaction_port: int, direct_port: int, password: str,
              transaction_pooling: bool, ca_file: str = "") -> SandboxInfo:
        target = ConnectionTarget(ref, POOLER_HOST, session_port, transaction_port,
                                  direct_host="127.0.0.1", direct_port=direct_port)
        return cls(ref, POOLER_HOST, session_port, transaction_port, direct_port, password,
                   target.url("postgres", password, "session"), target.url("postgres", password, "transaction"),
                   target.url("postgres", password, "direct"), transaction_pooling, ca_file)

    def to_json(self) -> dict[str, Any]:
        """Exactly the documented ``--json`` keys (the real password included, as asked for)."""
        data = asdict(self)
        return {key: data[key] for key in JSON_KEYS}


@dataclass(frozen=True)
class SandboxStatus:
    running: bool
    info: SandboxInfo | None
    transaction_pooling: bool  # the transaction port pools by transaction (the router itself, on every machine)
    run_as: str  # OS user the servers run as
    run_as_switched: bool  # True when we are root and the servers run as another user
    data_dir: Path
    password_store: str = ""  # "keyring" or a file path
    components: dict[str, bool] = field(default_factory=dict)  # postgres / router alive
    notes: list[str] = field(default_factory=list)
    postgres_major: int = 0  # the sandbox server's PostgreSQL major (0: not created yet)


@dataclass
class State:
    """What ``state.json`` keeps between runs."""

    ref: str
    session_port: int
    transaction_port: int
    direct_port: int
    cluster_dir: str
    initialized: bool = False
    password_store: str = "keyring"  # or "file"
    pgbouncer_port: int = 0
    router_pid: int = 0
    pgbouncer_pid: int = 0
    bin_dir: str = ""
    run_as: str = ""
    pg_port: int = 0  # PostgreSQL's own port behind the router's TLS direct port (0: PostgreSQL is the direct port)
    enforce_ssl: bool = False

    @classmethod
    def load(cls, path: Path) -> State | None:
        try:
            text = path.read_text()
        except FileNotFoundError:
            return None
        try:
            raw = json.loads(text)
            known = {f.name for f in fields(cls)}
            return cls(**{key: value for key, value in raw.items() if key in known})
        except (ValueError, TypeError):
            raise SupatuiError(f"The sandbox's state file {path} is damaged.",
                               "Run `supatui sandbox reset` to wipe the sandbox and start fresh.",
                               code="sandbox-corrupt") from None

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2) + "\n")
        os.replace(tmp, path)
