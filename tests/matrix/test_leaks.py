"""Leak test: a canary password through a whole walkthrough is found only in `.env` and the keyring.

Headless: `supatui run --yes --sandbox` from a cold sandbox under a home of its own, the canary as
the prisma role's password, /proc/*/cmdline of every process sampled every 50 ms. By keys: the
wizard against a sandbox, the canary typed into the password field, a screenshot after each step.
Both then search every channel for the canary in every spelling (see leakscan.forms_of).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.matrix.clihelp import child_env, run_cli
from tests.matrix.conftest import PrivateHome
from tests.matrix.leakscan import CANARY, CORE, ArgvSampler, Scan, cluster_dir, forms_of

TRANSCRIPT, REPLAY = "supatui-transcript.md", "supatui-replay.sh"


def _assert_only_in_env_and_keyring(scan: Scan, project: Path, keyring: Path) -> None:
    """The positive controls (the canary IS where it must be) and no finding anywhere else."""
    env_text = (project / ".env").read_bytes()
    assert scan.forms["quote"] in env_text, ".env does not hold the percent-encoded canary: the scan proves nothing"
    assert scan.forms["raw"] not in env_text, ".env holds the raw (unencoded) password"
    stored = json.loads(keyring.read_text())
    assert CANARY in stored.values(), "the keyring does not hold the canary"
    print("\n" + scan.report())
    if scan.upstream_argv:
        print(f"  upstream: Prisma's CLI put the (percent-encoded) URL on its schema engine's argv "
              f"{len(scan.upstream_argv)} time(s): {scan.upstream_argv[0][:120]}…")
    leaks = "\n".join(f"  {f.channel}: {f.where} ({', '.join(f.forms)})" for f in scan.findings)
    assert not scan.findings, f"the canary leaked:\n{leaks}"


def test_headless_walkthrough_leaks_nothing(workspace: Path, private_home: Callable[[str], PrivateHome],
                                            prisma_engine: str | None) -> None:
    home = private_home("leak")
    project = workspace / "hello-prisma"
    env = child_env(home.env(), SUPATUI_PRISMA_PASSWORD=CANARY)
    if prisma_engine:
        env["PRISMA_SCHEMA_ENGINE_BINARY"] = prisma_engine
    with ArgvSampler(0.05) as sampler:
        result = run_cli(["run", "--yes", "--sandbox", "--dir", str(project)], cwd=workspace, env=env, timeout=600)
    assert result.returncode == 0, result.describe()
    assert sampler.samples > 20, f"only {sampler.samples} argv samples were taken"

    scan = Scan(forms_of(CANARY, CORE))
    scan.blob("stdout", "supatui run", result.stdout.encode())
    scan.blob("stderr", "supatui run", result.stderr.encode())
    for name in (TRANSCRIPT, REPLAY):
        assert (project / name).is_file(), f"{name} was not written"
        scan.blob(f"{name}", str(project / name), (project / name).read_bytes())
    scan.tree("project files (generated/, prisma/, .supatui/ …; not .env, node_modules)", project,
              skip_dirs=("node_modules",), skip_files=(project / ".env",))
    scan.tree("saved state (.supatui/)", project / ".supatui")
    scan.tree("SUPATUI_HOME", home.home)
    cluster = cluster_dir(home.home)
    assert cluster is not None and cluster.is_dir(), "the sandbox's cluster dir is unknown"
    if not cluster.is_relative_to(home.home):
        scan.tree("sandbox data dir (pg_authid, WAL, logs)", cluster)
    sampler.scan_into(scan)
    assert scan.channels["argv (/proc/*/cmdline)"] > 10
    _assert_only_in_env_and_keyring(scan, project, home.keyring)
