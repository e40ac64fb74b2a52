"""Prisma's schema engine, laid out as its download host lays it out.

Prisma 7 (prisma/build/cli.js, @prisma/fetch-engine) downloads
``${PRISMA_ENGINES_MIRROR || "https://binaries.prisma.sh"}/all_commits/<hash>/<target>/schema-engine[.exe].gz``
after fetching two checksums, ``<that url>.sha256`` (of the .gz) and the same without ``.gz`` (of the
unzipped file); each file's first word must be 64 hex digits, and a mismatch fails the download.
``<hash>`` is ``prisma.enginesVersion`` of @prisma/engines-version (the CLI prints it as "Default
Engines Hash"). The result is cached in ``$XDG_CACHE_HOME/prisma/master/<hash>/<target>/`` (or
``~/.cache/prisma``; ``%APPDATA%\\Prisma`` on Windows) and copied to node_modules/@prisma/engines.
Prisma 7 needs no other engine (the query engine became a Wasm compiler inside @prisma/client).

A build asks the host twice before its slow npm part: :func:`unreachable` (can it be reached at all, a few
seconds at most) before anything is downloaded, and :func:`engine_checksums` (has it this commit's engine for
each target) as soon as the scratch install names the commit.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from supatui.kit.manifest import EngineEntry, KitError
from supatui.kit.platforms import engine_file

PRISMA_HOST = "https://binaries.prisma.sh"
PROBE_SECONDS = 5.0  # how long the first question to the host may take, name lookup included
Log = Callable[[str], None]
Checksums = tuple[str, str]  # sha256 of the .gz, of the unzipped engine


def host_name(host: str) -> str:
    """``binaries.prisma.sh`` of ``https://binaries.prisma.sh``: the name to tell the user."""
    return urllib.parse.urlsplit(host).netloc or host


def _why(reason: object, silent: str) -> str:
    """A failed connection in words: the name, the refusal, the silence."""
    if isinstance(reason, TimeoutError):
        return silent
    if isinstance(reason, socket.gaierror):
        return f"its name could not be looked up ({reason.strerror}: no network, or no DNS)"
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused"
    return str(reason)


def unreachable(host: str, timeout: float = PROBE_SECONDS) -> str | None:
    """Why ``host`` cannot be reached (no such name, refused, silent for ``timeout`` s); None when it answers.

    Any HTTP answer counts (the host's root is a 403 or 404). Run in a thread, so a name lookup that hangs
    (getaddrinfo has no timeout) is given up too.
    """
    outcome: list[str | None] = []
    silent = f"it did not answer within {timeout:.0f} s"

    def ask() -> None:
        request = urllib.request.Request(host.rstrip("/") + "/", method="HEAD", headers={"User-Agent": "supatui-kit"})
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                outcome.append(None)
        except urllib.error.HTTPError:
            outcome.append(None)  # it answered
        except (OSError, urllib.error.URLError, ValueError) as exc:
            outcome.append(_why(getattr(exc, "reason", exc), silent))

    thread = threading.Thread(target=ask, name="engine-host-probe", daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    return outcome[0] if outcome else silent


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


def _url(host: str, commit: str, target: str) -> str:
    return f"{host}/{engine_path(commit, target).removeprefix('engines/')}"


def _checksum(url: str) -> str:
    word = _fetch(url, 15.0).decode().split()[0]
    if not re.fullmatch(r"[0-9a-f]{64}", word):
        raise ValueError(f"{url} holds no sha256")
    return word


def engine_checksums(commit: str, target: str, host: str = PRISMA_HOST, *, platform: str = "") -> Checksums:
    """The published sha256s of the engine for ``target``: small files, asked before the slow part of a build."""
    url = _url(host, commit, target)
    named = f"{target} ({platform})" if platform and platform != target else target
    try:
        return _checksum(url + ".sha256"), _checksum(url.removesuffix(".gz") + ".sha256")
    except urllib.error.HTTPError as exc:
        raise KitError(f"{host_name(host)} has no Prisma engine for {named} of engine commit {commit[:12]} "
                       f"({exc.code} {exc.reason}).",
                       f"Pass --engine {target}=FILE with an engine you have, or leave {platform or target} out of "
                       "--platforms (no npm package was packed yet).") from None
    except (OSError, urllib.error.URLError, IndexError, UnicodeDecodeError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise KitError(f"cannot download the checksums of Prisma's engine for {named} from {host_name(host)}: "
                       f"{reason}.", f"Build where {host_name(host)} is reachable, pass --engine {target}=FILE "
                       "with an engine you have, or leave it out of --platforms (no npm package was packed yet).") from None


def download_engine(kit: Path, commit: str, target: str, log: Log, *, host: str = PRISMA_HOST,
                    timeout: float = 60.0, checksums: Checksums | None = None) -> EngineEntry:
    """Fetch the engine for ``target`` from Prisma's host and check both of its checksums."""
    url = _url(host, commit, target)
    log(f"engine: {url}")
    want_gz, want_raw = checksums if checksums is not None else engine_checksums(commit, target, host)
    try:
        gz = _fetch(url, timeout)
    except (OSError, urllib.error.URLError) as exc:
        reason = getattr(exc, "reason", exc)
        raise KitError(f"cannot download Prisma's engine for {target} from {host}: {reason}.",
                       f"Build where {host} is reachable, pass --engine {target}=FILE with an engine you have, "
                       f"or leave {target} out of --platforms.") from None
    raw = gzip.decompress(gz)
    if hashlib.sha256(gz).hexdigest() != want_gz or hashlib.sha256(raw).hexdigest() != want_raw:
        raise KitError(f"the engine for {target} from {host} does not match its published sha256.",
                       "Something altered the download: build the kit on another network.")
    return _write(kit, commit, target, raw, gz, "binaries.prisma.sh")
