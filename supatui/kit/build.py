"""`supatui kit build DIR`: everything the walkthrough downloads, in one folder, run once while online."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from supatui import __version__
from supatui.kit import engines, npm, platforms, wheels
from supatui.kit.manifest import MANIFEST, UNFINISHED, KitError, KitManifest

Log = Callable[[str], None]
# Package managers the walkthrough starts through `npx --yes <pm>` when they are not installed
# (supatui.core.packagemanager.get); bun's npm package pulls a 40 MB binary per platform, so it is opt-in.
DEFAULT_EXTRAS = ("pnpm", "yarn")


@dataclass
class BuildOptions:
    kit: Path
    platforms: list[str] | None = None  # None: this machine's plus platforms.DEFAULT_PLATFORMS
    engine_files: dict[str, Path] = field(default_factory=dict)  # platform or Prisma target -> file
    extras: tuple[str, ...] = DEFAULT_EXTRAS
    wheels: bool = True
    python: str | None = None  # wheels for this Python (default: the running one)
    engine_host: str = engines.PRISMA_HOST


def parse_engine_flag(value: str) -> tuple[str, Path]:
    """``PLATFORM=FILE`` of --engine."""
    name, sep, file = value.partition("=")
    if not sep or not name or not file:
        raise KitError(f"--engine {value!r} is not PLATFORM=FILE.",
                       "Write it as --engine debian-openssl-3.0.x=./schema-engine.")
    platforms.resolve(name)  # ValueError for an unknown platform
    return name, Path(file).expanduser()


def _walkthrough_specs() -> tuple[list[str], list[str]]:
    from supatui.core.prisma.recipes import PRISMA7

    return list(PRISMA7.dev_packages), list(PRISMA7.packages)


def _given_engines(options: BuildOptions) -> dict[str, Path]:
    """Prisma target -> the --engine file for it."""
    given: dict[str, Path] = {}
    for name, file in options.engine_files.items():
        for target in platforms.resolve(name).prisma_targets:
            given[target] = file
    return given


def _check_engine_host(options: BuildOptions, given: set[str]) -> None:
    """Stop at once when an engine must come from a host that cannot be reached.

    The platforms known before the scratch install are asked for (this machine's exact target needs the
    install; :func:`supatui.kit.engines.engine_checksums` asks for it before the packing).
    """
    known = ([platforms.resolve(n) for n in options.platforms] if options.platforms
             else [platforms.PLATFORMS[n] for n in platforms.DEFAULT_PLATFORMS])
    needed = [p.name for p in known if not set(p.prisma_targets) <= given]
    if not needed:
        return
    reason = engines.unreachable(options.engine_host)
    if reason is None:
        return
    name = engines.host_name(options.engine_host)
    raise KitError(f"cannot reach {name} (Prisma's engine host): {reason}.",
                   f"Build the kit where {name} can be reached, or pass "
                   + " ".join(f"--engine {n}=FILE" for n in dict.fromkeys(needed))
                   + " with engines you have; nothing was downloaded.")


def build_kit(options: BuildOptions, log: Log) -> KitManifest:
    started = time.monotonic()
    kit = options.kit.expanduser().resolve()
    if kit.exists() and any(kit.iterdir()) and not (kit / MANIFEST).exists() and not (kit / UNFINISHED).exists():
        raise KitError(f"{kit} is not empty and not a kit.", "Pick a new or empty folder for the kit.")
    for name, file in options.engine_files.items():
        if not file.is_file():
            raise KitError(f"--engine {name}={file}: no such file.", "Pass the path of an engine file you have.")
    given = _given_engines(options)
    _check_engine_host(options, set(given))  # seconds, before the minutes of npm
    kit.mkdir(parents=True, exist_ok=True)
    # Until the new manifest is written the folder is an unfinished build: the next `kit build` may go on in
    # it (the hint of a failure says to run it again), and no old manifest names the trees removed here.
    (kit / UNFINISHED).write_text("a `supatui kit build` started here and has not finished\n", encoding="utf-8")
    (kit / MANIFEST).unlink(missing_ok=True)
    for stale in ("npm", "engines"):  # a rebuild replaces the package and engine trees
        shutil.rmtree(kit / stale, ignore_errors=True)
    dev, runtime = _walkthrough_specs()
    registry = npm.registry_url()
    with tempfile.TemporaryDirectory(prefix="supatui-kit-") as scratch_dir:
        scratch = Path(scratch_dir) / "project"
        npm.install_scratch(scratch, dev, runtime, list(options.extras), log)
        chosen = platforms.choose(options.platforms, scratch)
        log("platforms: " + ", ".join(p.name for p in chosen))
        commit = engines.engines_hash(scratch)
        top = npm.top_versions(scratch, dev + runtime + list(options.extras))
        entries = npm.lock_entries(scratch)
    targets = list(dict.fromkeys([t for p in chosen for t in p.prisma_targets] + list(given)))
    platform_of = {t: p.name for p in chosen for t in p.prisma_targets}
    checksums = {}  # asked now: a host without this commit's engine stops the build before the packing
    for target in targets:
        if target not in given:
            checksums[target] = engines.engine_checksums(commit, target, options.engine_host,
                                                         platform=platform_of.get(target, ""))
    items, manifests = npm.fetch_packages(entries, kit, registry, chosen, log)
    npm.write_packuments(kit, items, manifests, top)

    engine_entries = []
    for target in targets:
        if target in given:
            log(f"engine: {target} from {given[target]}")
            engine_entries.append(engines.add_engine_file(kit, commit, target, given[target]))
        else:
            engine_entries.append(engines.download_engine(kit, commit, target, log, host=options.engine_host,
                                                          checksums=checksums[target]))

    notes: list[str] = []
    shutil.rmtree(kit / "wheels", ignore_errors=True)
    if options.wheels:
        notes += wheels.build_wheels(kit, chosen, log, options.python)
    manifest = KitManifest(
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), supatui=__version__, engines_hash=commit,
        platforms=[p.name for p in chosen], top=top, npm=items, engines=engine_entries,
        wheels=wheels.wheel_entries(kit) if options.wheels else [], notes=notes,
    )
    manifest.build_seconds = round(time.monotonic() - started, 1)
    manifest.write(kit)
    (kit / UNFINISHED).unlink(missing_ok=True)
    return manifest
