"""Console rendering and the main flow of `supatui run`."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO

from supatui.commands.run_inputs import options_from_args, terminal_prompt, url_notes
from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.errors import Cancelled, InputError, StepFailed
from supatui.core.events import Emit, Event, EventKind
from supatui.core.packagemanager import by_hand
from supatui.core.plan import Plan
from supatui.core.redact import redact
from supatui.core.session import apply_choices, project_dir_for
from supatui.core.session import build_context as build_session
from supatui.core.transcript import transcript_for
from supatui.core.walkthrough import StepOutcome, Walkthrough, start_early_work

_STYLES = {"step": "1;36", "ok": "32", "fail": "31", "warn": "33", "dim": "2", "sql": "35", "cmd": "1"}


class Console:
    """Plain, prefixed output; colour only on a terminal and never with NO_COLOR."""

    def __init__(self, stream: TextIO, *, json_lines: bool) -> None:
        self.stream = stream
        self.json_lines = json_lines
        self.colour = stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        self.width = 10
        self.shares_stderr = _same_file(stream, sys.stderr)  # a terminal (or `2>&1`): say a failure once

    def _paint(self, style: str, text: str) -> str:
        return f"\033[{_STYLES[style]}m{text}\033[0m" if self.colour else text

    def _line(self, text: str) -> None:
        print(redact(text), file=self.stream, flush=True)

    def _prefixed(self, prefix: str, text: str) -> None:
        """Every line of a multi-line text keeps the step prefix, so output stays attributable."""
        for line in text.splitlines() or [""]:
            self._line(prefix + line)

    def event(self, event: Event) -> None:
        if self.json_lines:
            self._line(json.dumps(event.to_json(), ensure_ascii=False))
            return
        prefix = self._paint("dim", f"{event.step:<{self.width}}│ ")
        kind, text = event.kind, event.text
        if kind is EventKind.STEP_STARTED:
            self._line("")
            self._line(self._paint("step", f"━━ {event.step}: {text}"))
        elif kind is EventKind.SQL:
            self._line(prefix + self._paint("sql", text))
        elif kind is EventKind.SQL_DONE:
            self._line(prefix + self._paint("dim", f"  → {text}"))
        elif kind is EventKind.COMMAND:
            self._line(prefix + self._paint("cmd", text))
        elif kind is EventKind.OUTPUT:
            self._prefixed(prefix + "  ", text)
        elif kind is EventKind.COMMAND_EXIT:
            style = "dim" if event.data.get("returncode") == 0 else "fail"
            self._line(prefix + self._paint(style, f"  {text}"))
        elif kind is EventKind.FILE_WRITTEN:  # the core's sentence names the file, what changed and any backup
            self._line(prefix + text)
        elif kind is EventKind.WARNING:
            self._line(prefix + self._paint("warn", f"warning: {text}"))
        elif kind is EventKind.CHECK:
            ok = bool(event.data.get("ok"))
            self._line(prefix + self._paint("ok" if ok else "fail", ("✓ " if ok else "✗ ") + text))
        elif kind is EventKind.STEP_DONE:
            self._line(prefix + self._paint("ok", f"✓ {text}"))
        elif kind is EventKind.STEP_SKIPPED:
            self._line(self._paint("step", f"━━ {event.step}: ") + self._paint("ok", f"✓ {text}, skipped"))
        elif kind is EventKind.STEP_FAILED and event.step in DECLINED:
            pass  # not a failure: the person said no; the run's last line says where to continue
        elif kind is EventKind.STEP_FAILED:
            # the same sentence ends the run on stderr; where both land in one place, point to it instead
            shown = "✗ failed (the reason is the last line)" if self.shares_stderr else f"✗ {text}"
            self._line(prefix + self._paint("fail", shown))
        else:
            self._prefixed(prefix, text)

    def plan(self, plan: Plan) -> None:
        if self.json_lines:
            self._line(json.dumps({"step": plan.step, "kind": "plan", "text": plan.render_text()}, ensure_ascii=False))
            return
        self._line("")
        self._line(self._paint("step", f"── plan for {plan.step}"))
        for line in plan.render_text().splitlines():
            self._line(self._paint("dim", f"{plan.step:<{self.width}}┆ ") + line)


def _same_file(one: TextIO, other: TextIO) -> bool:
    try:
        return os.path.samestat(os.fstat(one.fileno()), os.fstat(other.fileno()))
    except (OSError, ValueError, AttributeError):
        return False


DECLINED: set[str] = set()  # steps the person answered "n" for: the run stops there, as asked, not as a failure


def _confirming(console: Console, yes: bool) -> Callable[[Plan], None]:
    """Show each plan; on a terminal without --yes, ask before running it ("n" stops the run before it)."""

    def on_plan(plan: Plan) -> None:
        console.plan(plan)
        if yes:
            return
        answer = input(f"Run step '{plan.step}'? [Y/n] ").strip().lower()
        if answer not in ("", "y", "yes"):
            DECLINED.add(plan.step)
            raise Cancelled(plan.step)

    return on_plan


def build_context(args: argparse.Namespace, console: Console) -> StepContext:
    options = options_from_args(args)
    sandbox = None
    early: StepContext | None = None
    if options.sandbox:
        from supatui.sandbox import Sandbox

        project_dir = project_dir_for(options)  # a bad --dir is reported before a server starts
        if args.yes:  # step 2's install needs no database: it starts now, while the sandbox starts
            config = WalkthroughConfig(project_dir=project_dir, sandbox=True)  # as build_session makes it
            apply_choices(options, config)
            early = StepContext(config)
            early.early.enabled = True
            start_early_work(early, from_step=args.from_step, redo=args.redo)
        try:
            sandbox = Sandbox().start()
        except BaseException:
            if early is not None:
                early.early.abandon_all(console.event, "the sandbox did not start")
            raise
        if not console.json_lines:
            console._line(f"sandbox: project {sandbox.ref} on 127.0.0.1 (session {sandbox.session_port}, "
                          f"transaction {sandbox.transaction_port})")
    try:
        ctx = build_session(options, sandbox=sandbox, prompt=terminal_prompt()).ctx
    except BaseException:
        if early is not None:
            early.early.abandon_all(console.event, "the run's inputs were refused")
        raise
    if early is not None:
        same = (early.config.project_dir, early.config.package_manager, early.config.prisma_major) == (
            ctx.config.project_dir, ctx.config.package_manager, ctx.config.prisma_major)
        if same:
            ctx.early = early.early
        else:
            early.early.abandon_all(console.event, "the project's settings differ from the early start's")
    ctx.early.enabled = args.yes  # nobody is asked before a step: later steps' work may start before their turn
    start_early_work(ctx, from_step=args.from_step, redo=args.redo)  # without the sandbox: now
    for note in url_notes(options.url or "") if not console.json_lines and sandbox is None else ():
        console._line(console._paint("warn", f"note: {note}"))
    return ctx


def run_headless(args: argparse.Namespace) -> int:
    console = Console(sys.stdout, json_lines=args.json)
    if not args.yes and not sys.stdin.isatty():
        raise InputError("supatui run asks before each step, but there is no terminal to ask on.",
                         "Pass --yes to run every step without asking.")
    ctx = build_context(args, console)
    listeners: list[Emit] = [console.event]
    plan_listeners: list[Callable[[Plan], None]] = [_confirming(console, args.yes)]
    transcript = transcript_for(ctx.config, "sandbox" if ctx.config.sandbox else "headless")
    listeners.append(transcript)
    from supatui.room.join import reporter_for  # a folder that joined a workshop room with --share

    reporter = reporter_for(ctx.config.project_dir)
    if reporter is not None:
        listeners.append(reporter)
    plan_listeners.insert(0, transcript.record_plan)

    def emit(event: Event) -> None:
        for listener in listeners:
            listener(event)

    def on_plan(plan: Plan) -> None:
        for listener in plan_listeners:
            listener(plan)

    walkthrough = Walkthrough(ctx, emit=emit, on_plan=on_plan)
    previous = _cancel_on_ctrl_c(ctx)
    try:
        outcomes = walkthrough.run(from_step=args.from_step, redo=args.redo)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        transcript.close()
        if reporter is not None:
            reporter.flush()
    return _finish(outcomes, console, ctx)


def _cancel_on_ctrl_c(ctx: StepContext) -> Any:
    """First Ctrl-C cancels the running step like Esc in the wizard (its command is stopped, the step is
    recorded as cancelled, the run ends with a resume hint); a second one interrupts at once."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def on_sigint(signum: int, frame: object) -> None:
        if ctx.cancel.cancelled:
            raise KeyboardInterrupt
        # stop the child from a thread: the handler may interrupt the runner inside proc.wait()
        threading.Thread(target=ctx.cancel.cancel, name="cancel", daemon=True).start()

    return signal.signal(signal.SIGINT, on_sigint)


