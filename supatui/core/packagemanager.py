"""npm, pnpm, yarn and bun: the argv for init / add / exec, and each one's quirks.

npm ships with Node and is the default. The others are used when installed, or run through
``npx --yes <pm>`` (corepack cannot download them on locked-down machines). Quirks handled:
pnpm exits 1 on "Ignored build scripts" although everything is installed (so success is
judged from node_modules, not the exit code); yarn 2+ defaults to Plug'n'Play, which has no
node_modules for Prisma to find (so it gets ``YARN_NODE_LINKER=node-modules``); ``bun init``
writes a sample ``index.ts`` that would collide with the test script (so package.json comes
from ``npm init -y``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

NAMES = ("npm", "pnpm", "yarn", "bun")


def package_name(spec: str) -> str:
    """``prisma@6`` -> ``prisma``; ``@prisma/client@6`` -> ``@prisma/client``."""
    at = spec.find("@", 1)
    return spec if at < 0 else spec[:at]


def installed_version(project_dir: Path, package: str) -> str | None:
    """The version in ``node_modules/<package>/package.json``, or None when absent."""
    try:
        data = json.loads((project_dir / "node_modules" / package / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, str) else None


def declared_packages(project_dir: Path) -> set[str]:
    """The names package.json lists in dependencies and devDependencies."""
    try:
        data = json.loads((project_dir / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    names: set[str] = set()
    if isinstance(data, dict):
        for section in ("dependencies", "devDependencies"):
            deps = data.get(section)
            if isinstance(deps, dict):
                names.update(deps)
    return names


def missing_packages(project_dir: Path, specs: Iterable[str]) -> list[str]:
    """The specs not declared in package.json, not in node_modules, or installed with another major than pinned.

    Declared matters: a package present only as someone else's dependency (prisma pulls in
    dotenv) may vanish on the next install, and the project must run on its own.
    """
    declared = declared_packages(project_dir)
    missing = []
    for spec in specs:
        name = package_name(spec)
        version = installed_version(project_dir, name)
        pinned = spec[len(name) + 1 :] if len(spec) > len(name) else ""
        if name not in declared or version is None or (pinned.isdigit() and version.split(".")[0] != pinned):
            missing.append(spec)
    return missing


@dataclass(frozen=True)
class PackageManager:
    name: str
    launcher: tuple[str, ...]  # how to start it: ("npm",) or ("npx", "--yes", "pnpm")
    env: dict[str, str] = field(default_factory=dict)  # extra (non-secret) environment for its commands

    @property
    def via_npx(self) -> bool:
        return self.launcher[:1] == ("npx",) and self.name != "npm"

    def init(self) -> tuple[str, ...]:
        """Create package.json non-interactively."""
        if self.name in ("npm", "bun"):
            return ("npm", "init", "-y")
        if self.name == "yarn":
            return (*self.launcher, "init", "-y")
        return (*self.launcher, "init")

    def add(self, specs: Sequence[str], *, dev: bool = False) -> tuple[str, ...]:
        specs = tuple(specs)
        if self.name == "npm":
            return ("npm", "install", *specs, *(("--save-dev",) if dev else ()))
        if self.name == "bun":
            return (*self.launcher, "add", *(("-d",) if dev else ()), *specs)
        return (*self.launcher, "add", *(("-D",) if dev else ()), *specs)

    def exec(self, program: str, *args: str) -> tuple[str, ...]:
        """Run a binary from the project's node_modules (``npx prisma …`` as the guide writes it)."""
        if self.name == "npm":
            return ("npx", program, *args)
        if self.name == "pnpm":
            return (*self.launcher, "exec", program, *args)
        if self.name == "yarn":
            return (*self.launcher, "run", program, *args)
        return (*self.launcher, "x", program, *args)

    def install_succeeded(self, returncode: int, project_dir: Path, specs: Sequence[str]) -> bool:
        """Judge an add from node_modules; pnpm's exit 1 on ignored build scripts is not a failure."""
        if missing_packages(project_dir, specs):
            return False
        return returncode == 0 or self.name == "pnpm"


def available() -> dict[str, str]:
    """Which package managers can run here: name -> how (a path, or ``via npx``)."""
    found: dict[str, str] = {}
    has_npx = shutil.which("npx") is not None
    for name in NAMES:
        path = shutil.which(name)
        if path:
            found[name] = path
        elif name != "npm" and has_npx:
            found[name] = "via npx"
    return found


def get(name: str) -> PackageManager:
    """The package manager ``name`` as it can be started on this machine."""
    if name not in NAMES:
        raise ValueError(f"unknown package manager {name!r}; choose one of {', '.join(NAMES)}")
    if name == "npm":
        return PackageManager("npm", ("npm",))
    launcher: tuple[str, ...] = (name,) if shutil.which(name) else ("npx", "--yes", name)
    env = {"YARN_NODE_LINKER": "node-modules", "YARN_ENABLE_IMMUTABLE_INSTALLS": "false"} if name == "yarn" else {}
    return PackageManager(name, launcher, env)
