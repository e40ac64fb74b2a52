"""Steps 2, 5 and 6 by hand: what the folder must hold, judged by what Prisma needs, not by supatui's files.

Accepted as the guide and Prisma's docs allow: tsx or ts-node; any Prisma config that loads
``.env`` and reads the URL from the environment; a script named index.ts (or main.ts, script.ts,
src/index.ts, the .js forms) that uses PrismaClient.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from supatui.core import packagemanager
from supatui.core.learn.model import Finding
from supatui.core.packagemanager import PackageManager
from supatui.core.prisma.recipes import client_marker, config_path, installed_major, recipe_for
from supatui.core.prisma.templates import query_model

SCRIPT_NAMES = ("index.ts", "main.ts", "script.ts", "src/index.ts", "index.js", "index.mjs")
_FIND_MANY = re.compile(r"\bprisma\s*\.\s*([A-Za-z_]\w*)\s*\.\s*find(?:Many|First|Unique)\b")
_LEGACY_CLIENT = "node_modules/.prisma/client/index.js"


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _add(pm: PackageManager, names: list[str], *, dev: bool) -> str:
    return shlex.join(pm.add(names, dev=dev))


def _missing(project: Path, names: tuple[str, ...]) -> list[str]:
    return [packagemanager.package_name(spec) for spec in packagemanager.missing_packages(project, names)]


def project_findings(project: Path, pm: PackageManager, seen: list[str]) -> list[Finding]:
    if not (project / "package.json").is_file():
        folder = shlex.quote(str(project))
        init = shlex.join(pm.init())
        return [Finding(f"{project} has no package.json yet", f"mkdir -p {folder} && cd {folder} && {init}")]
    seen.append("package.json")
    found: list[Finding] = []
    missing = _missing(project, ("prisma", "typescript"))
    declared = packagemanager.declared_packages(project)
    if not {"tsx", "ts-node"} & declared:
        missing.append("tsx")
    if missing:
        found.append(Finding(f"package.json lacks {', '.join(missing)} (the guide's dev tools)",
                             _add(pm, missing, dev=True)))
    else:
        seen.append("prisma, typescript and a TypeScript runner installed")
    schema = project / "prisma" / "schema.prisma"
    text = read(schema)
    if not text:
        found.append(Finding("prisma/schema.prisma is missing", shlex.join(pm.exec("prisma", "init",
                                                                                  "--datasource-provider", "postgresql"))))
        return found
    if not re.search(r'provider\s*=\s*"postgres(?:ql)?"', text):
        found.append(Finding("the datasource in prisma/schema.prisma is not PostgreSQL",
                             'set provider = "postgresql" in the datasource block of prisma/schema.prisma'))
    major = installed_major(project)
    if major is not None and major >= 7:
        found.extend(_config_findings(project, seen))
    elif 'env("DATABASE_URL")' not in text:
        found.append(Finding("prisma/schema.prisma does not read DATABASE_URL",
                             'add url = env("DATABASE_URL") to the datasource block of prisma/schema.prisma'))
    return found


def _config_findings(project: Path, seen: list[str]) -> list[Finding]:
    config = config_path(project)
    if config is None:
        return [Finding("Prisma 7 needs prisma.config.ts (it no longer reads the URL from the schema)",
                        "npx prisma init --datasource-provider postgresql (or write prisma.config.ts from Prisma's docs)")]
    text = read(config)
    found = []
    if not re.search(r"dotenv/config|dotenv\"?\)?\.config\(|loadEnvFile", text):
        found.append(Finding(f"{config.name} does not load .env, so the CLI will not see DATABASE_URL",
                             f'add import "dotenv/config"; as the first line of {config.name} (and install dotenv)'))
    if "DATABASE_URL" not in text and "DIRECT_URL" not in text:
        found.append(Finding(f"{config.name} gives the CLI no URL from the environment",
                             'in defineConfig, set datasource: { url: env("DATABASE_URL") }'))
    if not found:
        seen.append(f"{config.name} loads .env")
    return found


def client_findings(project: Path, pm: PackageManager, seen: list[str]) -> list[Finding]:
    major = installed_major(project)
    if major is None:
        return [Finding("the Prisma CLI is not installed (step 2)", _add(pm, ["prisma"], dev=True))]
    wanted = ("@prisma/client", "@prisma/adapter-pg", "pg") if major >= 7 else ("@prisma/client",)
    found: list[Finding] = []
    missing = _missing(project, wanted)
    if missing:
        found.append(Finding(f"package.json lacks {', '.join(missing)}", _add(pm, missing, dev=False)))
    else:
        seen.append(", ".join(wanted) + " installed")
    schema = project / "prisma" / "schema.prisma"
    markers = [client_marker(project, recipe_for(min(major, 7) if major >= 6 else 6)), project / _LEGACY_CLIENT]
    present = [marker for marker in markers if marker.exists()]
    generate = shlex.join(pm.exec("prisma", "generate"))
    if not present:
        found.append(Finding("the client has not been generated", generate))
    elif schema.exists() and max(m.stat().st_mtime for m in present) + 1 < schema.stat().st_mtime:
        found.append(Finding("the generated client is older than prisma/schema.prisma", generate))
    else:
        seen.append(f"generated client: {present[0]}")
    return found


def test_script(project: Path) -> Path | None:
    for name in SCRIPT_NAMES:
        path = project / name
        if path.is_file() and "PrismaClient" in read(path):
            return path
    return None


def script_model(project: Path, script: Path) -> str | None:
    """The model the script reads (``prisma.user.findMany`` -> ``User``), else the schema's first."""
    schema = read(project / "prisma" / "schema.prisma")
    models = re.findall(r"^\s*model\s+(\w+)\s*\{", schema, re.M)
    match = _FIND_MANY.search(read(script))
    if match:
        for model in models:
            if model[:1].lower() + model[1:] == match.group(1):
                return str(model)
    return query_model(schema)
