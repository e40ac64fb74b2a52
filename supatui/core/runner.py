"""The command runner: runs a child process, streams its lines, can be cancelled.

Secrets reach children through ``env`` only, never argv. Output lines are redacted before
any listener sees them. Synchronous on purpose: the UI calls it from a thread worker, the
headless mode directly.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from supatui.core.errors import Cancelled, SupatuiError
from supatui.core.events import Emit, Event, EventKind, discard
from supatui.core.redact import redact


class CancelToken:
    """Shared between the UI (which cancels) and the runner (which kills the child)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen[bytes]] = set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        self._event.set()
        with self._lock:
            procs = list(self._procs)
        for proc in procs:
            _terminate(proc)

    def raise_if_cancelled(self, step: str = "") -> None:
        if self.cancelled:
            raise Cancelled(step)

    def _track(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.add(proc)

    def _untrack(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.discard(proc)


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    """Stop the child and its own children (npx spawns node, node spawns engines)."""
    if proc.poll() is not None:
        return
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
    except (ProcessLookupError, PermissionError):
        return
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()


@dataclass
class CommandResult:
    argv: tuple[str, ...]
    returncode: int
    output: list[str] = field(default_factory=list)  # redacted lines, stdout and stderr merged
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def text(self) -> str:
        return "\n".join(self.output)


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment children get: ours, plus ``extra``, with colours off for clean logs."""
    env = dict(os.environ)
    env.setdefault("NO_UPDATE_NOTIFIER", "1")
    env.setdefault("NPM_CONFIG_UPDATE_NOTIFIER", "false")
    env.setdefault("NPM_CONFIG_FUND", "false")
    env.setdefault("NPM_CONFIG_AUDIT", "false")
    env.setdefault("PRISMA_HIDE_UPDATE_MESSAGE", "1")
    env.setdefault("CHECKPOINT_DISABLE", "1")  # Prisma telemetry: no network calls
    env["FORCE_COLOR"] = "0"
    env["NO_COLOR"] = "1"
    if extra:
        env.update(extra)
    return env


def run_command(
    argv: Sequence[str],
    *,
    cwd: Path,
    step: str = "",
    emit: Emit = discard,
    env: Mapping[str, str] | None = None,
    cancel: CancelToken | None = None,
    stdin_text: str | None = None,
    timeout: float | None = None,
) -> CommandResult:
    """Run ``argv`` in ``cwd``, emitting each output line; return its result (never raises on rc != 0).

    Raises :class:`Cancelled` when ``cancel`` fires and :class:`SupatuiError` when the program
    cannot be started (not installed, cwd missing).
    """
    argv = tuple(argv)
    shown = redact(shlex.join(argv))
    emit(Event(step, EventKind.COMMAND, f"$ {shown}", {"argv": list(argv), "cwd": str(cwd),
                                                        "env_names": sorted((env or {}).keys())}))
    if cancel is not None:
        cancel.raise_if_cancelled(step)
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=child_env(env),
            stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=os.name == "posix",
        )
    except FileNotFoundError:
        if not Path(cwd).is_dir():
            raise SupatuiError(f"The folder {cwd} does not exist.", "Create it or pick another with --dir.") from None
        raise SupatuiError(
            f"Cannot run {argv[0]}: it is not installed or not on PATH.",
            f"Install {argv[0]} (see `supatui doctor`), then run the step again.",
            code="command-not-found",
        ) from None
    except PermissionError as exc:
        raise SupatuiError(f"Cannot run {argv[0]}: {exc.strerror}.", "Check the folder's permissions.") from None
    if cancel is not None:
        cancel._track(proc)
    timer: threading.Timer | None = None
    if timeout:
        timer = threading.Timer(timeout, _terminate, args=(proc,))
        timer.daemon = True
        timer.start()
    lines: list[str] = []
    try:
        if stdin_text is not None and proc.stdin is not None:
            try:
                proc.stdin.write(stdin_text.encode())
                proc.stdin.close()
            except BrokenPipeError:
                pass
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = redact(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
            lines.append(line)
            emit(Event(step, EventKind.OUTPUT, line, {"stream": "out"}))
        returncode = proc.wait()
    finally:
        if timer is not None:
            timer.cancel()
        if cancel is not None:
            cancel._untrack(proc)
        if proc.poll() is None:
            _terminate(proc)
    seconds = time.monotonic() - started
    emit(Event(step, EventKind.COMMAND_EXIT, f"exit {returncode} ({seconds:.1f}s)",
               {"returncode": returncode, "seconds": round(seconds, 3)}))
    if cancel is not None:
        cancel.raise_if_cancelled(step)
    return CommandResult(argv, returncode, lines, seconds)


def capture(argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None) -> CommandResult | None:
    """Run a short probe (``node --version``) quietly: its output, or None when it cannot start or times out.

    No events, no cancel token: for questions about the machine, not for the guide's commands.
    """
    argv = tuple(argv)
    started = time.monotonic()
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                             env=child_env(env), check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = (out.stdout or out.stderr or "").splitlines()
    return CommandResult(argv, out.returncode, [redact(line) for line in lines], time.monotonic() - started)
