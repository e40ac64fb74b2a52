"""npm's cache read as real npm writes it, and step 2's --prefer-offline install that falls back online."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from supatui.core import npmcache, packagemanager
from supatui.core.events import Event
from supatui.core.prisma.recipes import PRISMA7
from supatui.core.prisma.workspace import Workspace
from supatui.core.runner import CommandResult
from supatui.core.steps.project import Install, choose_installs, run_install
from tests.conftest import require_tool
from tests.core.tiny_registry import TinyRegistry, tiny_registry


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TinyRegistry]:
    """npm pointed at a tiny registry and an empty cache of its own (the children inherit os.environ)."""
    require_tool("npm")
    with tiny_registry() as served:
        monkeypatch.setenv("npm_config_registry", served.url)
        monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))
        monkeypatch.delenv("NPM_CONFIG_REGISTRY", raising=False)
        monkeypatch.delenv("NPM_CONFIG_CACHE", raising=False)
        yield served


def _npm_install(folder: Path, *specs: str, offline: bool = False) -> subprocess.CompletedProcess[str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text('{"name": "scratch", "version": "1.0.0"}\n')
    argv = ["npm", "install", *(["--prefer-offline"] if offline else []), "--no-audit", "--no-fund", *specs]
    return subprocess.run(argv, cwd=folder, capture_output=True, text=True, timeout=120)


def _install_from_cache(tmp_path: Path, spec: str) -> tuple[Path, CommandResult, list[Event]]:
    """Step 2's install of ``spec`` with --prefer-offline into a new project, and what it emitted."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "package.json").write_text('{"name": "project", "version": "1.0.0"}\n')
    ws = Workspace(project, packagemanager.get("npm"), PRISMA7)
    install = Install(("npm", "install", npmcache.PREFER_OFFLINE, spec), (packagemanager.package_name(spec),), "probe")
    events: list[Event] = []
    return project, run_install(ws, install, events.append, cancel=None), events


def test_what_real_npm_stored_counts_as_fresh_until_a_day_old(registry: TinyRegistry, tmp_path: Path) -> None:
    registry.publish("probe-a", "1.0.0")
    registry.publish("@probe/b", "1.0.0")
    assert _npm_install(tmp_path / "warm", "probe-a", "@probe/b").returncode == 0
    project = tmp_path / "project"
    assert npmcache.fresh_metadata(["probe-a", "@probe/b"], project)
    assert not npmcache.fresh_metadata(["probe-a", "probe-never-fetched"], project)
    assert not npmcache.fresh_metadata(["probe-a"], project, now=time.time() + npmcache.FRESH_SECONDS + 60)
    other = {"npm_config_registry": "http://127.0.0.1:9/", "npm_config_cache": str(tmp_path / "npm-cache")}
    assert not npmcache.fresh_metadata(["probe-a"], project, env=other)  # stored from another registry
    assert not npmcache.fresh_metadata([], project)


def test_a_cache_npm_removed_an_entry_from_is_not_fresh(registry: TinyRegistry, tmp_path: Path) -> None:
    registry.publish("probe-a", "1.0.0")
    assert _npm_install(tmp_path / "warm", "probe-a").returncode == 0
    cleaned = subprocess.run(["npm", "cache", "clean", "--force"], capture_output=True, text=True, timeout=60)
    assert cleaned.returncode == 0, cleaned.stderr
    assert not npmcache.fresh_metadata(["probe-a"], tmp_path)


def test_step_2_plans_prefer_offline_only_with_todays_metadata(registry: TinyRegistry, tmp_path: Path) -> None:
    names = [packagemanager.package_name(spec) for spec in PRISMA7.dev_packages + PRISMA7.packages]
    for name in names:
        registry.publish(name, "1.0.0")
    ws = Workspace(tmp_path / "hello", packagemanager.get("npm"), PRISMA7)
    _, cold = choose_installs(ws, fresh=True)
    assert all(npmcache.PREFER_OFFLINE not in install.argv for install in cold)
    assert _npm_install(tmp_path / "warm", *names).returncode == 0
    _, warm = choose_installs(ws, fresh=True)
    assert [install.argv[:3] for install in warm] == [("npm", "install", npmcache.PREFER_OFFLINE)]
    assert "--prefer-offline" in warm[0].what
    pnpm = Workspace(tmp_path / "hello", packagemanager.PackageManager("pnpm", ("pnpm",)), PRISMA7)
    assert all(npmcache.PREFER_OFFLINE not in install.argv for install in choose_installs(pnpm, fresh=True)[1])


def test_a_version_the_cache_does_not_know_is_fetched_online(registry: TinyRegistry, tmp_path: Path) -> None:
    registry.publish("probe-a", "1.0.0")
    assert _npm_install(tmp_path / "warm", "probe-a").returncode == 0
    registry.publish("probe-a", "1.1.0")  # released after the cache stored probe-a's metadata
    plain = _npm_install(tmp_path / "plain", "probe-a@^1.1.0", offline=True)
    assert plain.returncode != 0 and "ETARGET" in plain.stdout + plain.stderr  # npm alone does not revalidate

    project, result, events = _install_from_cache(tmp_path, "probe-a@^1.1.0")
    assert result.returncode == 0, "\n".join(result.output)
    assert packagemanager.installed_version(project, "probe-a") == "1.1.0"
    commands = [event.text for event in events if event.text.startswith("$ ")]
    assert commands == ["$ npm install --prefer-offline 'probe-a@^1.1.0'", "$ npm install 'probe-a@^1.1.0'"]
    assert any("ETARGET" in event.text and "asking the registry" in event.text for event in events)


def test_an_install_that_fails_for_another_reason_is_not_run_twice(registry: TinyRegistry, tmp_path: Path) -> None:
    _, result, events = _install_from_cache(tmp_path, "probe-missing")
    assert result.returncode != 0
    assert len([event for event in events if event.text.startswith("$ ")]) == 1
