"""A standalone router process on free ports, with its own config, in front of the shared sandbox."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supatui.sandbox import router


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RouterProc:
    proc: subprocess.Popen[bytes]
    config_path: Path
    log_path: Path
    session_port: int
    transaction_port: int
    config: dict[str, Any]
    direct_port: int = 0

    def reload(self, config: dict[str, Any] | str) -> None:
        self.config_path.write_text(config if isinstance(config, str) else json.dumps(config))
        self.proc.send_signal(signal.SIGHUP)
        time.sleep(0.3)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the router exited at start"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise AssertionError("the router did not listen in time")


@contextmanager
def running_router(tmp_path: Path, tenants: dict[str, Any], direct: dict[str, Any] | None = None,
                   **extra: Any) -> Iterator[RouterProc]:
    """Start the router script with the given tenants (and extra config keys; ``direct``: a direct listener's
    ``upstream``/``enforce_ssl``, on ``RouterProc.direct_port``)."""
    session, transaction, direct_port = free_port(), free_port(), free_port()
    listeners: list[dict[str, Any]] = [{"kind": "session", "host": "127.0.0.1", "port": session},
                                       {"kind": "transaction", "host": "127.0.0.1", "port": transaction}]
    if direct is not None:
        listeners.append({"kind": "direct", "host": "127.0.0.1", "port": direct_port, **direct})
    config: dict[str, Any] = {"listeners": listeners, "tenants": tenants, **extra}
    path = tmp_path / "router.json"
    path.write_text(json.dumps(config))
    log_path = tmp_path / "router.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen([sys.executable, "-I", router.__file__, str(path)], stdin=subprocess.DEVNULL,
                                stdout=log, stderr=log, env={**os.environ})
    try:
        _wait_listening(session, proc)
        _wait_listening(transaction, proc)
        yield RouterProc(proc, path, log_path, session, transaction, config, direct_port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
