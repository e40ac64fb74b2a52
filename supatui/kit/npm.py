"""Pack the npm side of the walkthrough: every package `npm install` pulls in, at the versions of today.

How: a scratch project gets the walkthrough's own installs (the recipe's packages, plus the package
managers started through ``npx --yes``) from the reachable registry; its package-lock.json then
names every package with its tarball URL and integrity — including the per-platform optional
packages of esbuild and TypeScript 7 for every OS. Each version's registry document is fetched
(``<registry>/<name>/<version>``), each tarball checked against its integrity; tarballs of
platforms left out of the kit are not packed, but their documents are, so npm still resolves
the tree (it never downloads an optional package for another OS).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from supatui.core.npmcache import DEFAULT_REGISTRY
from supatui.kit.manifest import KitError, NpmEntry
from supatui.kit.platforms import KitPlatform, node_matches

Log = Callable[[str], None]
FETCH_TIMEOUT = 60.0
DROP_KEYS = ("readme", "readmeFilename", "_id", "_nodeVersion", "_npmVersion", "_npmUser", "_npmOperationalInternal",
             "gitHead", "contributors", "maintainers")


def tarball_file(name: str, version: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name.lstrip("@").replace("/", "__")) + f"-{version}.tgz"


def packument_file(name: str) -> str:
    return urllib.parse.quote(name, safe="@") + ".json"


def registry_url() -> str:
    """The registry npm uses here (``npm config get registry``), ending in '/'."""
    try:
        out = subprocess.run(["npm", "config", "get", "registry"], capture_output=True, text=True, timeout=30,
                             stdin=subprocess.DEVNULL)
        url = out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        url = ""
    url = url if url.startswith(("http://", "https://")) else DEFAULT_REGISTRY
    return url if url.endswith("/") else url + "/"


def install_scratch(project: Path, dev: list[str], runtime: list[str], extra: list[str], log: Log) -> None:
    """`npm install` the walkthrough's packages into ``project`` (scripts off: nothing runs, only files land)."""
    project.mkdir(parents=True, exist_ok=True)
    (project / "package.json").write_text('{"name": "supatui-kit-scratch", "version": "1.0.0", "private": true}\n')
    for specs, flags in ((dev, ["--save-dev"]), (runtime + extra, [])):
        if not specs:
            continue
        argv = ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", *flags, *specs]
        log("$ " + " ".join(argv))
        out = subprocess.run(argv, cwd=project, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if out.returncode != 0:
            tail = (out.stderr or out.stdout).strip().splitlines()[-3:]
            raise KitError(f"npm install failed while building the kit: {' / '.join(tail)}",
                           "Build the kit where the npm registry is reachable (check `supatui doctor`).")


def lock_entries(project: Path) -> list[dict[str, Any]]:
    """Unique (name, version) entries of package-lock.json with their integrity, os and cpu.

    ``resolved`` may be absent (``omit-lockfile-registry-resolved``): the tarball URL comes from the
    version's registry document instead."""
    lock = json.loads((project / "package-lock.json").read_text(encoding="utf-8"))
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for path, entry in lock.get("packages", {}).items():
        # links are local; bundled packages travel inside their parent's tarball
        if not path or entry.get("link") or entry.get("inBundle") or not entry.get("version"):
            continue
        name = entry.get("name") or path.rsplit("node_modules/", 1)[-1]
        seen.setdefault((name, entry["version"]), {**entry, "name": name})
    return list(seen.values())


def top_versions(project: Path, specs: list[str]) -> dict[str, str]:
    from supatui.core.packagemanager import installed_version, package_name

    top = {}
    for spec in specs:
        name = package_name(spec)
        version = installed_version(project, name)
        if version:
            top[name] = version
    return top


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "supatui-kit"})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
        data: bytes = response.read()
        return data


def _integrity_ok(data: bytes, integrity: str) -> bool:
    for part in integrity.split():
        algo, _, b64 = part.partition("-")
        if algo in ("sha512", "sha384", "sha256", "sha1"):
            return base64.b64encode(hashlib.new(algo, data).digest()).decode() == b64
    return False


