"""`--kit DIR|URL`: the environment that makes every child process use only the kit.

``kit_session(source)`` checks the kit, starts its server on 127.0.0.1 (any free port) when given
a folder, and yields a :class:`KitSession` whose ``env`` holds the overrides for child processes:
- npm, pnpm, yarn and bun take packages from the kit's registry view only: ``npm_config_registry``
  (npm, yarn 1), ``pnpm_config_registry`` (pnpm 12), ``BUN_CONFIG_REGISTRY``, ``YARN_NPM_REGISTRY_SERVER``
  (yarn 2+, not verified here);
- Prisma downloads its engine from the kit: ``PRISMA_ENGINES_MIRROR`` (cli.js ``b1e``);
- proxies are bypassed for the kit's host (``NO_PROXY``, read by Prisma's getProxyAgent and by npm;
  the standard proxy variables are blanked for the tools that ignore it), so a proxy setting meant for
  the internet cannot send the room's traffic elsewhere;
- nothing else is contacted: update checks, audit, fund, Prisma telemetry are off.

``applied(session)`` puts the overrides into ``os.environ`` for the run (the runner's ``child_env``
copies ``os.environ``) and restores it afterwards: the one hook `supatui run` and the wizard need.
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from supatui.kit.manifest import KitError, load

PROBE_TIMEOUT = 3.0
QUIET = {
    "NO_UPDATE_NOTIFIER": "1", "npm_config_update_notifier": "false", "npm_config_audit": "false",
    "npm_config_fund": "false", "CHECKPOINT_DISABLE": "1", "PRISMA_HIDE_UPDATE_MESSAGE": "1",
    "npm_config_prefer_online": "false",
}


@dataclass
class KitSession:
    base_url: str  # http://host:port of the kit's server
    source: str  # what the user passed
    env: dict[str, str] = field(default_factory=dict)

    @property
    def registry(self) -> str:
        return f"{self.base_url}/npm/"

    @property
    def engines_mirror(self) -> str:
        return f"{self.base_url}/engines"

    @property
    def pip_index(self) -> str:
        return f"{self.base_url}/simple/"


def _no_proxy(host: str) -> str:
    current = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    entries = [e.strip() for e in current.split(",") if e.strip()]
    for extra in (host, "127.0.0.1", "localhost", "::1"):
        if extra not in entries:
            entries.append(extra)
    return ",".join(entries)


def environment_for(base_url: str) -> dict[str, str]:
    """The child-process overrides for a kit served at ``base_url``."""
    base = base_url.rstrip("/")
    host = urllib.parse.urlsplit(base).hostname or "127.0.0.1"
    registry = f"{base}/npm/"
    no_proxy = _no_proxy(host)
    return {
        **QUIET,
        "npm_config_registry": registry, "NPM_CONFIG_REGISTRY": registry, "BUN_CONFIG_REGISTRY": registry,
        "pnpm_config_registry": registry,  # pnpm 12 ignores npm_config_registry (verified: it asked registry.npmjs.org)
        "YARN_REGISTRY": registry, "YARN_NPM_REGISTRY_SERVER": registry, "YARN_ENABLE_TELEMETRY": "0",
        "YARN_UNSAFE_HTTP_WHITELIST": host,
        "npm_config_noproxy": no_proxy, "NO_PROXY": no_proxy, "no_proxy": no_proxy,
        # pnpm 12 ignores NO_PROXY (verified: a dead HTTP_PROXY breaks `pnpm add` from the kit), so the
        # standard proxy variables are blanked too; every tool treats an empty value as "no proxy"
        **{name: "" for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")},
        "PRISMA_ENGINES_MIRROR": f"{base}/engines",
        "SUPATUI_KIT": base,
    }


def probe(base_url: str, timeout: float = PROBE_TIMEOUT) -> dict[str, object]:
    """The kit's manifest over HTTP (no proxy), or KitError saying why it cannot be reached."""
    url = base_url.rstrip("/") + "/manifest.json"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            data = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise KitError(f"cannot reach the kit at {base_url}: {reason}.",
                       "Check the address `supatui kit serve` printed, that you are on the room's network, "
                       "and that the instructor's firewall lets the port in.") from None
    if not isinstance(data, dict) or "engines_hash" not in data:
        raise KitError(f"{base_url} answers, but is not a supatui kit.", "Use the address `supatui kit serve` printed.")
    return data


@contextlib.contextmanager
def kit_session(source: str | Path) -> Iterator[KitSession]:
    """A usable kit for the duration of the block: a URL is checked, a folder is served on loopback."""
    text = str(source)
    if text.startswith(("http://", "https://")):
        base = text.rstrip("/")
        probe(base)
        yield KitSession(base, text, environment_for(base))
        return
    from supatui.kit.server import make_server

    folder = Path(text).expanduser()
    if not folder.is_dir():
        raise KitError(f"--kit {text}: no such folder.", "Pass the folder `supatui kit build` made, or http://HOST:PORT.")
    load(folder)  # a clear error for a folder that is not a kit
    server = make_server(folder, "127.0.0.1", 0)
    server.start_background()
    try:
        yield KitSession(server.url, text, environment_for(server.url))
    finally:
        server.stop()


@contextlib.contextmanager
def applied(session: KitSession) -> Iterator[KitSession]:
    """The session's overrides in ``os.environ`` for the block (children inherit them), then restored."""
    saved = {key: os.environ.get(key) for key in session.env}
    os.environ.update(session.env)
    try:
        yield session
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def using_kit(source: str | Path | None) -> Iterator[KitSession | None]:
    """The hook for `supatui run` / the wizard: nothing when ``source`` is None, else the kit for the block."""
    if source is None:
        yield None
        return
    with kit_session(source) as session, applied(session):
        yield session
