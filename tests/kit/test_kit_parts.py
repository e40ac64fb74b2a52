"""The kit's parts on a small hand-made kit: server routes, engine layout, environment, CLI errors, doctor.

The real kit (real packages, the whole walkthrough offline) is in test_kit_e2e.py; here a kit with one
tiny npm package is enough to check the registry view with the real npm, in a few seconds.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from supatui.kit import engines
from supatui.kit.manifest import KitError, KitManifest, NpmEntry, WheelEntry, load, size_per_platform
from supatui.kit.npm import packument_file, write_packuments
from supatui.kit.platforms import engine_file, node_matches, resolve
from supatui.kit.server import make_server
from supatui.kit.use import applied, environment_for, kit_session
from tests.conftest import ROOT, require_tool

HASH = "d1b3f377ca835d73fd50954a5e22128b9ebdd6b8"
NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


def _tgz(name: str, version: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path, text in (("package/package.json", json.dumps({"name": name, "version": version, "main": "index.js"})),
                           ("package/index.js", "module.exports = 'from the kit';\n")):
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def small_kit(tmp_path: Path) -> Path:
    kit = tmp_path / "kit"
    (kit / "npm" / "tarballs").mkdir(parents=True)
    items, docs = [], {}
    for name, version in (("kit-probe-pkg", "1.0.0"), ("@kit-scope/probe", "2.1.0")):
        data = _tgz(name, version)
        file = f"{name.lstrip('@').replace('/', '__')}-{version}.tgz"
        (kit / "npm" / "tarballs" / file).write_bytes(data)
        integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
        items.append(NpmEntry(name, version, file, integrity, hashlib.sha256(data).hexdigest(), len(data)))
        docs[f"{name}@{version}"] = {"name": name, "version": version, "dist": {"integrity": integrity,
                                                                               "tarball": "https://registry.npmjs.org/x"}}
    write_packuments(kit, items, docs, {"kit-probe-pkg": "1.0.0"})
    engine = tmp_path / "schema-engine"
    engine.write_text("#!/bin/sh\necho schema-engine-cli test\n")
    entry = engines.add_engine_file(kit, HASH, "debian-openssl-3.0.x", engine)
    (kit / "wheels").mkdir()
    wheel = kit / "wheels" / "supatui-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel")
    KitManifest("2026-12-01T00:00:00Z", "0.1.0", HASH, ["debian-openssl-3.0.x"], {"kit-probe-pkg": "1.0.0"}, items,
                [entry], [WheelEntry(wheel.name, hashlib.sha256(wheel.read_bytes()).hexdigest(), 18)]).write(kit)
    return kit


def _get(url: str) -> bytes:
    with NO_PROXY_OPENER.open(url, timeout=10) as response:
        data: bytes = response.read()
        return data


def test_engine_is_laid_out_like_binaries_prisma_sh(small_kit: Path) -> None:
    folder = small_kit / "engines" / "all_commits" / HASH / "debian-openssl-3.0.x"
    gz = (folder / "schema-engine.gz").read_bytes()
    assert (folder / "schema-engine.gz.sha256").read_text().split()[0] == hashlib.sha256(gz).hexdigest()
    assert (folder / "schema-engine.sha256").read_text().split()[0] == hashlib.sha256(gzip.decompress(gz)).hexdigest()
    assert engine_file("windows") == "schema-engine.exe" and engine_file("darwin-arm64") == "schema-engine"


def test_server_routes(small_kit: Path) -> None:
    server = make_server(small_kit)
    server.start_background()
    base = server.url
    try:
        for name in ("kit-probe-pkg", "@kit-scope%2fprobe", "@kit-scope/probe"):
            doc = json.loads(_get(f"{base}/npm/{name}"))
            version = next(iter(doc["versions"].values()))
            assert version["dist"]["tarball"].startswith(f"{base}/npm/tarballs/")  # made absolute from the Host header
            tarball = _get(version["dist"]["tarball"])
            assert "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode() == version["dist"]["integrity"]
        assert json.loads(_get(f"{base}/npm/kit-probe-pkg"))["dist-tags"]["latest"] == "1.0.0"
        engine = f"{base}/engines/all_commits/{HASH}/debian-openssl-3.0.x/schema-engine.gz"
        assert hashlib.sha256(_get(engine)).hexdigest() == _get(engine + ".sha256").decode().split()[0]
        simple = _get(f"{base}/simple/supatui/").decode()
        wheel_sha = load(small_kit).wheels[0].sha256
        assert f'href="/wheels/supatui-0.1.0-py3-none-any.whl#sha256={wheel_sha}"' in simple
        assert _get(f"{base}/wheels/supatui-0.1.0-py3-none-any.whl") == b"not really a wheel"
        for missing in ("/npm/left-pad", "/engines/../manifest.json", "/npm/tarballs/nope.tgz", "/simple/nope/",
                        "/engines/all_commits/%2e%2e/%2e%2e/%2e%2e/etc/passwd"):
            with pytest.raises(urllib.error.HTTPError) as err:
                _get(base + missing)
            assert err.value.code in (400, 404)
    finally:
        server.stop()


def test_environment_points_only_at_the_kit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "corp.example")
    env = environment_for("http://10.0.0.5:4873/")
    assert env["npm_config_registry"] == "http://10.0.0.5:4873/npm/"
    assert env["PRISMA_ENGINES_MIRROR"] == "http://10.0.0.5:4873/engines"
    assert env["NO_PROXY"].split(",")[:2] == ["corp.example", "10.0.0.5"]
    assert env["HTTPS_PROXY"] == env["http_proxy"] == ""


def test_kit_session_serves_a_folder_and_restores_the_environment(small_kit: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRISMA_ENGINES_MIRROR", "http://before")
    with kit_session(small_kit) as session, applied(session):
        assert os.environ["PRISMA_ENGINES_MIRROR"] == session.engines_mirror
        assert json.loads(_get(session.base_url + "/manifest.json"))["engines_hash"] == HASH
        url = session.base_url
    assert os.environ["PRISMA_ENGINES_MIRROR"] == "http://before"
    assert "SUPATUI_KIT" not in os.environ
    with pytest.raises(urllib.error.URLError):
        _get(url + "/manifest.json")  # the in-process server is stopped


def test_not_a_kit_and_unreachable_kit(tmp_path: Path) -> None:
    with pytest.raises(KitError, match="not a supatui kit"), kit_session(tmp_path):
        pass
    with pytest.raises(KitError, match="cannot reach the kit"), kit_session(f"http://127.0.0.1:{_closed_port()}"):
        pass


def test_real_npm_installs_from_the_registry_view_only(small_kit: Path, tmp_path: Path) -> None:
    require_tool("npm")
    closed = f"http://127.0.0.1:{_closed_port()}"
    project = tmp_path / "app"
    project.mkdir()
    (project / "package.json").write_text('{"name": "app", "version": "1.0.0"}\n')
    with kit_session(small_kit) as session:
        env = {**os.environ, "npm_config_cache": str(tmp_path / "cache"), "HTTPS_PROXY": closed, "HTTP_PROXY": closed,
               "https_proxy": closed, "http_proxy": closed, **session.env}
        out = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "kit-probe-pkg", "@kit-scope/probe"],
                             cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert (project / "node_modules" / "kit-probe-pkg" / "index.js").exists()
    assert (project / "node_modules" / "@kit-scope" / "probe" / "package.json").exists()


@pytest.mark.parametrize("pm", ["pnpm", "yarn", "bun"])
def test_other_package_managers_read_the_same_registry_view(pm: str, small_kit: Path, tmp_path: Path) -> None:
    """pnpm 12 ignores NO_PROXY: with a dead proxy it only works because the kit blanks the proxy variables."""
    require_tool(pm)
    closed = f"http://127.0.0.1:{_closed_port()}"
    project = tmp_path / "app"
    project.mkdir()
    (project / "package.json").write_text('{"name": "app", "version": "1.0.0", "license": "MIT"}\n')
    caches = {"npm_config_cache": str(tmp_path / "c"), "npm_config_store_dir": str(tmp_path / "store"),
              "YARN_CACHE_FOLDER": str(tmp_path / "y"), "BUN_INSTALL_CACHE_DIR": str(tmp_path / "b")}
    with kit_session(small_kit) as session:
        env = {**os.environ, **caches, "HTTPS_PROXY": closed, "HTTP_PROXY": closed, **session.env}
        out = subprocess.run([pm, "add", "kit-probe-pkg"], cwd=project, env=env, capture_output=True, text=True,
                             timeout=120, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stdout[-1500:] + out.stderr[-1500:]
    assert (project / "node_modules" / "kit-probe-pkg" / "index.js").exists()


def test_platforms() -> None:
    assert resolve("windows-x64").prisma_targets == ("windows",)
    assert resolve("debian-openssl-3.0.x").node_os == "linux"
    with pytest.raises(ValueError, match="unknown platform"):
        resolve("amiga")
    linux, mac = resolve("linux-x64"), resolve("darwin-arm64")
    assert node_matches(["linux"], ["x64"], [linux]) and not node_matches(["darwin"], ["arm64"], [linux])
    assert node_matches(["darwin"], ["arm64"], [linux, mac]) and node_matches(["!win32"], None, [linux])
    assert packument_file("@prisma/client") == "@prisma%2Fclient.json"


def test_size_per_platform(small_kit: Path) -> None:
    sizes = size_per_platform(load(small_kit))
    assert sizes["debian-openssl-3.0.x"] > 0


def _supatui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supatui", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env=_env(env), stdin=subprocess.DEVNULL)


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    """The suite's environment without the test-only engine the Prisma fixture may have set (order-independent)."""
    env = {key: value for key, value in os.environ.items() if key != "PRISMA_SCHEMA_ENGINE_BINARY"}
    return {**env, "NO_COLOR": "1", **(extra or {})}


