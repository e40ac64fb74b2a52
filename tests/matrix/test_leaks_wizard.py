"""Leak test, by keys: a canary typed into the wizard's password field is found only in `.env` and the keyring.

The wizard runs in-process (App.run_test) as a person would use it on a real project: not in
sandbox mode (there the password fields are locked), but against a private sandbox of its own
(SUPATUI_HOME, keyring file, cluster), with its own role name so the session sandbox's `prisma`
role is never touched. The postgres password and the canary are typed key by key, all six steps
run on real npm and Prisma (step 4 first fails once, the role's password having been changed behind
the wizard's back, so a failure panel and an exception carry the canary's URL), and /proc/*/cmdline
is sampled throughout. Then every channel the wizard could write to is searched for the canary in
every spelling (see leakscan.forms_of).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import textual.constants
from textual.pilot import Pilot
from textual.widgets import Input, Static

from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.errors import SupatuiError
from supatui.core.events import Event
from supatui.sandbox import Sandbox, SandboxInfo
from supatui.ui.app import SupatuiApp
from supatui.ui.launch import _transcript
from supatui.ui.screens.failure import FailureScreen
from supatui.ui.screens.step import StepScreen
from supatui.ui.screens.transcript import TranscriptScreen
from supatui.ui.screens.welcome import WelcomeScreen
from supatui.ui.state import Status
from tests.conftest import require_tool
from tests.matrix.conftest import PrivateHome
from tests.matrix.keys import type_keys
from tests.matrix.leakscan import CANARY, CORE, ArgvSampler, Scan, cluster_dir, forms_of
from tests.ui.helpers import settle

ROLE = "leakwiz"
# A core of its own per run (so a parallel headless leak test's canary is never mistaken for ours),
# followed by the same URL-, shell- and dotenv-breaking characters as the headless canary.
WIZ_CORE = "Wz" + secrets.token_hex(5)
WIZ_CANARY = WIZ_CORE + CANARY[len(CORE):]
SIZE = (110, 44)
STEP_TIMEOUT = 240.0
TRANSCRIPT, REPLAY = "supatui-transcript.md", "supatui-replay.sh"
# Textual's own debug log (written only when TEXTUAL_LOG is set, or sent to `textual console`) traces every
# message with its repr, and a plain Input's Changed/Blurred/Submitted carry the field's value. The wizard's
# password fields are SecretInputs whose messages mask it, so any trace of the password in that log is a leak.
# (Key events still carry single characters; `supatui` warns when that log is on.)
TEXTUAL_TRACE_ALLOWED = False  # SecretInput masks its messages: any trace of a password now fails
TEXTUAL_TRACE = re.compile(
    rb"^Input\.(?:Changed|Blurred|Submitted)\(input=Input\(id='(?:prisma_password|admin_password|url)'")


@pytest.fixture
def wizard_sandbox(private_home: Callable[[str], PrivateHome],
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[PrivateHome, SandboxInfo]]:
    """A cold sandbox under a home and keyring of the test's own (reset by ``private_home`` afterwards)."""
    home = private_home("leakwiz")
    monkeypatch.setenv("SUPATUI_HOME", str(home.home))
    monkeypatch.setenv("SUPATUI_TEST_KEYRING", str(home.keyring))
    yield home, Sandbox(home.home, ports="auto").start()


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (screen: {pilot.app.screen!r})")
        await pilot.pause(0.2)


class Recorder:
    """What the App showed besides its screens: notifications (they expire, so recorded as they come),
    the failure panels, and the events and errors of runs that a later run replaced in the state."""

    def __init__(self, app: SupatuiApp) -> None:
        self.notes: list[str] = []
        self.panels: list[str] = []
        self.errors: list[SupatuiError] = []
        self.events: list[Event] = []
        original = app.notify

        def notify(message: str, *args: Any, **kwargs: Any) -> None:
            self.notes.append(f"{kwargs.get('title', '')}: {message}")
            original(message, *args, **kwargs)

        app.notify = notify  # type: ignore[method-assign]


