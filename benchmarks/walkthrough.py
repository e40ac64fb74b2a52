"""Wall time of `supatui run --yes --sandbox`, side by side with two plain shell scripts.

    python benchmarks/walkthrough.py [--rounds 3] [--pm npm] [--cold] [--only guide]

Baselines, each run as `bash script` in an empty folder: no UI, no plan, no verification.
- replay: the `supatui-replay.sh` supatui itself writes (the same SQL, commands and files). Target: <= 1.05x.
- guide: the guide's own command sequence (guide_script), as the guide prints it for Prisma 7 with the same
  package manager: its SQL through psql, init, the dev-tools install, `tsc --init`, `prisma init`, the files a
  reader edits (.env, schema, config, index.ts: copied from the warm-up project, for free), `migrate dev`, the
  client install, Prisma 7's adapter install, `prisma generate`, `tsx index.ts`: three package installs, and
  every tool through npx (pnpm exec, yarn run, bun x). Target: supatui <= 0.8x.
All run against one sandbox with the same npm cache state: warm for both (a warm-up run fills it), or, with
--cold, a new empty cache for every run of every side. The database is reset (the prisma role and what it owns
dropped) before every run; the order rotates each round so drift hits all sides. Medians. Run it under `nice`.
Needs the Prisma schema engine: set PRISMA_SCHEMA_ENGINE_BINARY (e.g. the offline shim, for every side
equally) where it cannot be downloaded.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from supatui.core import packagemanager, secrets  # noqa: E402
from supatui.core.prisma.recipes import INIT_ARGS, PRISMA7  # noqa: E402
from supatui.core.steps.migrations import MIGRATION_NAME  # noqa: E402
from supatui.sandbox import Sandbox  # noqa: E402

# The guide's step 1 (../shared/seed), verbatim but for the password, which psql reads from the environment.
GUIDE_SQL = r"""\getenv pw SUPATUI_PRISMA_PASSWORD
create user "prisma" with password :'pw' bypassrls createdb;
grant "prisma" to "postgres";
grant usage on schema public to prisma;
grant create on schema public to prisma;
grant all on all tables in schema public to prisma;
grant all on all routines in schema public to prisma;
grant all on all sequences in schema public to prisma;
alter default privileges for role postgres in schema public grant all on tables to prisma;
alter default privileges for role postgres in schema public grant all on routines to prisma;
alter default privileges for role postgres in schema public grant all on sequences to prisma;
"""


def guide_script(pm: packagemanager.PackageManager) -> str:
    """The guide's steps 1-6 for Prisma 7 as a plain script (the reader's file edits are `cp`s).

    Three departures, all shared with supatui so neither side gains: tsx instead of ts-node (ts-node cannot
    run with TypeScript 7; notes prisma.md §3) plus @types/pg, `prisma init` with supatui's flags (no local
    dev-server ports, no agent-skill files; recipes.INIT_ARGS), and the manager's quirk flags (pnpm's
    --ignore-scripts, yarn 1's --ignore-engines: without them those installs fail).
    """
    client, *adapter = PRISMA7.packages  # step 5's `npm install @prisma/client`, then Prisma 7's adapter
    lines = [
        "set -euo pipefail",
        f"psql -X -q -v ON_ERROR_STOP=1 <<'SQL'\n{GUIDE_SQL}SQL",
        pm.init(),
        pm.add(PRISMA7.dev_packages, dev=True),
        pm.exec("tsc", "--init"),
        pm.exec("prisma", *INIT_ARGS),
        'cp "$FILES/.env" "$FILES/prisma.config.ts" "$FILES/index.ts" .',
        'rm -f prisma7.config.ts && cp "$FILES/schema.prisma" prisma/schema.prisma',
        pm.exec("prisma", "migrate", "dev", "--name", MIGRATION_NAME),
        pm.add([client]),
        pm.add(adapter),
        pm.exec("prisma", "generate"),
        pm.exec(*PRISMA7.runner),
    ]
    return "\n".join(line if isinstance(line, str) else shlex.join(line) for line in lines) + "\n"


def guide_files(project: Path, dest: Path) -> None:
    """What a reader of the guide writes by hand, taken from supatui's warm-up project."""
    dest.mkdir(parents=True)
    for name in (".env", "prisma.config.ts", "index.ts"):
        shutil.copy(project / name, dest / name)
    shutil.copy(project / "prisma" / "schema.prisma", dest / "schema.prisma")
    os.chmod(dest / ".env", 0o600)


def pg_env(url: str) -> dict[str, str]:
    """libpq variables for psql (the password stays out of argv)."""
    parts = psycopg.conninfo.conninfo_to_dict(url)
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}
    return {env: str(parts[key]) for key, env in names.items() if parts.get(key) is not None}


def cold_cache(folder: Path) -> dict[str, str]:
    """Every manager's download cache in a new empty folder (npm, pnpm's store and metadata, yarn 1, bun)."""
    folder.mkdir(parents=True)
    return {"npm_config_cache": str(folder / "npm"), "npm_config_store_dir": str(folder / "pnpm-store"),
            "npm_config_cache_dir": str(folder / "pnpm-cache"), "YARN_CACHE_FOLDER": str(folder / "yarn"),
            "BUN_INSTALL_CACHE_DIR": str(folder / "bun")}


