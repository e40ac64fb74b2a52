"""Kit platforms: a friendly name (linux-x64) and what it means to Prisma, npm and pip.

Prisma names its engine builds by "binary target" (debian-openssl-3.0.x, darwin-arm64, windows, …;
the list is ``_T`` / ``knownBinaryTargets`` in prisma/build/cli.js and @prisma/get-platform), npm
packages by ``os``/``cpu`` (esbuild's and TypeScript 7's per-platform packages), pip wheels by tag.
A kit platform may also be given as a Prisma binary target directly (then only that engine is packed).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class KitPlatform:
    name: str  # linux-x64, darwin-arm64, … or a Prisma binary target
    prisma_targets: tuple[str, ...]  # engine builds to pack
    node_os: str  # process.platform
    node_cpu: str  # process.arch
    pip_platforms: tuple[str, ...]  # wheel platform tags for `pip download --platform`

    @property
    def exe_suffix(self) -> str:
        return ".exe" if self.node_os == "win32" else ""


_LINUX_X64_PIP = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "linux_x86_64")
_LINUX_ARM_PIP = ("manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64", "linux_aarch64")
_MAC_ARM_PIP = ("macosx_11_0_arm64", "macosx_12_0_arm64", "macosx_14_0_arm64")
_MAC_X64_PIP = ("macosx_10_9_x86_64", "macosx_10_13_x86_64", "macosx_11_0_x86_64", "macosx_13_0_x86_64")

PLATFORMS: dict[str, KitPlatform] = {
    p.name: p
    for p in (
        KitPlatform("linux-x64", ("debian-openssl-3.0.x", "debian-openssl-1.1.x", "rhel-openssl-3.0.x",
                                  "linux-musl-openssl-3.0.x"), "linux", "x64", _LINUX_X64_PIP),
        KitPlatform("linux-arm64", ("linux-arm64-openssl-3.0.x", "linux-arm64-openssl-1.1.x",
                                    "linux-musl-arm64-openssl-3.0.x"), "linux", "arm64", _LINUX_ARM_PIP),
        KitPlatform("darwin-arm64", ("darwin-arm64",), "darwin", "arm64", _MAC_ARM_PIP),
        KitPlatform("darwin-x64", ("darwin",), "darwin", "x64", _MAC_X64_PIP),
        KitPlatform("windows-x64", ("windows",), "win32", "x64", ("win_amd64",)),
    )
}
DEFAULT_PLATFORMS = ("linux-x64", "darwin-arm64", "darwin-x64", "windows-x64")  # plus the instructor's own


def _from_prisma_target(target: str) -> KitPlatform | None:
    """A single Prisma binary target as a kit platform of its own."""
    for kit in PLATFORMS.values():
        if target in kit.prisma_targets:
            return KitPlatform(target, (target,), kit.node_os, kit.node_cpu, kit.pip_platforms)
    if re.fullmatch(r"(debian|rhel|linux-musl|linux-static)-openssl-\d\.\d\.x|linux-static-x64", target):
        return KitPlatform(target, (target,), "linux", "x64", _LINUX_X64_PIP)
    if re.fullmatch(r"linux-(musl-)?arm64-openssl-\d\.\d\.x|linux-static-arm64", target):
        return KitPlatform(target, (target,), "linux", "arm64", _LINUX_ARM_PIP)
    return None


def resolve(name: str) -> KitPlatform:
    """A kit platform by friendly name or Prisma binary target; ValueError names the choices."""
    if name in PLATFORMS:
        return PLATFORMS[name]
    found = _from_prisma_target(name)
    if found is None:
        raise ValueError(f"unknown platform {name!r}: use one of {', '.join(PLATFORMS)} "
                         "or a Prisma binary target such as debian-openssl-3.0.x")
    return found


def _linux_target_guess() -> str:
    """Prisma's binary target for this Linux machine, the way @prisma/get-platform derives it (a fallback)."""
    arm = platform.machine().lower() in ("aarch64", "arm64")
    musl = any(Path(p).exists() for p in ("/lib/ld-musl-x86_64.so.1", "/lib/ld-musl-aarch64.so.1"))
    ssl3 = any(Path(d, "libssl.so.3").exists() for d in ("/usr/lib", "/lib", "/usr/lib64", "/lib64",
                                                           f"/usr/lib/{platform.machine()}-linux-gnu",
                                                           f"/lib/{platform.machine()}-linux-gnu"))
    ssl = "3.0.x" if ssl3 else "1.1.x"
    if arm:
        return f"linux-musl-arm64-openssl-{ssl}" if musl else f"linux-arm64-openssl-{ssl}"
    if musl:
        return f"linux-musl-openssl-{ssl}"
    try:
        release = Path("/etc/os-release").read_text()
    except OSError:
        release = ""
    rhel = re.search(r'^ID(_LIKE)?=.*(rhel|fedora|centos|suse)', release, re.M) is not None
    return f"{'rhel' if rhel else 'debian'}-openssl-{ssl}"


def current_prisma_target(project: Path | None = None) -> str:
    """This machine's Prisma binary target: asked of @prisma/get-platform in ``project`` when installed."""
    if project is not None and (project / "node_modules" / "@prisma" / "get-platform").is_dir():
        script = "require('@prisma/get-platform').getBinaryTargetForCurrentPlatform().then(t => console.log(t))"
        try:
            out = subprocess.run(["node", "-e", script], cwd=project, capture_output=True, text=True, timeout=30,
                                 stdin=subprocess.DEVNULL)
            target = out.stdout.strip()
            if out.returncode == 0 and re.fullmatch(r"[a-z0-9.-]+", target):
                return target
        except (OSError, subprocess.SubprocessError):
            pass
    if sys.platform == "darwin":
        return "darwin-arm64" if platform.machine() == "arm64" else "darwin"
    if os.name == "nt":
        return "windows"
    return _linux_target_guess()


def current_platform(project: Path | None = None) -> KitPlatform:
    """The instructor's own machine as a kit platform (its exact Prisma target)."""
    return resolve(current_prisma_target(project))


def choose(names: list[str] | None, project: Path | None = None) -> list[KitPlatform]:
    """The platforms to pack: the given ones, or the defaults plus this machine's; duplicates merged."""
    if names:
        chosen = [resolve(n) for n in names]
    else:
        chosen = [current_platform(project), *(PLATFORMS[n] for n in DEFAULT_PLATFORMS)]
    seen: dict[str, KitPlatform] = {}
    for p in chosen:
        seen.setdefault(p.name, p)
    return list(seen.values())


def engine_file(target: str, binary: str = "schema-engine") -> str:
    """The unzipped file name Prisma downloads for ``target`` (``.exe`` on Windows; cli.js ``b1e``)."""
    return f"{binary}.exe" if target == "windows" else binary


def node_matches(entry_os: list[str] | None, entry_cpu: list[str] | None, platforms: list[KitPlatform]) -> bool:
    """Whether an npm package restricted by ``os``/``cpu`` runs on one of ``platforms`` (``!x`` negates)."""

    def ok(values: list[str] | None, value: str) -> bool:
        if not values:
            return True
        if any(v == f"!{value}" for v in values):
            return False
        positives = [v for v in values if not v.startswith("!")]
        return not positives or value in positives

    return any(ok(entry_os, p.node_os) and ok(entry_cpu, p.node_cpu) for p in platforms)