def fetch_packages(entries: list[dict[str, Any]], kit: Path, registry: str, platforms: list[KitPlatform],
                   log: Log) -> tuple[list[NpmEntry], dict[str, dict[str, Any]]]:
    """Download the tarballs (for the kit's platforms) and every version document; returns entries and manifests."""
    tarballs = kit / "npm" / "tarballs"
    tarballs.mkdir(parents=True, exist_ok=True)
    manifests: dict[str, dict[str, Any]] = {}

    def one(entry: dict[str, Any]) -> NpmEntry:
        name, version = entry["name"], entry["version"]
        quoted = urllib.parse.quote(name, safe="@")
        try:
            doc = json.loads(_get(f"{registry}{quoted}/{version}"))
        except (OSError, ValueError) as exc:
            raise KitError(f"cannot fetch {name}@{version}'s registry document: {exc}",
                           "Build the kit where the npm registry is reachable.") from None
        for key in DROP_KEYS:
            doc.pop(key, None)
        manifests[f"{name}@{version}"] = doc
        file = tarball_file(name, version)
        integrity = entry.get("integrity") or doc.get("dist", {}).get("integrity", "")
        item = NpmEntry(name, version, file, integrity, os=list(entry.get("os") or []), cpu=list(entry.get("cpu") or []))
        if not node_matches(item.os, item.cpu, platforms):
            return item
        target = tarballs / file
        url = entry.get("resolved") or doc.get("dist", {}).get("tarball", "")
        if target.exists() and _integrity_ok(target.read_bytes(), integrity):
            data = target.read_bytes()
        else:
            try:
                data = _get(url)
            except (OSError, ValueError) as exc:
                raise KitError(f"cannot download {name}@{version} from {url}: {exc}",
                               "Build the kit where the npm registry is reachable.") from None
            if integrity and not _integrity_ok(data, integrity):
                raise KitError(f"{name}@{version} from {url} does not match its integrity {integrity[:20]}…",
                               "Something between you and the registry altered it: build the kit on another network.")
            target.write_bytes(data)
        item.sha256 = hashlib.sha256(data).hexdigest()
        item.size = len(data)
        return item

    with ThreadPoolExecutor(max_workers=8) as pool:
        items = list(pool.map(one, entries))
    packed = [i for i in items if i.packed]
    log(f"npm: {len(items)} package versions, {len(packed)} tarballs packed "
        f"({sum(i.size for i in packed) / 1e6:.1f} MB)")
    return sorted(items, key=lambda i: (i.name, i.version)), manifests


def _semver_key(version: str) -> tuple[int, ...]:
    head = re.match(r"(\d+)\.(\d+)\.(\d+)", version)
    core = tuple(int(x) for x in head.groups()) if head else (0, 0, 0)
    return (*core, 0 if "-" in version else 1)


def write_packuments(kit: Path, items: list[NpmEntry], manifests: dict[str, dict[str, Any]],
                     top: dict[str, str]) -> None:
    """One registry document per package name with the kit's versions; ``latest`` is the walkthrough's pin."""
    folder = kit / "npm" / "packuments"
    folder.mkdir(parents=True, exist_ok=True)
    by_name: dict[str, list[NpmEntry]] = {}
    for item in items:
        by_name.setdefault(item.name, []).append(item)
    for name, versions in by_name.items():
        docs = {}
        for item in versions:
            doc = dict(manifests[f"{item.name}@{item.version}"])
            dist = dict(doc.get("dist") or {})
            dist["tarball"] = f"tarballs/{item.file}"  # relative: the server makes it absolute
            dist.pop("signatures", None)  # signed for registry.npmjs.org URLs; npm only checks them on `audit signatures`
            dist.pop("attestations", None)
            doc["dist"] = dist
            docs[item.version] = doc
        latest = top.get(name) or max(docs, key=_semver_key)
        packument = {"name": name, "dist-tags": {"latest": latest}, "versions": docs}
        (folder / packument_file(name)).write_text(json.dumps(packument, separators=(",", ":")), encoding="utf-8")
