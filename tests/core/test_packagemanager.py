"""Package managers: argv per manager, availability, and judging installs from node_modules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from supatui.core import packagemanager as pmod
from supatui.core.packagemanager import PackageManager, missing_packages, package_name


def test_package_name_strips_versions() -> None:
    assert package_name("prisma@6") == "prisma"
    assert package_name("@prisma/client@6") == "@prisma/client"
    assert package_name("@types/node") == "@types/node"


def test_npm_argv_is_the_guides() -> None:
    npm = pmod.get("npm")
    assert npm.init() == ("npm", "init", "-y")
    assert npm.add(["prisma", "tsx"], dev=True) == ("npm", "install", "prisma", "tsx", "--save-dev")
    assert npm.add(["pg"]) == ("npm", "install", "pg")
    assert npm.exec("prisma", "generate") == ("npx", "prisma", "generate")


def test_other_managers_argv() -> None:
    pnpm = PackageManager("pnpm", ("npx", "--yes", "pnpm"))
    assert pnpm.init() == ("npx", "--yes", "pnpm", "init", "--config.init-package-manager=false")  # no version pin
    # --ignore-scripts: pnpm 12 exits 1 on "Ignored build scripts" otherwise (npm skips them too)
    assert pnpm.add(["prisma"], dev=True) == ("npx", "--yes", "pnpm", "add", "-D", "--ignore-scripts", "prisma")
    assert pnpm.exec("prisma", "init") == ("npx", "--yes", "pnpm", "exec", "prisma", "init")
    assert pnpm.via_npx
    yarn = PackageManager("yarn", ("yarn",), major=1)
    assert yarn.yarn_classic and yarn.init() == ("yarn", "init", "-y")
    assert yarn.exec("tsx", "index.ts") == ("yarn", "run", "tsx", "index.ts")
    # yarn 1 rejects the whole install: an optional Prisma package wants Node 22
    assert yarn.add(["pg"]) == ("yarn", "add", "--ignore-engines", "pg")
    berry = PackageManager("yarn", ("yarn",), major=4)
    assert not berry.yarn_classic
    assert berry.add(["pg"], dev=True) == ("yarn", "add", "-D", "pg")  # yarn 4: "Unsupported option name"
    assert berry.init() == ("npm", "init", "-y")  # yarn 4's init runs git init and writes a .gitignore without .env
    bun = PackageManager("bun", ("bun",))
    assert bun.init() == ("npm", "init", "-y")  # bun init writes an index.ts of its own
    assert bun.add(["prisma"], dev=True) == ("bun", "add", "-d", "prisma") and bun.exec("prisma") == ("bun", "x", "prisma")


def test_get_and_available() -> None:
    with pytest.raises(ValueError):
        pmod.get("pip")
    found = pmod.available()
    if shutil.which("npm"):
        assert "npm" in found
    yarn = pmod.get("yarn")
    if yarn.major is not None and yarn.major >= 2:
        assert yarn.env["YARN_NODE_LINKER"] == "node-modules"  # yarn 2+ would use Plug'n'Play otherwise
    else:
        assert yarn.yarn_classic and yarn.env == {}
    if not shutil.which("pnpm"):
        assert pmod.get("pnpm").launcher == ("npx", "--yes", "pnpm")
    if not shutil.which("yarn"):
        assert yarn.launcher == ("npx", "--yes", "yarn") and yarn.major == 1  # npm's "yarn" is yarn 1


def test_version_major_runs_the_program(tmp_path: Path) -> None:
    fake = tmp_path / "fakepm"
    fake.write_text("#!/bin/sh\necho 4.18.1\n")
    fake.chmod(0o755)
    assert pmod.version_major(str(fake)) == 4
    assert pmod.version_major(str(tmp_path / "absent")) is None


def _fake_install(root: Path, name: str, version: str, declared: bool = True) -> None:
    folder = root / "node_modules" / name
    folder.mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps({"name": name, "version": version}))
    pkg = root / "package.json"
    data = json.loads(pkg.read_text()) if pkg.exists() else {"name": "x"}
    if declared:
        data.setdefault("devDependencies", {})[name] = f"^{version}"
    pkg.write_text(json.dumps(data))


def test_missing_packages_needs_declared_installed_and_the_pinned_major(tmp_path: Path) -> None:
    _fake_install(tmp_path, "prisma", "7.10.1")
    _fake_install(tmp_path, "dotenv", "17.0.0", declared=False)  # only someone else's dependency
    assert missing_packages(tmp_path, ["prisma", "dotenv", "pg"]) == ["dotenv", "pg"]
    assert missing_packages(tmp_path, ["prisma@6"]) == ["prisma@6"]
    assert missing_packages(tmp_path, ["prisma@7"]) == []


def test_pnpm_exit_1_is_fine_when_everything_is_installed(tmp_path: Path) -> None:
    _fake_install(tmp_path, "prisma", "7.10.1")
    pnpm = PackageManager("pnpm", ("pnpm",))
    npm = PackageManager("npm", ("npm",))
    assert pnpm.install_succeeded(1, tmp_path, ["prisma"])  # "Ignored build scripts"
    assert not npm.install_succeeded(1, tmp_path, ["prisma"])
    assert not pnpm.install_succeeded(0, tmp_path, ["prisma", "pg"])  # exit 0 but pg is not there


def test_declared_packages_are_never_named(tmp_path: Path) -> None:
    """An add rewrites a named package's range (`"pg": "^8.0.0"` became `^8.23.1`): only undeclared ones are named."""
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"pg": "^8.0.0"},
                                                       "devDependencies": {"prisma": "^7.9.0"}}))
    assert pmod.specs_to_name(tmp_path, ["pg", "dotenv", "prisma"]) == ["dotenv"]  # pg declared, not installed
    assert pmod.specs_to_name(tmp_path, ["prisma@6"]) == ["prisma@6"]  # asked for another major: named
    assert pmod.specs_to_name(tmp_path, ["prisma@7"]) == []
    _fake_install(tmp_path, "dotenv", "16.0.0")
    assert pmod.specs_to_name(tmp_path, ["dotenv@17"]) == ["dotenv@17"]  # installed with another major
    assert pmod.specs_to_name(tmp_path / "none", ["pg", "prisma@6"]) == ["pg", "prisma@6"]  # no package.json


