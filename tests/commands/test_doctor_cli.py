"""`supatui doctor`: every line has a mark and a word, exit code follows the failures, done in seconds."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def supatui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supatui", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})})


def _closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


def test_human_output(tmp_path: Path) -> None:
    started = time.monotonic()
    proc = supatui("doctor", "--dir", str(tmp_path), env={"NO_COLOR": "1"})
    assert time.monotonic() - started < 10
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith(("✓ PASS", "! WARN", "✗ FAIL"))]
    assert len(lines) == 14  # 11 + proxy, disk, sandbox dry run
    assert "\x1b[" not in proc.stdout  # NO_COLOR: words and marks, no escape codes
    failed = any(line.startswith("✗ FAIL") for line in lines)
    assert proc.returncode == (1 if failed else 0)
    assert str(tmp_path) in proc.stdout


def test_json_offline_engine_fails_with_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The session's Prisma fixture may have set the offline engine for the whole run: this check is about downloads.
    monkeypatch.delenv("PRISMA_SCHEMA_ENGINE_BINARY", raising=False)
    port = _closed_port()
    proc = supatui("doctor", "--json", "--dir", str(tmp_path),
                   env={"PRISMA_ENGINES_MIRROR": f"http://127.0.0.1:{port}", "HTTPS_PROXY": "", "https_proxy": ""})
    data = json.loads(proc.stdout)
    engines = next(c for c in data["checks"] if c["name"] == "prisma engines")
    assert engines["status"] == "fail" and "PRISMA_ENGINES_MIRROR" in engines["fix"]
    assert proc.returncode == 1 and data["ok"] is False


def test_all_pass_exits_0(tmp_path: Path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    try:
        env = {"PRISMA_ENGINES_MIRROR": f"http://127.0.0.1:{port}", "npm_config_registry": f"http://127.0.0.1:{port}/",
               "HTTPS_PROXY": "", "https_proxy": ""}
        proc = supatui("doctor", "--json", "--dir", str(tmp_path), env=env)
    finally:
        server.close()
    data = json.loads(proc.stdout)
    statuses = {c["name"]: c["status"] for c in data["checks"]}
    assert statuses["prisma engines"] == "pass" and statuses["npm registry"] == "pass"
    assert proc.returncode == (0 if "fail" not in statuses.values() else 1)


def test_folder_that_is_a_file_fails(tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    proc = supatui("doctor", "--json", "--dir", str(a_file))
    folder = next(c for c in json.loads(proc.stdout)["checks"] if c["name"] == "folder")
    assert folder["status"] == "fail" and folder["fix"] and proc.returncode == 1
