"""The wizard's one error funnel: how a failure is shown (a notice, and for a step or the sandbox the panel).

Kept apart from the App so the App stays navigation and workers; every failure still enters through
``SupatuiApp.show_error``, which calls :func:`show_error` here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from supatui.core.errors import Cancelled, StepFailed, SupatuiError
from supatui.ui.messages import StateChange
from supatui.ui.state import Status

if TYPE_CHECKING:
    from supatui.ui.app import SupatuiApp


def show_error(app: SupatuiApp, error: SupatuiError, *, step_id: str | None = None, title: str = "") -> None:
    """A notice for anything; the failure panel (with its diagnosis and Retry) for a step or the sandbox."""
    from supatui.ui.screens.failure import FailureScreen

    if step_id is None and not title:
        app.notify(error.one_line(), title="Error", severity="error")
        return
    if step_id is None:
        app.notify(error.message, title="Sandbox failed", severity="error")
        app.push_screen(FailureScreen(title, error, step_id=None, can_retry=False))
        return
    mine = app.state.steps[step_id]
    if isinstance(error, Cancelled):
        mine.status = Status.PENDING
        app.notify("Stopped. Nothing half-written was kept; run the step again when ready.",
                   title="Cancelled", severity="warning")
        return
    mine.status, mine.error = Status.FAILED, error
    title = f"{app.titles[step_id]} failed"
    app.notify(error.message, title=f"✗ {title}", severity="error", timeout=8)
    if error.code == "prisma-password-unknown":  # issue 10: two ways on, never a silent change
        _ask_prisma_password(app, error, step_id)
        return
    step_for_diag = error.step if isinstance(error, StepFailed) else step_id

    def after(choice: str | None) -> None:
        if choice == "retry":
            app.run_step(step_id)

    app.push_screen(FailureScreen(title, error, step_id=step_for_diag, can_retry=True,
                                  then=_way_on(app, error, step_id)), after)


def _way_on(app: SupatuiApp, error: SupatuiError, step_id: str) -> str:
    """What the wizard offers once the hint is followed: its Retry, or the step to run first (the core's
    ``StepFailed.resume``; the CLI says ``supatui run --from …`` for the same)."""
    resume = error.resume if isinstance(error, StepFailed) else step_id
    if not error.hint:  # nothing to follow first: the Retry button says enough
        return ""
    if resume not in app.state.steps or resume == step_id:
        return "press Retry (^r) to run this step again."
    number = app.state.step_ids.index(resume) + 1
    return (f"Close this, run step {number}, {app.titles[resume]} (pick it in the Steps list), "
            f"then come back to this one.")


def _ask_prisma_password(app: SupatuiApp, error: SupatuiError, step_id: str) -> None:
    """The prisma role exists with a password we do not have: offer the two ways on, never a silent change."""
    from supatui.ui.screens.prisma_choice import PrismaChoice, PrismaPasswordScreen, apply_choice

    def chosen(choice: PrismaChoice | None) -> None:
        if apply_choice(app.ctx, choice):
            app.publish(StateChange(inputs=True))
            app.run_step(step_id)

    app.push_screen(PrismaPasswordScreen(app.ctx, error), chosen)
