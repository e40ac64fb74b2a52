"""Whether npm's own cache can answer an install's metadata without asking the registry again.

npm asks the registry for every package's metadata on each install (about 200 documents for Prisma 7's
tree; a registry or proxy that sends no cache headers, like this machine's, sends each one whole again),
which on venue wifi is most of a warm install. When npm's cache stored the named packages' metadata from
the registry npm will use within the last day, step 2 adds ``--prefer-offline``: npm takes what it has
cached and fetches only what is missing. A version the cache does not know yet makes npm stop with
ETARGET (pacote's registry.js: "XXX add ETARGET ... revalidation of cached packuments here"), so the step
then runs the same install once more without the flag.

The cache is read as npm writes it (cacache's ``index-v5`` buckets, make-fetch-happen's request keys), and
anything unexpected counts as "not fresh": the flag is an optimisation, never a requirement.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

DEFAULT_REGISTRY = "https://registry.npmjs.org/"
FRESH_SECONDS = 24 * 3600  # a day: Prisma publishes every few weeks; `latest` a day old is the day's release
PREFER_OFFLINE = "--prefer-offline"


def npm_registry(project_dir: Path, env: Mapping[str, str] | None = None) -> str:
    """The registry npm would use: env, then the project's and the user's .npmrc, else the default."""
    env = os.environ if env is None else env
    for key in ("npm_config_registry", "NPM_CONFIG_REGISTRY"):
        if env.get(key):
            return env[key]
    for rc in (project_dir / ".npmrc", Path.home() / ".npmrc"):
        value = _npmrc_value(rc, "registry")
        if value:
            return value
    return DEFAULT_REGISTRY


def npm_cache_dir(project_dir: Path, env: Mapping[str, str] | None = None) -> Path:
    """npm's cache folder: env, then .npmrc's ``cache=``, else npm's default for this OS."""
    env = os.environ if env is None else env
    for key in ("npm_config_cache", "NPM_CONFIG_CACHE"):
        if env.get(key):
            return Path(env[key]).expanduser()
    for rc in (project_dir / ".npmrc", Path.home() / ".npmrc"):
        value = _npmrc_value(rc, "cache")
        if value:
            return Path(value).expanduser()
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / "npm-cache"
    return Path.home() / ".npm"


def metadata_age(name: str, *, cache: Path, registry: str, now: float | None = None) -> float | None:
    """Seconds since npm stored ``name``'s registry metadata in ``cache``, or None when it holds none."""
    url = registry.rstrip("/") + "/" + name.replace("/", "%2f")  # pacote's packument URL (escapedName)
    key = f"make-fetch-happen:request-cache:{url}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    bucket = cache / "_cacache" / "index-v5" / digest[:2] / digest[2:4] / digest[4:]
    try:
        lines = bucket.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for line in reversed(lines):  # cacache appends; the last entry for the key wins (null integrity: removed)
        _, _, body = line.partition("\t")
        try:
            entry = json.loads(body)
        except ValueError:
            continue
        if not isinstance(entry, dict) or entry.get("key") != key:
            continue
        stored = entry.get("time")
        if not entry.get("integrity") or not isinstance(stored, int | float):
            return None
        return max(0.0, (time.time() if now is None else now) - stored / 1000)
    return None


def fresh_metadata(names: Iterable[str], project_dir: Path, *, env: Mapping[str, str] | None = None,
                   now: float | None = None, max_age: float = FRESH_SECONDS) -> bool:
    """Whether npm's cache stored every one of ``names``' metadata, from npm's registry, within ``max_age``."""
    registry = npm_registry(project_dir, env)
    if "${" in registry:  # an .npmrc variable npm expands and we do not: unknown, so not fresh
        return False
    cache = npm_cache_dir(project_dir, env)
    names = list(names)
    for name in names:
        age = metadata_age(name, cache=cache, registry=registry, now=now)
        if age is None or age > max_age:
            return False
    return bool(names)


def stale_metadata(output: Iterable[str]) -> bool:
    """Whether npm's output says a cached document lacked the version asked for (``npm error code ETARGET``)."""
    return any("ETARGET" in line for line in output)


def _npmrc_value(rc: Path, wanted: str) -> str | None:
    try:
        text = rc.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == wanted:
            return value.strip()
    return None