@pytest.mark.parametrize(("args", "code", "words"), [
    (("kit", "build", "DIR", "--engine", "nofile"), 2, "PLATFORM=FILE"),
    (("kit", "build", "DIR", "--platforms", "amiga"), 2, "unknown platform"),
    (("kit",), 2, "needs an action"),
    (("kit", "serve", "DIR", "--listen", "127.0.0.1:99999"), 2, "not a port"),
    (("run", "--yes", "--sandbox", "--kit", "/no/such/kit"), 1, "no such folder"),
    (("--kit", "http://127.0.0.1:{closed}", "run", "--yes", "--sandbox"), 1, "cannot reach the kit"),
])
def test_bad_kit_input_is_one_line(args: tuple[str, ...], code: int, words: str, tmp_path: Path) -> None:
    argv = [a.replace("DIR", str(tmp_path / "kit")).replace("{closed}", str(_closed_port())) for a in args]
    proc = _supatui(*argv)
    assert proc.returncode == code, proc.stderr
    assert words in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_kit_serve_of_a_non_kit_is_one_line(tmp_path: Path) -> None:
    proc = _supatui("kit", "serve", str(tmp_path), "--listen", "127.0.0.1:0")
    assert proc.returncode == 1 and "not a supatui kit" in proc.stderr and "Traceback" not in proc.stderr


def test_doctor_report_and_kit(small_kit: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    bad_proxy = {"HTTPS_PROXY": "proxy.example:3128"}
    proc = _supatui("doctor", "--report", str(report), "--dir", str(tmp_path), env=bad_proxy)
    assert "Traceback" not in proc.stderr and proc.returncode == 1
    text = report.read_text()
    assert text.startswith("# supatui doctor report")
    # a proxy without a scheme crashes the Prisma CLI: one problem line with its fix
    assert "- FAIL proxy: HTTPS_PROXY=proxy.example:3128 has no http:// in front — fix: Write it as" in text
    proc = _supatui("doctor", "--kit", str(small_kit), "--report", str(report), "--dir", str(tmp_path), env=bad_proxy)
    assert "Traceback" not in proc.stderr
    text = report.read_text()
    assert "PASS offline kit: http://127.0.0.1:" in text and "engine debian-openssl-3.0.x" in text
    assert "PASS prisma engines: 127.0.0.1:" in text  # the mirror is the kit, not binaries.prisma.sh
    assert "PASS proxy: proxies bypassed" in text
