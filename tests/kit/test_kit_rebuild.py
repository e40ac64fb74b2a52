"""A `kit build` that stops (its engine could not be downloaded, the registry went away) can be run again
in the same folder, as its own hint says ("pass --engine …"), and never leaves a manifest naming files it
had already deleted."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from pathlib import Path

import pytest

from supatui.kit.build import BuildOptions, build_kit
from supatui.kit.manifest import MANIFEST, KitError, load
from tests.conftest import require_tool


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _ChecksumsOnly(http.server.BaseHTTPRequestHandler):
    """An engine host that publishes the checksums and then fails the engine download itself."""

    def do_GET(self) -> None:  # noqa: N802
        if not self.path.endswith(".sha256"):
            self.send_error(503)
            return
        body = b"0" * 64 + b"  schema-engine\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


def test_a_build_stopped_at_the_engine_can_be_run_again_in_its_folder(tmp_path: Path) -> None:
    """Real npm, the real registry: the packages land in the kit, then the engine download fails."""
    require_tool("npm")
    kit = tmp_path / "kit"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ChecksumsOnly)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with pytest.raises(KitError, match="cannot download Prisma's engine"):
            build_kit(BuildOptions(kit, ["linux-x64"], extras=(), wheels=False, engine_host=host), lambda _: None)
    finally:
        server.shutdown()
        server.server_close()
    assert any((kit / "npm" / "tarballs").iterdir())  # it had packed the npm side
    assert not (kit / MANIFEST).exists()
    # The rerun gets past the folder check (and stops at the next one, the engine file, instead of building again).
    with pytest.raises(KitError, match="no such file"):
        build_kit(BuildOptions(kit, ["linux-x64"], {"linux-x64": tmp_path / "no-engine"}), lambda _: None)


def test_a_failed_rebuild_leaves_no_manifest_of_deleted_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_tool("npm")
    kit = tmp_path / "kit"
    (kit / "npm" / "tarballs").mkdir(parents=True)
    (kit / "npm" / "tarballs" / "left-pad-1.0.0.tgz").write_bytes(b"old")
    (kit / MANIFEST).write_text(json.dumps({"created": "2026-01-01T00:00:00Z", "supatui": "0.1.0",
                                            "engines_hash": "0" * 40, "platforms": ["linux-x64"], "top": {}}))
    load(kit)  # a kit before the rebuild
    monkeypatch.setenv("npm_config_registry", f"http://127.0.0.1:{_closed_port()}/")
    monkeypatch.setenv("npm_config_fetch_retries", "0")
    engine = tmp_path / "schema-engine"  # an engine at hand: the build gets to npm wherever Prisma's host is
    engine.write_bytes(b"\x7fELF stand-in")
    with pytest.raises(KitError, match="npm install failed"):
        build_kit(BuildOptions(kit, ["linux-x64"], {"linux-x64": engine}, extras=(), wheels=False), lambda _: None)
    if (kit / MANIFEST).exists():  # a manifest may stay only if what it names is still there
        assert (kit / "npm" / "tarballs" / "left-pad-1.0.0.tgz").exists()
    with pytest.raises(KitError, match="did not finish"):
        load(kit)
