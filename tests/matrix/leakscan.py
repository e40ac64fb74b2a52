"""Where a canary password turns up: file trees, text blobs, and the argv of every process (sampled).

A canary has an alphanumeric core (never changed by any encoding) plus every character that
breaks URLs, shells and .env parsers, so a partial or re-quoted copy is still found.
"""

from __future__ import annotations

import json
import os
import shlex
import threading
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

CORE = "Kanari9Qz"
CANARY = f"{CORE}@:/%#?'\" $HOME x ü✓鍵"


def forms_of(secret: str, core: str) -> dict[str, bytes]:
    """Every spelling a leak could take: raw, percent-encoded (both ways), JSON- and shell-quoted, the core."""
    texts = {
        "raw": secret,
        "quote": urllib.parse.quote(secret, safe=""),
        "quote_plus": urllib.parse.quote_plus(secret),
        "quote_lower": urllib.parse.quote(secret, safe="").lower(),
        "json": json.dumps(secret)[1:-1],
        "json_ascii": json.dumps(secret, ensure_ascii=True)[1:-1],
        "shell": shlex.quote(secret),
        "core": core,
    }
    return {name: text.encode() for name, text in texts.items()}


@dataclass
class Finding:
    channel: str
    where: str
    forms: list[str]


@dataclass
class Scan:
    forms: dict[str, bytes]
    findings: list[Finding] = field(default_factory=list)
    channels: dict[str, int] = field(default_factory=dict)  # channel -> how many items were read
    upstream_argv: list[str] = field(default_factory=list)  # Prisma's own engine argv (see below)

    def blob(self, channel: str, where: str, data: bytes) -> list[str]:
        self.channels[channel] = self.channels.get(channel, 0) + 1
        found = [name for name, form in self.forms.items() if form and form in data]
        if found:
            self.findings.append(Finding(channel, where, found))
        return found

    def tree(self, channel: str, root: Path, *, skip_dirs: Iterable[str] = (), skip_files: Iterable[Path] = (),
             newer_than: float | None = None) -> None:
        """Every regular file under ``root``; with ``newer_than``, only those modified since (a time.time())."""
        skipped_dirs, skipped = set(skip_dirs), {Path(p) for p in skip_files}
        self.channels.setdefault(channel, 0)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in skipped_dirs]
            for name in filenames:
                path = Path(dirpath, name)
                if path in skipped or path.is_symlink() or not path.is_file():
                    continue
                try:
                    if newer_than is not None and path.stat().st_mtime < newer_than:
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                self.blob(channel, str(path), data)

    def report(self) -> str:
        lines = [f"  {channel}: {count} item(s) read" for channel, count in sorted(self.channels.items())]
        return f"{len(self.channels)} leak channels checked\n" + "\n".join(lines)


class ArgvSampler:
    """Reads /proc/*/cmdline of every process every ``interval`` seconds while running."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.cmdlines: dict[bytes, int] = {}  # distinct argv -> first pid seen with it
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="argv-sampler", daemon=True)

    def __enter__(self) -> ArgvSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        self.samples += 1
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                    argv = handle.read()
            except OSError:
                continue
            if argv and argv not in self.cmdlines:
                self.cmdlines[argv] = int(entry.name)

    def scan_into(self, scan: Scan) -> None:
        for argv, pid in self.cmdlines.items():
            shown = argv.replace(b"\0", b" ")[:200]
            if is_prisma_engine_datasource(argv):
                value = _datasource_arg(argv)
                if any(form in value for form in scan.forms.values()):
                    scan.upstream_argv.append(f"pid {pid}: {shown!r}")
                # outside the --datasource value it is a leak like any other; inside, never the raw form
                scan.blob("argv (/proc/*/cmdline)", f"pid {pid} (minus --datasource)", argv.replace(value, b""))
                if scan.forms["raw"] in value:
                    scan.findings.append(Finding("argv (/proc/*/cmdline)", f"pid {pid} --datasource", ["raw"]))
                continue
            scan.blob("argv (/proc/*/cmdline)", f"pid {pid}: {shown!r}", argv)


def _datasource_arg(argv: bytes) -> bytes:
    parts = argv.split(b"\0")
    index = parts.index(b"--datasource")
    return parts[index + 1] if index + 1 < len(parts) else b""


def is_prisma_engine_datasource(argv: bytes) -> bool:
    """Prisma 7's CLI starts its schema engine with ``--datasource {"url": …}`` on the command line.

    That is Prisma's code (prisma/build/cli.js, SchemaEngineCLI.internalInit), not supatui's: the
    URL comes from prisma.config.ts, which reads .env. It is reported as an upstream exposure and
    checked to hold only the percent-encoded form inside that one argument.
    """
    parts = argv.split(b"\0")
    engine = any(b"schema-engine" in part.rsplit(b"/", 1)[-1] for part in parts[:3])
    return engine and b"--datasource" in parts


def cluster_dir(home: Path) -> Path | None:
    """The data folder of the sandbox whose state lives in ``home`` (to scan it), if any."""
    try:
        state = json.loads((home / "sandbox" / "state.json").read_text())
    except (OSError, ValueError):
        return None
    return Path(state["cluster_dir"]) if state.get("cluster_dir") else None