def _finish(outcomes: list[StepOutcome], console: Console, ctx: StepContext) -> int:
    failed = next((outcome for outcome in outcomes if not outcome.ok), None)
    if console.json_lines:
        summary = {"kind": "summary", "ok": failed is None,
                   "steps": {o.step: o.status for o in outcomes},
                   "error": failed.error.one_line() if failed and failed.error else None}
        console._line(json.dumps(summary))
    if failed is None:
        if not console.json_lines:
            console._line("")
            console._line(f"Done. Your project is in {ctx.config.project_dir}; run it on its own with: "
                          f"cd {ctx.config.project_dir} && {by_hand(ctx.config.package_manager, 'tsx', 'index.ts')}")
        return 0
    error = failed.error
    if failed.status == "cancelled" and failed.step in DECLINED:
        console._line("")
        console._line(f"Stopped before step {failed.step}, as you answered; nothing of it was done. Continue when "
                      f"ready with: supatui run --from {failed.step}")
        return 0
    if failed.status == "cancelled":
        print(f"supatui: step {failed.step} cancelled; nothing half-done was kept. Resume with: "
              f"supatui run --from {failed.step}", file=sys.stderr)
        return 130
    assert error is not None
    if not console.json_lines:
        _print_diagnosis(error, failed.step, console)
    resume = error.resume if isinstance(error, StepFailed) else failed.step  # the step to run first, maybe
    print(redact(f"supatui: step '{failed.step}' failed: {error.one_line()} "
                 f"(resume with: supatui run --from {resume})"), file=sys.stderr)
    return 1


def _print_diagnosis(error: object, step: str, console: Console) -> None:
    """The likely cause goes with the run's output (stdout); stderr keeps its one line."""
    from supatui.core.diagnoses import diagnose

    text = f"{getattr(error, 'message', '')}\n{getattr(error, 'output', '')}"
    matches = diagnose(text, step)
    if matches:
        top = matches[0].diagnosis
        console._line("")
        console._line(console._paint("warn", f"Likely cause: {top.title}. {top.cause}"))
        console._line(f"Fix: {top.fix}")
