"""Which packages, config file, runner and client import each Prisma major needs.

The guide was written for Prisma 6 and npm now serves 7; the two differ in almost every file
(notes prisma.md). A recipe is chosen from the major the project actually has installed, or
the one asked for (``--prisma 6``), so the files we write always match the installed CLI.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from supatui.core.packagemanager import installed_version

DEFAULT_MAJOR = 7
SUPPORTED_MAJORS = (6, 7)
CONFIG_NAMES = ("prisma7.config.ts", "prisma.config.ts")  # prisma7.config.ts wins when both exist (notes §0.3)


@dataclass(frozen=True)
class Recipe:
    major: int
    dev_packages: tuple[str, ...]  # the guide's `npm install … --save-dev`
    packages: tuple[str, ...]  # the guide's runtime installs (step 2, checked again in step 5)
    config_file: str | None  # the Prisma config file we write (None: Prisma 6 reads .env itself)
    runs_init: bool  # whether `prisma init` is run (Prisma 6.19's init writes a v7-style config: we write files)
    runner: tuple[str, ...]  # how the test script runs
    client_marker: str  # a file that exists once the client is generated (relative to the project)

    @property
    def client_packages(self) -> tuple[str, ...]:
        return self.packages


PRISMA7 = Recipe(
    major=7,
    dev_packages=("prisma", "typescript", "tsx", "@types/node", "@types/pg"),
    packages=("@prisma/client", "@prisma/adapter-pg", "pg", "dotenv"),
    config_file="prisma.config.ts",
    runs_init=True,
    runner=("tsx", "index.ts"),
    client_marker="generated/prisma/client.ts",
)

PRISMA6 = Recipe(
    major=6,
    dev_packages=("prisma@6", "typescript", "tsx", "@types/node"),
    packages=("@prisma/client@6", "dotenv"),
    config_file=None,
    runs_init=False,
    runner=("tsx", "index.ts"),
    client_marker="node_modules/.prisma/client/index.js",
)

RECIPES = {6: PRISMA6, 7: PRISMA7}


def recipe_for(major: int | None) -> Recipe:
    """The recipe for ``major`` (None: the default, Prisma 7)."""
    if major is None:
        return RECIPES[DEFAULT_MAJOR]
    if major not in RECIPES:
        raise ValueError(f"Prisma {major} is not supported; choose 6 or 7")
    return RECIPES[major]


def installed_major(project_dir: Path) -> int | None:
    """The major of the Prisma CLI in node_modules (None when not installed)."""
    version = installed_version(project_dir, "prisma")
    if not version:
        return None
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def declared_major(project_dir: Path) -> int | None:
    """The major a package.json asks for (``"prisma": "^6.19.0"`` -> 6), before anything is installed."""
    try:
        data = json.loads((project_dir / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    for section in ("devDependencies", "dependencies"):
        deps = data.get(section)
        spec = deps.get("prisma") if isinstance(deps, dict) else None
        if isinstance(spec, str):
            match = re.search(r"(\d+)", spec)
            if match:
                return int(match.group(1))
    return None


def choose_recipe(project_dir: Path, asked: int | None) -> Recipe:
    """What was asked wins; else what is installed, then declared; else the default."""
    if asked is not None:
        return recipe_for(asked)
    found = installed_major(project_dir) or declared_major(project_dir)
    if found in RECIPES:
        return RECIPES[found]
    return recipe_for(None)


def config_path(project_dir: Path) -> Path | None:
    """The Prisma config file the CLI will load (prisma7.config.ts first), or None."""
    for name in CONFIG_NAMES:
        if (project_dir / name).exists():
            return project_dir / name
    return None


def generator_output(schema_text: str) -> str | None:
    """The ``output`` of the ``generator client`` block, if any (Prisma 7 writes the client there)."""
    block = re.search(r"generator\s+\w+\s*\{(.*?)\}", schema_text, re.S)
    if not block:
        return None
    match = re.search(r'^\s*output\s*=\s*"([^"]+)"', block.group(1), re.M)
    return match.group(1) if match else None


def client_marker(project_dir: Path, recipe: Recipe) -> Path:
    """The generated client's entry file, following the schema's generator ``output`` on Prisma 7."""
    if recipe.major >= 7:
        schema = project_dir / "prisma" / "schema.prisma"
        output = generator_output(schema.read_text(encoding="utf-8")) if schema.exists() else None
        if output:
            return (schema.parent / output / "client.ts").resolve()
    return project_dir / recipe.client_marker
