"""Prisma's schema engine, laid out as its download host lays it out.

Prisma 7 (prisma/build/cli.js, @prisma/fetch-engine) downloads
``${PRISMA_ENGINES_MIRROR || "https://binaries.prisma.sh"}/all_commits/<hash>/<target>/schema-engine[.exe].gz``
after fetching two checksums, ``<that url>.sha256`` (of the .gz) and the same without ``.gz`` (of the
unzipped file); each file's first word must be 64 hex digits, and a mismatch fails the download.
``<hash>`` is ``prisma.enginesVersion`` of @prisma/engines-version (the CLI prints it as "Default
Engines Hash"). The result is cached in ``$XDG_CACHE_HOME/prisma/master/<hash>/<target>/`` (or
``~/.cache/prisma``; ``%APPDATA%\\Prisma`` on Windows) and copied to node_modules/@prisma/engines.
Prisma 7 needs no other engine (the query engine became a Wasm compiler inside @prisma/client).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from supatui.kit.manifest import EngineEntry, KitError
from supatui.kit.platforms import engine_file

PRISMA_HOST = "https://binaries.prisma.sh"
Log = Callable[[str], None]


def engines_hash(project: Path) -> str:
    """The engine commit the installed Prisma CLI downloads (from @prisma/engines-version)."""
    path = project / "node_modules" / "@prisma" / "engines-version" / "package.json"
    try:
        value = json.loads(path.read_text(encoding="utf-8"))["prisma"]["enginesVersion"]
    except (OSError, ValueError, KeyError, TypeError):
        raise KitError(f"cannot read the engine hash from {path}.",
                       "The scratch install of prisma is incomplete; build the kit again.") from None
    if not isinstance(value, str) or len(value) != 40:
        raise KitError(f"unexpected engine hash {value!r} in {path}.", "Build the kit again with a released prisma.")
    return value


def engine_path(commit: str, target: str) -> str:
    """Relative to the kit: where the host keeps the gzipped engine (engines/ is the mirror's root)."""
    return f"engines/all_commits/{commit}/{target}/{engine_file(target)}.gz"


def _write(kit: Path, commit: str, target: str, raw: bytes, gz: bytes, source: str) -> EngineEntry:
    rel = engine_path(commit, target)
    dest = kit / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(gz)
    sha = hashlib.sha256(raw).hexdigest()
    gz_sha = hashlib.sha256(gz).hexdigest()
    name = engine_file(target)
    # the host's .sha256 files hold "<hex>  <file name>"; Prisma reads the first word
    dest.with_name(f"{name}.gz.sha256").write_text(f"{gz_sha}  {name}.gz\n")
    dest.with_name(f"{name}.sha256").write_text(f"{sha}  {name}\n")
    return EngineEntry(target, rel, sha, gz_sha, len(gz), source)


def add_engine_file(kit: Path, commit: str, target: str, file: Path) -> EngineEntry:
    """Register an engine you already have (plain, or .gz) for ``target`` under the real hash path."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise KitError(f"cannot read the engine file {file}: {exc.strerror}.",
                       "Pass --engine TARGET=FILE with a readable file.") from None
    if data[:2] == b"\x1f\x8b":
        gz, raw = data, gzip.decompress(data)
    else:
        raw, gz = data, gzip.compress(data, mtime=0)
    return _write(kit, commit, target, raw, gz, "file")


def _fetch(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "supatui-kit"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data: bytes = response.read()
        return data


def download_engine(kit: Path, commit: str, target: str, log: Log, *, host: str = PRISMA_HOST,
                    timeout: float = 60.0) -> EngineEntry:
    """Fetch the engine for ``target`` from Prisma's host and check both of its checksums."""
    url = f"{host}/{engine_path(commit, target).removeprefix('engines/')}"
    log(f"engine: {url}")
    try:
        want_gz = _fetch(url + ".sha256", 15.0).decode().split()[0]
        want_raw = _fetch(url.removesuffix(".gz") + ".sha256", 15.0).decode().split()[0]
        gz = _fetch(url, timeout)
    except (OSError, urllib.error.URLError, IndexError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "reason", exc)
        raise KitError(f"cannot download Prisma's engine for {target} from {host}: {reason}.",
                       f"Build where {host} is reachable, pass --engine {target}=FILE with an engine you have, "
                       f"or leave {target} out of --platforms.") from None
    raw = gzip.decompress(gz)
    if hashlib.sha256(gz).hexdigest() != want_gz or hashlib.sha256(raw).hexdigest() != want_raw:
        raise KitError(f"the engine for {target} from {host} does not match its published sha256.",
                       "Something altered the download: build the kit on another network.")
    return _write(kit, commit, target, raw, gz, "binaries.prisma.sh")
