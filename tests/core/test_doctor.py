"""doctor: each check against the real machine, real sockets and real folders; fast as a whole."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from supatui.core import doctor
from tests.conftest import require_tool


@pytest.fixture
def listening_port() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


@pytest.mark.parametrize(("version", "status"), [
    ("v20.19.0", "pass"), ("v20.20.2", "pass"), ("v22.12.0", "pass"), ("v24.1.0", "pass"), ("v26.0.0", "pass"),
    ("v20.18.3", "fail"), ("v18.20.0", "fail"), ("v22.11.0", "fail"), ("v21.7.0", "warn"), ("v23.1.0", "warn"),
    ("garbage", "fail"),
])
def test_node_verdict(version: str, status: str) -> None:
    assert doctor.node_verdict(version)[0] == status


def test_real_node_and_npm() -> None:
    require_tool("node")
    require_tool("npm")
    node = doctor.check_node()
    assert node.status in ("pass", "warn", "fail") and node.detail.startswith("v")
    assert doctor.check_npm().status == "pass"


def test_node_missing_fails_with_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: no node anywhere
    result = doctor.check_node()
    assert result.status == "fail" and "nvm install 22" in result.fix


def test_engine_host_via_mirror(monkeypatch: pytest.MonkeyPatch, listening_port: int, closed_port: int) -> None:
    monkeypatch.delenv("PRISMA_SCHEMA_ENGINE_BINARY", raising=False)
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.setenv("PRISMA_ENGINES_MIRROR", f"http://127.0.0.1:{listening_port}")
    assert doctor.check_engine_host().status == "pass"
    monkeypatch.setenv("PRISMA_ENGINES_MIRROR", f"http://127.0.0.1:{closed_port}")
    failed = doctor.check_engine_host()
    assert failed.status == "fail" and "PRISMA_ENGINES_MIRROR" in failed.fix and "migrate" in failed.fix
    assert "--kit" in failed.fix  # a workshop's offline kit, the way out on venue wifi (as `run`'s failure says)


def test_engine_host_unresolvable_is_quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRISMA_SCHEMA_ENGINE_BINARY", raising=False)
    monkeypatch.setenv("PRISMA_ENGINES_MIRROR", "https://no-such-host.invalid")
    started = time.monotonic()
    assert doctor.check_engine_host().status == "fail"
    assert time.monotonic() - started < 5


def test_npm_registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, listening_port: int, closed_port: int) -> None:
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.delenv("NPM_CONFIG_REGISTRY", raising=False)
    monkeypatch.delenv("npm_config_registry", raising=False)
    (tmp_path / ".npmrc").write_text(f"registry=http://127.0.0.1:{listening_port}/\n")
    assert doctor.npm_registry(tmp_path) == f"http://127.0.0.1:{listening_port}/"
    assert doctor.check_npm_registry(tmp_path).status == "pass"
    monkeypatch.setenv("npm_config_registry", f"http://127.0.0.1:{closed_port}/")
    assert doctor.check_npm_registry(tmp_path).status == "fail"


def test_folder(tmp_path: Path) -> None:
    assert doctor.check_folder(tmp_path).status == "pass"
    later = doctor.check_folder(tmp_path / "new" / "project")
    assert later.status == "pass" and "will be created" in later.detail
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert doctor.check_folder(a_file / "sub").status == "fail"
    assert doctor.check_folder(a_file).status == "fail"


def test_terminal_and_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "70")
    monkeypatch.setenv("LINES", "20")
    assert doctor.check_terminal().status == "warn"
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("LINES", "40")
    assert doctor.check_terminal().status == "pass"
    monkeypatch.setenv("NO_COLOR", "1")
    assert "NO_COLOR" in doctor.check_colour().detail
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert doctor.check_colour().status == "warn"


def test_keyring_python_sandbox() -> None:
    assert doctor.check_keyring().status == "pass"  # the suite's file keyring is usable
    assert doctor.check_python().status == "pass"
    assert doctor.check_sandbox().status in ("pass", "warn")


def test_whole_run_is_fast_and_complete(tmp_path: Path) -> None:
    started = time.monotonic()
    results = doctor.run_doctor(tmp_path)
    assert time.monotonic() - started < 8
    names = [r.name for r in results]
    assert names == ["node", "npm", "pnpm/yarn/bun", "keyring", "prisma engines", "npm registry", "proxy", "folder",
                     "disk", "terminal", "colour", "python", "sandbox"]
    assert all(r.fix for r in results if r.status == "fail")


def test_a_hanging_check_is_reported_not_waited_for(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(doctor, "check_colour", lambda: time.sleep(30))  # type: ignore[func-returns-value]
    started = time.monotonic()
    results = doctor.run_doctor(tmp_path, deadline=1.0)
    assert time.monotonic() - started < 3
    colour = next(r for r in results if r.name == "colour")
    assert colour.status == "fail" and "no answer" in colour.detail


def test_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in doctor.PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    assert doctor.check_proxy().status == "pass"
    monkeypatch.setenv("HTTPS_PROXY", "proxy.example:3128")  # no scheme: the Prisma CLI crashes (prisma#20302)
    check = doctor.check_proxy()
    assert check.status == "fail" and "http://proxy.example:3128" in check.fix
    monkeypatch.setenv("HTTPS_PROXY", "http://me:s3cret@127.0.0.1:9")
    check = doctor.check_proxy()
    assert check.status == "fail" and "s3cret" not in check.detail and "me:****@" in check.detail
    monkeypatch.setenv("SUPATUI_KIT", "http://127.0.0.1:4873")  # the kit's host bypasses a dead proxy
    assert doctor.check_proxy().status == "warn"


def test_no_proxy_sends_the_mirror_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "example.org,10.0.0.5")
    assert doctor._proxy("http://10.0.0.5:4873/engines") == ""
    assert doctor._proxy("https://sub.example.org/x") == ""
    assert doctor._proxy("https://binaries.prisma.sh") == "http://127.0.0.1:9"


def test_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert doctor.check_disk(tmp_path / "not-yet").status in ("pass", "warn")
    monkeypatch.setattr(doctor.shutil, "disk_usage", lambda _p: type("U", (), {"free": 100_000_000})())
    check = doctor.check_disk(tmp_path)
    assert check.status == "fail" and check.fix


def test_sandbox_needs_no_pgbouncer_for_transaction_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """The router is the transaction pooler, so a machine without PgBouncer passes (issue 13 item 4)."""
    from supatui.core import doctor

    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)
    check = doctor.check_sandbox()
    assert check.status == "pass" and "pools the transaction port itself" in check.detail