def set_role_password(info: SandboxInfo, password: str) -> None:
    """What a password reset in the dashboard does: the role's password changes behind the wizard's back."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(info.session_url, autocommit=True) as conn:
        conn.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(ROLE), sql.Literal(password)))


class Walk:
    """The six steps by keys, with one failure on the way (step 4 after the role's password was changed)."""

    def __init__(self, pilot: Pilot[Any], app: SupatuiApp, recorder: Recorder) -> None:
        self.pilot, self.app, self.recorder = pilot, app, recorder
        self.shots: list[tuple[str, str]] = []

    def shot(self, name: str) -> None:
        self.shots.append((name, self.app.export_screenshot()))

    def on_step(self, step_id: str) -> bool:
        screen = self.app.screen
        return isinstance(screen, StepScreen) and screen.step.id == step_id and screen.errors == {}

    async def go(self, key: str, step_id: str) -> None:
        await self.pilot.press(key)
        await wait_for(self.pilot, lambda: self.on_step(step_id), 30, f"step {step_id}'s screen, inputs valid")

    async def run(self, step_id: str, label: str) -> str:
        """Ctrl+R on the current step; returns the failure panel's text, "" when the step is done."""
        app, mine = self.app, self.app.state.steps[step_id]
        await wait_for(self.pilot, lambda: self.on_step(step_id), 30, f"step {step_id}'s inputs to validate")
        self.shot(f"{label}: before run")
        await self.pilot.press("ctrl+r")
        await wait_for(self.pilot, lambda: app.state.running is None and mine.status is not Status.RUNNING,
                       STEP_TIMEOUT, f"step {step_id} to finish")
        await settle(self.pilot)
        self.shot(f"{label}: after run")
        self.recorder.events.extend(mine.events)
        if isinstance(app.screen, FailureScreen):
            self.shot(f"{label}: failure panel")
            panel = str(app.screen.query_one("#failure-text", Static).render())
            self.recorder.panels.append(panel)
            self.recorder.errors.append(app.screen.error)
            return panel
        return "" if mine.status is Status.DONE else f"it ended as {mine.status}"

    async def all_steps(self, info: SandboxInfo) -> str:
        """Returns what went wrong ("" when all six steps are done and the welcome screen shows the rows)."""
        app, pilot = self.app, self.pilot
        await settle(pilot)
        self.shot("welcome")
        await pilot.press("enter")  # "Continue where you left off" → step 1
        await wait_for(pilot, lambda: isinstance(app.screen, StepScreen), 60, "step 1's screen")
        await settle(pilot)
        await type_keys(pilot, "#admin_password", info.postgres_password)
        await type_keys(pilot, "#prisma_password", WIZ_CANARY)
        typed = app.screen.query_one("#prisma_password", Input)
        assert typed.value == WIZ_CANARY, "the canary was not typed as is (key mapping)"
        assert app.ctx.secrets.prisma_password == WIZ_CANARY
        typed.password = False  # control: unmasked, the field's screen export must show the canary
        await pilot.pause()
        unmasked = app.export_screenshot()
        typed.password = True
        await pilot.pause()
        assert WIZ_CORE.encode() in unmasked.encode(), "an unmasked field is not found in its export: SVGs prove nothing"
        ids = app.state.step_ids
        for number, step_id in enumerate(ids, start=1):
            if step_id == "migrations":  # a failure with the canary in play: the panel, the error, Prisma's output
                await asyncio.to_thread(set_role_password, info, secrets.token_urlsafe(18))
                if not await self.run(step_id, f"step {number} {step_id} (role password changed)"):
                    return f"step {step_id} passed with a wrong password in the database"
                await pilot.press("escape")
                for back in reversed(ids[:number - 1]):
                    await self.go("ctrl+b", back)
                # The role's password changed behind supatui's back: the person chooses "Set a new password"
                # (issue 10: step 1 never changes an existing role's password unless asked).
                app.ctx.config.new_prisma_password = True
                if failure := await self.run(ids[0], "step 1 again (sets the canary back)"):
                    return f"step 1, run again: {failure}"
                for forward in ids[1:number]:
                    await self.go("ctrl+n", forward)
            if failure := await self.run(step_id, f"step {number} {step_id}"):
                return f"step {step_id}: {failure}"
            if step_id != ids[-1]:
                await self.go("ctrl+n", ids[number])
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), 10, "the transcript modal")
        await settle(pilot)
        self.shot("transcript modal (^t)")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StepScreen), 10, "the transcript modal to close")
        await pilot.press("ctrl+n")  # Finish → the welcome screen with the result
        await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen), 10, "the final welcome screen")
        await settle(pilot)
        self.shot("final welcome (result rows)")
        result = app.screen.query_one("#result", Static)
        if not (result.display and "The test script printed" in str(result.render())):
            return "the final welcome screen shows no rows"
        return ""


