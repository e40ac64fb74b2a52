"""`kit build` finds out that Prisma's engine host cannot serve it before the slow npm part, not after it.

First, before anything is downloaded or the folder touched: can the host be reached at all (a few seconds at
most, a silent host included)? Then, as soon as the engine commit is known (after the scratch install, before
the npm packages are packed): does the host have this commit's engine for every platform?
"""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from supatui.kit.build import BuildOptions, build_kit
from supatui.kit.manifest import KitError
from tests.conftest import ROOT, require_tool


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _reachable(host: str, port: int = 443) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def test_kit_build_with_prisma_host_unreachable_stops_at_once(tmp_path: Path) -> None:
    """The real CLI and the real host: where binaries.prisma.sh cannot be reached, one line, in seconds."""
    if _reachable("binaries.prisma.sh"):
        pytest.skip("binaries.prisma.sh is reachable here")
    kit = tmp_path / "kit"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "supatui", "kit", "build", str(kit), "--platforms", "linux-x64",
                           "--no-wheels", "--with", ""], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL, check=False)
    seconds = time.monotonic() - started
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr
    line = done.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line, line
    assert "binaries.prisma.sh" in line and "--engine" in line, line
    assert seconds < 30, seconds  # no npm install, no packing
    assert not kit.exists()  # nothing downloaded, nothing to clean up


def test_a_closed_engine_host_stops_before_the_folder_is_touched(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    host = f"http://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    with pytest.raises(KitError, match=f"cannot reach {host.removeprefix('http://')}") as info:
        build_kit(BuildOptions(kit, ["linux-x64"], extras=(), wheels=False, engine_host=host), lambda _: None)
    assert time.monotonic() - started < 10
    assert "--engine linux-x64=FILE" in info.value.hint
    assert not kit.exists()


@pytest.fixture
def silent_host() -> Iterator[str]:
    """A host that takes the connection and never answers (a firewall that drops, a dead proxy)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def test_a_silent_engine_host_is_given_up_within_seconds(tmp_path: Path, silent_host: str) -> None:
    started = time.monotonic()
    with pytest.raises(KitError, match="did not answer"):
        build_kit(BuildOptions(tmp_path / "kit", ["linux-x64"], extras=(), wheels=False, engine_host=silent_host),
                  lambda _: None)
    assert time.monotonic() - started < 10


def test_engines_given_as_files_need_no_engine_host(tmp_path: Path) -> None:
    """Every platform's engine from --engine: the host is not asked (the folder check after it still runs)."""
    host = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(KitError, match="no such file"):
        build_kit(BuildOptions(tmp_path / "kit", ["linux-x64"], {"linux-x64": tmp_path / "no-engine"},
                               extras=(), wheels=False, engine_host=host), lambda _: None)


class _Host(http.server.BaseHTTPRequestHandler):
    """An engine host: serves checksums for any path when ``checksums`` is set, never an engine itself."""

    checksums = False

    def do_GET(self) -> None:  # noqa: N802
        if self.checksums and self.path.endswith(".sha256"):
            body = b"0" * 64 + b"  schema-engine\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_error(404)

    do_HEAD = do_GET  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


def _serve(handler: type[http.server.BaseHTTPRequestHandler]) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_a_host_without_this_commits_engine_stops_before_the_npm_packing(tmp_path: Path) -> None:
    """Real npm (the scratch install gives the commit), then the host answers 404: no package is packed."""
    require_tool("npm")
    server, host = _serve(_Host)
    kit = tmp_path / "kit"
    try:
        with pytest.raises(KitError, match=r"has no Prisma engine for debian-openssl-3.0.x \(linux-x64\)") as info:
            build_kit(BuildOptions(kit, ["linux-x64"], extras=(), wheels=False, engine_host=host), lambda _: None)
    finally:
        server.shutdown()
    assert "--engine debian-openssl-3.0.x=FILE" in info.value.hint
    assert not (kit / "npm" / "tarballs").exists() or not any((kit / "npm" / "tarballs").iterdir())


def test_a_host_that_serves_the_engine_is_asked_once_and_downloads_as_before(tmp_path: Path) -> None:
    """A folder laid out like binaries.prisma.sh, served for real: reachable, checksums, then the engine."""
    import functools
    import gzip
    import hashlib

    from supatui.kit import engines

    commit, target, raw = "a" * 40, "debian-openssl-3.0.x", b"\x7fELF a schema engine"
    gz = gzip.compress(raw, mtime=0)
    folder = tmp_path / "host" / "all_commits" / commit / target
    folder.mkdir(parents=True)
    (folder / "schema-engine.gz").write_bytes(gz)
    (folder / "schema-engine.gz.sha256").write_text(f"{hashlib.sha256(gz).hexdigest()}  schema-engine.gz\n")
    (folder / "schema-engine.sha256").write_text(f"{hashlib.sha256(raw).hexdigest()}  schema-engine\n")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server, host = _serve(functools.partial(Quiet, directory=str(tmp_path / "host")))  # type: ignore[arg-type]
    try:
        assert engines.unreachable(host) is None
        sums = engines.engine_checksums(commit, target, host, platform="linux-x64")
        entry = engines.download_engine(tmp_path / "kit", commit, target, lambda _: None, host=host, checksums=sums)
    finally:
        server.shutdown()
    assert sums == (hashlib.sha256(gz).hexdigest(), hashlib.sha256(raw).hexdigest())
    assert (entry.sha256, entry.size) == (sums[1], len(gz))
    assert (tmp_path / "kit" / entry.path).read_bytes() == gz
