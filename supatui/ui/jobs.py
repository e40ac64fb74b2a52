"""Work that runs in thread workers: blocking core calls (psycopg, keyring, subprocesses).

These functions never touch a widget: they only build messages and hand them to ``post``
(``App.post_message`` / ``Screen.post_message``, which are thread-safe). Errors propagate
to the worker, and from there to the App's single error funnel.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from textual.message import Message

from supatui.core.context import StepContext
from supatui.core.errors import SupatuiError
from supatui.core.events import Event
from supatui.core.plan import Check, Plan
from supatui.core.steps.base import Step

Post = Callable[[Message], Any]


class StepEvent(Message):
    """One event from a running step (an SQL statement, an output line, …)."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class StepVerified(Message):
    def __init__(self, step_id: str, checks: list[Check]) -> None:
        super().__init__()
        self.step_id = step_id
        self.checks = checks


class Detected(Message):
    def __init__(self, step_id: str, done: bool) -> None:
        super().__init__()
        self.step_id = step_id
        self.done = done


class Previewed(Message):
    """Validation messages and the plan for the current inputs (or why there is no plan yet)."""

    def __init__(self, step_id: str, errors: dict[str, str], plan: Plan | None, problem: str) -> None:
        super().__init__()
        self.step_id = step_id
        self.errors = errors
        self.plan = plan
        self.problem = problem


class StepsLoaded(Message):
    def __init__(self, steps: list[Step]) -> None:
        super().__init__()
        self.steps = steps


def load_steps(post: Post) -> None:
    from supatui.core.steps import all_steps

    post(StepsLoaded(all_steps()))


class SandboxReady(Message):
    def __init__(self, info: Any) -> None:
        super().__init__()
        self.info = info


class SecretsLoaded(Message):
    """Passwords found in the keyring for a project ref (None where nothing is stored)."""

    def __init__(self, admin: str | None, prisma: str | None, usable: bool, detail: str) -> None:
        super().__init__()
        self.admin = admin
        self.prisma = prisma
        self.usable = usable
        self.detail = detail


def snapshot(ctx: StepContext) -> StepContext:
    """A copy for read-only work (preview) so the UI can keep editing the original."""
    return dataclasses.replace(ctx, config=dataclasses.replace(ctx.config),
                               secrets=dataclasses.replace(ctx.secrets))


def preview(step: Step, ctx: StepContext, post: Post) -> None:
    errors = dict(step.validate(ctx))
    plan: Plan | None = None
    problem = ""
    try:
        plan = step.plan(ctx)
    except SupatuiError as exc:
        problem = exc.one_line()
    post(Previewed(step.id, errors, plan, problem))


def detect_all(steps: list[Step], ctx: StepContext, post: Post) -> None:
    for step in steps:
        try:
            done = step.detect(ctx)
        except Exception:  # detect is a best guess: anything wrong means "not done yet"
            done = False
        post(Detected(step.id, done))


def run_and_verify(step: Step, ctx: StepContext, post: Post) -> None:
    """Run the step, then check its post-condition against the world."""
    step.run(ctx, lambda event: post(StepEvent(event)))
    ctx.cancel.raise_if_cancelled(step.id)
    checks = step.verify(ctx)
    post(StepVerified(step.id, checks))


def load_secrets(ctx: StepContext, post: Post) -> None:
    from supatui.core import secrets

    status = secrets.keyring_status()
    target = ctx.config.target
    if not status.usable or target is None or not target.ref:
        post(SecretsLoaded(None, None, status.usable, status.detail))
        return
    try:
        admin = secrets.get_password(target.ref, ctx.config.admin_user)
        prisma = secrets.get_password(target.ref, ctx.config.role)
    except secrets.KeyringUnavailable as exc:
        post(SecretsLoaded(None, None, False, exc.message))
        return
    post(SecretsLoaded(admin, prisma, True, ""))


def store_secrets(ctx: StepContext) -> str:
    """Keep the passwords in the OS keyring; returns a warning when that is impossible."""
    from supatui.core import secrets

    target = ctx.config.target
    if target is None or ctx.config.sandbox:
        return ""
    try:
        if ctx.secrets.admin_password:
            secrets.set_password(target.ref, ctx.config.admin_user, ctx.secrets.admin_password)
        if ctx.secrets.prisma_password:
            secrets.set_password(target.ref, ctx.config.role, ctx.secrets.prisma_password)
    except secrets.KeyringUnavailable as exc:
        return exc.message
    return ""


def start_sandbox(post: Post) -> None:
    try:
        from supatui.sandbox import Sandbox  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        raise SupatuiError("The sandbox is not available in this installation.",
                           "Reinstall supatui, or run `supatui` without --sandbox.") from None
    post(SandboxReady(Sandbox().start()))
