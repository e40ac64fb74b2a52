"""npm, pnpm, yarn and bun: the argv for init / add / exec, and each one's quirks.

npm ships with Node and is the default. The others are used when installed, or run through
``npx --yes <pm>`` (corepack cannot download them on locked-down machines). Quirks handled
(notes prisma.md §5, verified with pnpm 12.21, yarn 1.22.22 and 4.18.1, bun 1.4.5):
- pnpm 12 exits 1 on "Ignored build scripts" although everything is installed: ``add`` gets
  ``--ignore-scripts`` (npm 11 skips unapproved scripts too; Prisma fetches engines lazily), and
  success is judged from node_modules anyway. ``pnpm init`` would pin its own version with
  ``onFail: download`` and warn on every command: ``--config.init-package-manager=false``.
- yarn classic refuses the whole install because one optional Prisma package wants Node 22:
  ``--ignore-engines`` (yarn 2+ rejects that flag, and ignores engines anyway).
- yarn 2+ defaults to Plug'n'Play, which has no node_modules for Prisma to find
  (``YARN_NODE_LINKER=node-modules``), and its ``init`` runs ``git init`` and writes a
  ``.gitignore`` without ``.env`` (so package.json comes from ``npm init -y``).
- ``bun init`` writes a sample ``index.ts`` that would collide with the test script (so
  package.json comes from ``npm init -y``).
"""

from __future__ import annotations

import functools
import json
import re
import shlex
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from supatui.core.npmcache import PREFER_OFFLINE

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


def declared_ranges(project_dir: Path) -> dict[str, str]:
    """name -> the range package.json declares for it (dependencies and devDependencies)."""
    try:
        data = json.loads((project_dir / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    ranges: dict[str, str] = {}
    if isinstance(data, dict):
        for section in ("dependencies", "devDependencies"):
            deps = data.get(section)
            if isinstance(deps, dict):
                ranges.update({k: v for k, v in deps.items() if isinstance(k, str) and isinstance(v, str)})
    return ranges


def specs_to_name(project_dir: Path, specs: Iterable[str]) -> list[str]:
    """The specs an add must name: those package.json does not declare, and pinned ones declared or installed
    with another major (``--prisma 6`` in a Prisma 7 project).

    A declared package is never named: the manager would rewrite its range (a project's ``"pg": "^8.0.0"``
    became ``^8.23.1``). Declared but not installed, it comes with any add or a plain install.
    """
    ranges = declared_ranges(project_dir)
    named = []
    for spec in specs:
        name = package_name(spec)
        pinned = spec[len(name) + 1 :] if len(spec) > len(name) else ""
        if name not in ranges:
            named.append(spec)
        elif pinned.isdigit():
            declared = re.search(r"\d+", ranges[name])
            version = installed_version(project_dir, name)
            if (declared and declared.group(0) != pinned) or (version and version.split(".")[0] != pinned):
                named.append(spec)
    return named


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
    major: int | None = None  # its major version when it matters (yarn 1 vs 2+); None: unknown

    @property
    def via_npx(self) -> bool:
        return self.launcher[:1] == ("npx",) and self.name != "npm"

    @property
    def yarn_classic(self) -> bool:
        return self.name == "yarn" and (self.major or 1) < 2

    def init(self) -> tuple[str, ...]:
        """Create package.json non-interactively (and nothing else)."""
        if self.name == "pnpm":
            return (*self.launcher, "init", "--config.init-package-manager=false")
        if self.yarn_classic:
            return (*self.launcher, "init", "-y")
        return ("npm", "init", "-y")

    def add(self, specs: Sequence[str], *, dev: bool = False, prefer_offline: bool = False) -> tuple[str, ...]:
        """``prefer_offline``: npm takes the metadata its cache holds (npmcache.py decides when that is safe)."""
        specs = tuple(specs)
        if self.name == "npm":
            offline = (PREFER_OFFLINE,) if prefer_offline else ()
            return ("npm", "install", *offline, *specs, *(("--save-dev",) if dev else ()))
        if self.name == "bun":
            return (*self.launcher, "add", *(("-d",) if dev else ()), *specs)
        flags = ("--ignore-scripts",) if self.name == "pnpm" else ("--ignore-engines",) if self.yarn_classic else ()
        return (*self.launcher, "add", *(("-D",) if dev else ()), *flags, *specs)

    def install(self) -> tuple[str, ...]:
        """Install what package.json declares (a project whose node_modules lacks declared packages)."""
        if self.name == "npm":
            return ("npm", "install")
        flags = ("--ignore-scripts",) if self.name == "pnpm" else ("--ignore-engines",) if self.yarn_classic else ()
        return (*self.launcher, "install", *flags)

    @property
    def one_resolution(self) -> bool:
        """Whether one add can install dev tools and runtime packages together: every manager keeps a package
        named on the command line in the section package.json already lists it in (npm's arborist infers the
        save type from the existing edge; checked with npm 11.19, pnpm 12.23, yarn 1.22.22, bun 1.4.5). Yarn 2+
        is not verified here: two adds."""
        return not (self.name == "yarn" and not self.yarn_classic)

    def predeclared(self, spec: str) -> str:
        """How to name a spec already listed in devDependencies as ``*`` (or its pinned major) so the add writes
        a caret range: pnpm 12.23 keeps an existing ``*`` for a bare name, but writes ``^x.y.z`` for
        ``name@latest``; npm, yarn 1 and bun write ``^x.y.z`` for the bare name (verified)."""
        if self.name == "pnpm" and package_name(spec) == spec:
            return f"{spec}@latest"
        return spec

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


def by_hand(name: str, program: str, *args: str) -> str:
    """How a person runs the project's ``program`` with the manager they chose (``pnpm exec tsx index.ts``).

    A pnpm, yarn or bun project was told ``npx tsx index.ts``; that works with Node alone, but is not the
    manager's own command. A manager not on PATH (supatui ran it through npx) gets the npx form. No
    subprocess: the wizard builds this on its UI thread.
    """
    if name != "npm" and name in NAMES and shutil.which(name):
        sub = {"pnpm": ("exec",), "yarn": ("run",), "bun": ("x",)}[name]
        return shlex.join((name, *sub, program, *args))
    return shlex.join(("npx", program, *args))


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


@functools.lru_cache(maxsize=8)
def version_major(program: str) -> int | None:
    """``<program> --version``'s major, or None when it does not run (asked once per process)."""
    from supatui.core.runner import capture

    result = capture([program, "--version"], timeout=30)
    if result is None:
        return None
    match = re.search(r"(\d+)\.\d+", result.text)
    return int(match.group(1)) if match else None


YARN_BERRY_ENV = {"YARN_NODE_LINKER": "node-modules", "YARN_ENABLE_IMMUTABLE_INSTALLS": "false"}


def get(name: str) -> PackageManager:
    """The package manager ``name`` as it can be started on this machine."""
    if name not in NAMES:
        raise ValueError(f"unknown package manager {name!r}; choose one of {', '.join(NAMES)}")
    if name == "npm":
        return PackageManager("npm", ("npm",))
    if not shutil.which(name):  # npm's "yarn" package is yarn classic (1.x)
        return PackageManager(name, ("npx", "--yes", name), major=1 if name == "yarn" else None)
    if name == "yarn":
        major = version_major("yarn")
        return PackageManager(name, (name,), dict(YARN_BERRY_ENV) if major and major >= 2 else {}, major)
    return PackageManager(name, (name,))
