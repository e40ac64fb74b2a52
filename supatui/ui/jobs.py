"""The blocking work behind the wizard's thread workers (psycopg, keyring, subprocesses).

Plain functions that return typed results: they never touch a widget and post nothing; the
App's ``@work`` methods call them and post the result as a message (harlequin's
``_execute_query`` -> message pattern).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from supatui.core.context import StepContext
from supatui.core.errors import SupatuiError
from supatui.ui.messages import Detected, Previewed, SecretsLoaded
from supatui.ui.state import snapshot

if TYPE_CHECKING:
    from supatui.core.plan import Plan
    from supatui.core.steps.base import AnyStep

__all__ = ["detect_all", "load_secrets", "preview", "snapshot", "start_sandbox", "store_secrets"]


def preview(step: AnyStep, ctx: StepContext) -> Previewed:
    errors = dict(step.validate(ctx))
    plan: Plan | None = None
    problem = ""
    try:
        plan = step.plan(ctx)
    except SupatuiError as exc:
        problem = exc.one_line()
    return Previewed(step.id, errors, plan, problem)


def detect_all(steps: list[AnyStep], ctx: StepContext) -> Iterator[Detected]:
    """``is_done`` for each step: read-only, cheap, runs none of the project's code."""
    for step in steps:
        yield Detected(step.id, step.detect(ctx))  # detect: is_done, False when it cannot tell


def load_secrets(ctx: StepContext) -> SecretsLoaded:
    from supatui.core import secrets
    from supatui.core.session import stored_passwords

    status = secrets.keyring_status()
    if not status.usable:
        return SecretsLoaded(None, None, status.usable, status.detail)
    try:
        admin, prisma = stored_passwords(ctx.config)
    except secrets.KeyringUnavailable as exc:
        return SecretsLoaded(None, None, False, exc.message)
    return SecretsLoaded(admin, prisma, True, "")


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


def start_sandbox() -> object:
    """The running sandbox's endpoint (a core.session.SandboxEndpoint)."""
    try:
        from supatui.sandbox import Sandbox  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        raise SupatuiError("The sandbox is not available in this installation.",
                           "Reinstall supatui, or run `supatui` without --sandbox.") from None
    return Sandbox().start()
