"""Issue 15's promise: a room without internet still gets from an empty folder to rows.

A kit is built once per session here (real npm registry, real pip). The native schema engine cannot
be downloaded on these machines, so the kit gets the test-only stand-in as the engine file of this
platform, behind a small launcher script; the kit registers it under the real engine hash path, and
the Prisma CLI downloads it from the kit through PRISMA_ENGINES_MIRROR like any engine.

Then the whole walkthrough runs as a child process with no way out: npm's registry at a closed port,
an empty npm cache, every proxy at a closed port, an empty Prisma engine cache, and
PRISMA_SCHEMA_ENGINE_BINARY unset. Once from the kit folder (served in-process on 127.0.0.1), once
from `supatui kit serve` over loopback into a second project folder.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, require_tool

pytestmark = pytest.mark.slow
pytest_plugins = ["tests.prisma_fixture"]
_CACHE: dict[str, Any] = {}


def _closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


def _supatui(*args: str, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supatui", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def offline_kit(prisma_engine: str | None, prisma_root: Path) -> Path:
    """One kit per session: this platform only (CI time), the stand-in engine when the native one is unreachable."""
    require_tool("npm")
    if "kit" in _CACHE:
        return _CACHE["kit"]  # type: ignore[no-any-return]
    from supatui.kit.platforms import current_prisma_target

    target = current_prisma_target(prisma_root / "engine-probe")
    kit = prisma_root / "kit"
    args = ["kit", "build", str(kit), "--platforms", target]
    if prisma_engine:  # the stand-in runs with node from its own folder; the kit holds a launcher for it
        launcher = prisma_root / "schema-engine-launcher"
        launcher.write_text(f'#!/bin/sh\nexec node "{prisma_engine}" "$@"\n')
        launcher.chmod(0o755)
        args += ["--engine", f"{target}={launcher}"]
    env = {k: v for k, v in os.environ.items() if k != "PRISMA_SCHEMA_ENGINE_BINARY"}
    started = time.monotonic()
    built = _supatui(*args, env=env)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr
    print(f"\nkit build: {time.monotonic() - started:.0f} s\n{built.stdout[-800:]}")
    _CACHE["kit"] = kit
    return kit


def offline_env(tmp: Path) -> dict[str, str]:
    """No way to the internet: registry and proxies at a closed port, empty npm and Prisma caches, no engine path."""
    closed = f"http://127.0.0.1:{_closed_port()}"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PRISMA_SCHEMA_ENGINE_BINARY", "PRISMA_ENGINES_MIRROR", "NO_PROXY", "no_proxy")}
    for folder in ("npm-cache", "xdg-cache"):
        (tmp / folder).mkdir(parents=True)
    env.update({
        "npm_config_registry": f"{closed}/", "npm_config_cache": str(tmp / "npm-cache"),
        "XDG_CACHE_HOME": str(tmp / "xdg-cache"),  # Prisma's engine cache: $XDG_CACHE_HOME/prisma
        "HTTP_PROXY": closed, "HTTPS_PROXY": closed, "http_proxy": closed, "https_proxy": closed,
        "npm_config_proxy": closed, "npm_config_https_proxy": closed,
    })
    return env


def _assert_walkthrough(result: subprocess.CompletedProcess[str], project: Path, tmp: Path, env: dict[str, str],
                        kit_hash: str) -> None:
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "offline kit at http://127.0.0.1:" in result.stderr
    assert "alice@prisma.io" in result.stdout
    for step in ("role", "project", "connection", "migrations", "client", "test"):
        assert f"━━ {step}:" in result.stdout
    # the migrations step ran the engine (migrate dev on an empty database, diff/resolve on a populated one)
    assert re.search(r"\$ \./node_modules/\.bin/prisma (migrate|db) ", result.stdout), result.stdout[-3000:]
    # Prisma downloaded its engine from the kit, into the empty cache, under the real engine hash
    cached = list((tmp / "xdg-cache" / "prisma" / "master" / kit_hash).glob("*/schema-engine"))
    assert cached, "Prisma did not download its engine through PRISMA_ENGINES_MIRROR"
    assert list((tmp / "npm-cache").rglob("*")), "npm did not fill its (empty) cache from the kit"
    # and the project runs on its own afterwards, still offline, without supatui
    alone = subprocess.run(["npx", "tsx", "index.ts"], cwd=project, capture_output=True, text=True, timeout=120,
                           env=env)
    assert alone.returncode == 0, alone.stderr
    assert "alice@prisma.io" in alone.stdout


def test_offline_walkthrough_from_the_kit_folder(offline_kit: Path, sandbox: Any, tmp_path: Path) -> None:
    manifest = json.loads((offline_kit / "manifest.json").read_text())
    assert set(manifest["top"]) >= {"prisma", "@prisma/client", "@prisma/adapter-pg", "pg", "dotenv", "tsx"}
    env = offline_env(tmp_path)
    project = tmp_path / "hello-prisma"
    started = time.monotonic()
    result = _supatui("run", "--yes", "--sandbox", "--kit", str(offline_kit), "--dir", str(project), env=env)
    print(f"\noffline walkthrough (kit folder): {time.monotonic() - started:.0f} s")
    _assert_walkthrough(result, project, tmp_path, env, manifest["engines_hash"])


@pytest.fixture
def kit_server(offline_kit: Path) -> Iterator[str]:
    """`supatui kit serve` in a child process on a free loopback port; stopped by the test."""
    proc = subprocess.Popen([sys.executable, "-m", "supatui", "kit", "serve", str(offline_kit), "--listen",
                             "127.0.0.1:0"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            stdin=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        url = ""
        deadline = time.monotonic() + 30
        while not url and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            match = re.search(r"--kit (http://127\.0\.0\.1:\d+)", line)
            url = match.group(1) if match else ""
        assert url, "kit serve did not print its address"
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_kit_serve_over_loopback_serves_a_second_folder(kit_server: str, offline_kit: Path, sandbox: Any,
                                                        tmp_path: Path) -> None:
    manifest = json.loads((offline_kit / "manifest.json").read_text())
    env = offline_env(tmp_path)
    project = tmp_path / "second-project"
    started = time.monotonic()
    result = _supatui("run", "--yes", "--sandbox", "--kit", kit_server, "--dir", str(project), env=env)
    print(f"\noffline walkthrough (kit serve): {time.monotonic() - started:.0f} s")
    assert f"offline kit at {kit_server}" in result.stderr
    _assert_walkthrough(result, project, tmp_path, env, manifest["engines_hash"])
    # the same server is the room's pip index: pip checks each wheel against the index's sha256
    wheels = tmp_path / "wheels"
    pip = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--index-url", f"{kit_server}/simple/",
                          "-d", str(wheels), "supatui"], capture_output=True, text=True, timeout=120,
                         env={**env, "NO_PROXY": "127.0.0.1", "PIP_CONFIG_FILE": os.devnull})
    assert pip.returncode == 0, pip.stdout + pip.stderr
    assert list(wheels.glob("supatui-*.whl"))
