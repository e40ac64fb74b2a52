"""Telling "Prisma could not download its engine" apart from every other failure.

Every Prisma CLI command (even ``--version``) first fetches a native engine from
binaries.prisma.sh and fails without network (notes prisma.md §0.2). That is not a database
or project problem, so it gets its own code and a message about network, proxy and mirror.
"""

from __future__ import annotations

from supatui.core.errors import StepFailed
from supatui.core.prisma.recipes import installed_major

__all__ = ["ENGINE_MARKERS", "engine_download_failed", "engine_download_error", "installed_major", "output_tail"]

ENGINE_MARKERS = ("binaries.prisma.sh", "schema-engine.gz", "libquery_engine", "query-engine.gz")


def engine_download_failed(output: str) -> bool:
    """True when a Prisma command's output shows the engine download failing."""
    return any(marker in output for marker in ENGINE_MARKERS)


def output_tail(output: str, lines: int = 25) -> str:
    return "\n".join(output.splitlines()[-lines:])


def engine_download_error(step: str, output: str) -> StepFailed:
    """The distinct failure for a missing engine: what happened, and how to go on from here."""
    return StepFailed(
        step,
        "Prisma could not download its engine from binaries.prisma.sh: this machine has no network access to it "
        "(offline, or a proxy or firewall blocks it).",
        "Connect to the internet (behind a proxy, set HTTPS_PROXY), set PRISMA_ENGINES_MIRROR to a mirror of "
        "binaries.prisma.sh, or use the room's offline kit (--kit DIR|URL). The folder is kept as it is.",
        output=output_tail(output),
        code="engine-download",
    )