def reset_database(session_url: str) -> None:
    """Drop what a walkthrough leaves in the database, so every run starts from the same state."""
    with psycopg.connect(session_url, autocommit=True) as conn:
        if conn.execute("select 1 from pg_roles where rolname = 'prisma'").fetchone():
            conn.execute("drop owned by prisma cascade")
            conn.execute("drop role prisma")


def children_cpu() -> float:
    """CPU seconds (user + system) of every child process waited for so far, grandchildren included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_supatui(workdir: Path, env: dict[str, str], pm: str) -> tuple[float, Path]:
    project = workdir / "hello-prisma"
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "supatui", "run", "--yes", "--sandbox", "--dir", str(project),
                             "--pm", pm], cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"supatui run failed:\n{result.stdout[-2000:]}\n{result.stderr}")
    return seconds, project


def run_script(script: Path, workdir: Path, env: dict[str, str]) -> float:
    project = workdir / "hello-prisma"
    project.mkdir(parents=True)
    started = time.perf_counter()
    result = subprocess.run(["bash", str(script)], cwd=project, env={**env, "SUPATUI_PROJECT_DIR": str(project)},
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{script.name} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    if "alice@prisma.io" not in result.stdout:
        sys.exit(f"{script.name} did not print the row:\n{result.stdout[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds, one run of each side per round (default 3)")
    parser.add_argument("--pm", default="npm", choices=packagemanager.NAMES, help="package manager (default npm)")
    parser.add_argument("--cold", action="store_true", help="a new empty package cache for every run")
    parser.add_argument("--only", choices=("guide", "replay"), help="one baseline only")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="supatui-bench-"))
    os.chmod(home, 0o755)
    env = {**os.environ, "SUPATUI_HOME": str(home / "home")}
    os.environ["SUPATUI_HOME"] = env["SUPATUI_HOME"]
    # The prisma role is dropped and made again (new salt) every run: the router's Supavisor-like secrets cache
    # (60 s, 3 refreshes a minute) and auth circuit breaker would then refuse logins that are right. Both off.
    os.environ.update(SUPATUI_SANDBOX_AUTH_CACHE_SECONDS="0", SUPATUI_SANDBOX_CIRCUIT_BREAKER="off")
    sandbox = Sandbox()
    info = sandbox.start()
    password = secrets.generate_password()
    env.update(SUPATUI_PRISMA_PASSWORD=password, SUPATUI_DB_PASSWORD=info.postgres_password)
    sides = ["supatui", *([args.only] if args.only else ["replay", "guide"])]
    try:
        # Warm-up: fills the package cache, writes the replay script and the files a guide reader would write.
        reset_database(info.session_url)
        _, first = run_supatui(home / "warmup", env, args.pm)
        scripts = {"replay": home / "replay.sh", "guide": home / "guide.sh"}
        shutil.copy(first / "supatui-replay.sh", scripts["replay"])
        scripts["guide"].write_text(guide_script(packagemanager.get(args.pm)), encoding="utf-8")
        guide_files(first, home / "files")
        guide_env = {**env, **pg_env(info.session_url), "FILES": str(home / "files")}
        print(f"package manager: {args.pm}; {'cold' if args.cold else 'warm'} cache; load: "
              f"{os.getloadavg()[0]:.2f}", flush=True)
        timings: dict[str, list[float]] = {side: [] for side in sides}
        cpu: dict[str, list[float]] = {side: [] for side in sides}
        for index in range(args.rounds):
            order = sides[index % len(sides):] + sides[: index % len(sides)]
            for which in order if index % 2 == 0 else order[::-1]:
                reset_database(info.session_url)
                workdir = home / f"run{index}-{which}"
                cache = cold_cache(home / f"cache{index}-{which}") if args.cold else {}
                before = children_cpu()
                if which == "supatui":
                    timings[which].append(run_supatui(workdir, {**env, **cache}, args.pm)[0])
                else:
                    base = guide_env if which == "guide" else env
                    timings[which].append(run_script(scripts[which], workdir, {**base, **cache}))
                cpu[which].append(children_cpu() - before)
                print(f"  {which:<8} {timings[which][-1]:6.1f} s  (CPU {cpu[which][-1]:5.1f} s; load "
                      f"{os.getloadavg()[0]:.1f})", flush=True)
                shutil.rmtree(workdir, ignore_errors=True)
        ours = statistics.median(timings["supatui"])
        print(f"supatui run --yes --sandbox:   {ours:.1f} s (median of {len(timings['supatui'])})")
        if "replay" in timings:
            replay = statistics.median(timings["replay"])
            print(f"supatui's replay script:       {replay:.1f} s; ratio {ours / replay:.2f}x (target <= 1.05x)")
        if "guide" in timings:
            guide = statistics.median(timings["guide"])
            print(f"the guide's commands (script): {guide:.1f} s; ratio {ours / guide:.2f}x (target <= 0.8x)")
            paired = statistics.median(a / b for a, b in zip(timings["supatui"], timings["guide"], strict=True))
            print(f"  median of the per-round ratios: {paired:.2f}x (the network's share varies from run to run)")
            print(f"  CPU seconds (medians; the sandbox's server processes not counted): supatui "
                  f"{statistics.median(cpu['supatui']):.1f} s, the guide {statistics.median(cpu['guide']):.1f} s")
        print(f"load at the end: {os.getloadavg()[0]:.2f}")
    finally:
        reset_database(info.session_url)
        sandbox.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