def _error_text(error: SupatuiError) -> bytes:
    parts = [str(error), repr(error), error.message, error.hint, str(getattr(error, "output", ""))]
    return "\n".join(parts).encode()


def scan_app_memory(scan: Scan, app: SupatuiApp, recorder: Recorder) -> None:
    """What the wizard holds and shows in text: events, checks, errors (exception texts), notifications."""
    for note in recorder.notes:
        scan.blob("notifications", note[:60], note.encode())
    for index, panel in enumerate(recorder.panels):
        scan.blob("failure panel text", f"panel {index}", panel.encode())
    events = recorder.events + [event for step in app.state.steps.values() for event in step.events]
    for index, event in enumerate(events):
        scan.blob("step events (live log, state)", f"{event.step} event {index}", f"{event.text}\n{event.data!r}".encode())
    errors = recorder.errors + [step.error for step in app.state.steps.values() if step.error is not None]
    for error in errors:
        scan.blob("exception texts (str, repr, message, hint, output)", type(error).__name__, _error_text(error))
    for step_id, step in app.state.steps.items():
        for check in step.checks:
            scan.blob("verify checks", f"{step_id}: {check.name}", f"{check.name} {check.detail}".encode())
    scan.blob("reprs of the context", "StepContext", f"{app.ctx!r}\n{app.ctx.secrets!r}".encode())


