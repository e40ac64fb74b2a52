"""The .env example a check prints must be a string that can work: the pooler takes `prisma.<ref>`, the direct
host the bare `prisma`. Given only the direct string (`db.<ref>.supabase.co`), `supatui check` printed
`prisma.<ref>@db.<ref>.supabase.co`, which Supabase's direct host refuses (no such role)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from supatui.core.connstr import target_from_url
from supatui.core.learn.db_check import example_url

REF = "abcdefghijklmnopqrst"


def test_direct_only_target_points_at_the_session_pooler_with_the_ref() -> None:
    target, _ = target_from_url(f"postgresql://postgres:pw@db.{REF}.supabase.co:5432/postgres")
    url = example_url(target, "prisma")
    assert url == f"postgres://prisma.{REF}:<PRISMA-PASSWORD>@<region>.pooler.supabase.com:5432/postgres"
    assert example_url(target, "prisma", 6543).endswith(".pooler.supabase.com:6543/postgres")


def test_pooler_target_keeps_its_host_and_ports() -> None:
    target, _ = target_from_url(f"postgresql://postgres.{REF}:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres")
    assert example_url(target, "prisma") == (f"postgres://prisma.{REF}:<PRISMA-PASSWORD>@"
                                             "aws-0-eu-central-1.pooler.supabase.com:5432/postgres")


def test_check_with_the_direct_string_prints_a_usable_example(tmp_path: Path) -> None:
    env = {**os.environ, "SUPATUI_HOME": str(tmp_path / "home")}
    env.pop("SUPATUI_DB_PASSWORD", None)
    out = subprocess.run([sys.executable, "-m", "supatui", "check", "--dir", str(tmp_path / "p"), "--url",
                          f"postgresql://postgres:pw@db.{REF}.supabase.co:5432/postgres"],
                         capture_output=True, text=True, env=env, timeout=60, check=False)
    assert out.returncode == 1, out.stderr
    assert f"prisma.{REF}:<PRISMA-PASSWORD>@db." not in out.stdout
    assert f"prisma.{REF}:<PRISMA-PASSWORD>@<region>.pooler.supabase.com:5432" in out.stdout