def test_one_resolution_argv_per_manager() -> None:
    npm, pnpm = PackageManager("npm", ("npm",)), PackageManager("pnpm", ("pnpm",))
    yarn, berry, bun = PackageManager("yarn", ("yarn",), major=1), PackageManager("yarn", ("yarn",), major=4), \
        PackageManager("bun", ("bun",))
    assert all(pm.one_resolution for pm in (npm, pnpm, yarn, bun)) and not berry.one_resolution  # yarn 4: unverified
    # pnpm 12 keeps a pre-declared "*" for a bare name, and writes ^x.y.z for name@latest
    assert pnpm.predeclared("tsx") == "tsx@latest" and pnpm.predeclared("prisma@6") == "prisma@6"
    assert npm.predeclared("tsx") == yarn.predeclared("tsx") == bun.predeclared("tsx") == "tsx"
    assert npm.install() == ("npm", "install") and bun.install() == ("bun", "install")
    assert pnpm.install() == ("pnpm", "install", "--ignore-scripts")
    assert yarn.install() == ("yarn", "install", "--ignore-engines") and berry.install() == ("yarn", "install")


def test_by_hand_uses_the_chosen_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    assert pmod.by_hand("npm", "tsx", "index.ts") == "npx tsx index.ts"
    on_path = {"pnpm", "yarn", "bun"}
    monkeypatch.setattr(pmod.shutil, "which", lambda name: f"/usr/bin/{name}" if name in on_path else None)
    assert pmod.by_hand("pnpm", "tsx", "index.ts") == "pnpm exec tsx index.ts"
    assert pmod.by_hand("yarn", "tsx", "index.ts") == "yarn run tsx index.ts"
    assert pmod.by_hand("bun", "tsx", "index.ts") == "bun x tsx index.ts"
    on_path.clear()  # supatui ran the manager through npx: the person may not have it either
    assert pmod.by_hand("pnpm", "tsx", "index.ts") == "npx tsx index.ts"