@pytest.mark.slow
async def test_wizard_walkthrough_by_keys_leaks_nothing(
        wizard_sandbox: tuple[PrivateHome, SandboxInfo], prisma_engine: str | None, workspace: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("npm")
    home, info = wizard_sandbox
    textual_log = tmp_path / "textual.log"  # Textual's own log (what TEXTUAL_LOG=… would write)
    monkeypatch.setattr(textual.constants, "LOG_FILE", str(textual_log))
    caplog.set_level(logging.DEBUG)
    project = workspace / "hello-prisma"
    ctx = StepContext(WalkthroughConfig(project_dir=project, target=info.target, role=ROLE))
    transcript = _transcript(ctx)  # as `supatui` itself makes it
    assert transcript is not None, "the transcript writer could not be made"
    app = SupatuiApp(ctx, sandbox=False, transcript_factory=lambda: transcript)
    recorder = Recorder(app)
    started_wall, started = time.time() - 1, time.monotonic()
    with ArgvSampler(0.05) as sampler:
        try:
            async with app.run_test(size=SIZE) as pilot:
                walk = Walk(pilot, app, recorder)
                failure = await walk.all_steps(info)
        finally:
            ctx.cancel.cancel()
            transcript.close()
    walked = time.monotonic() - started
    assert sampler.samples > 20, f"only {sampler.samples} argv samples were taken"

    scan = Scan(forms_of(WIZ_CANARY, WIZ_CORE))
    shots = walk.shots
    assert recorder.errors and recorder.panels, "the deliberate failure (step 4) showed no failure panel"
    for name, svg in shots:
        scan.blob("screen exports (SVG)", name, svg.encode())
    scan_app_memory(scan, app, recorder)
    traced = scan_textual_log(scan, textual_log)
    scan.blob("Python logging (all loggers, DEBUG)", "caplog", caplog.text.encode())
    captured = capsys.readouterr()
    scan.blob("test process stdout/stderr", "capsys", (captured.out + captured.err).encode())
    for name in (TRANSCRIPT, REPLAY):
        assert (project / name).is_file(), f"{name} was not written"
        scan.blob(name, str(project / name), (project / name).read_bytes())
    scan.tree("project files (generated/, prisma/, .supatui/ …; not .env, node_modules)", project,
              skip_dirs=("node_modules",), skip_files=(project / ".env",))
    scan.tree("node_modules files written during the run", project / "node_modules", newer_than=started_wall)
    scan.tree("SUPATUI_HOME", home.home, skip_files=(home.keyring,))
    cluster = cluster_dir(home.home)
    assert cluster is not None and cluster.is_dir(), "the sandbox's cluster dir is unknown"
    if not cluster.is_relative_to(home.home):
        scan.tree("sandbox data dir (pg_authid, WAL, logs)", cluster)
    for cache in (Path.home() / ".npm" / "_logs", Path.home() / ".cache"):
        scan.tree("npm logs and ~/.cache (files written during the run)", cache, newer_than=started_wall)
    sampler.scan_into(scan)
    print(f"\nwizard walkthrough by keys: {walked:.0f}s, {len(shots)} screen exports, {sampler.samples} argv samples, "
          f"{len(sampler.cmdlines)} distinct argv")
    if traced:
        print(f"  exposure: Textual's message trace (TEXTUAL_LOG / devtools only) shows a password field's value "
              f"in {traced} line(s)")
    _assert_only_in_env_and_keyring(scan, project, home.keyring, failure)


def scan_textual_log(scan: Scan, path: Path) -> int:
    """Scan Textual's log; returns how many lines were only Textual's trace of a password Input (see above)."""
    data = path.read_bytes() if path.exists() else b""
    assert data, "Textual wrote no log: the channel proves nothing"
    kept: list[bytes] = []
    traced = 0
    for line in data.splitlines():
        if TEXTUAL_TRACE_ALLOWED and TEXTUAL_TRACE.match(line) and any(f in line for f in scan.forms.values()):
            traced += 1
        else:
            kept.append(line)
    scan.blob("Textual log (TEXTUAL_LOG)", str(path), b"\n".join(kept))
    return traced


def _assert_only_in_env_and_keyring(scan: Scan, project: Path, keyring: Path, failure: str) -> None:
    """No finding anywhere; the walkthrough finished; the canary IS where it must be (positive controls)."""
    print(scan.report())
    if scan.upstream_argv:
        print(f"  upstream: Prisma's CLI put the (percent-encoded) URL on its schema engine's argv "
              f"{len(scan.upstream_argv)} time(s): {scan.upstream_argv[0][:120]}…")
    leaks = "\n".join(f"  {f.channel}: {f.where} ({', '.join(f.forms)})" for f in scan.findings)
    assert not scan.findings, f"the canary leaked:\n{leaks}" + (f"\n(and {failure})" if failure else "")
    assert not failure, failure
    env_text = (project / ".env").read_bytes()
    assert scan.forms["quote"] in env_text, ".env does not hold the percent-encoded canary: the scan proves nothing"
    assert scan.forms["raw"] not in env_text, ".env holds the raw (unencoded) password"
    stored = json.loads(keyring.read_text())
    assert any(ROLE in key and value == WIZ_CANARY for key, value in stored.items()), \
        f"the keyring does not hold the canary for the `{ROLE}` role"
