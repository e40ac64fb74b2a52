"""Every message the wizard passes: requests up (widget/screen -> App) and worker results.

Attributes down, messages up: screens and widgets get what they show in their constructor and
by the App's :class:`StateChange` broadcasts; they ask the App for anything else by posting
one of these. Workers post a typed result; none of them is routed by a string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.message import Message

from supatui.core.context import StepContext
from supatui.core.errors import SupatuiError
from supatui.core.events import Event

if TYPE_CHECKING:
    from supatui.core.conntest import LoginTest
    from supatui.core.plan import Plan
    from supatui.core.steps.base import AnyStep
    from supatui.core.walkthrough import StepOutcome


@dataclass(frozen=True)
class StateChange:
    """What the App's ``state_changed`` signal says changed."""

    step: str | None = None  # the step whose state changed (None: the wizard's own, e.g. the keyring)
    inputs: bool = False  # the context's inputs were filled from outside a form (sandbox, keyring)
    titles: bool = False  # the steps loaded: their titles are known


# Messages compare by identity and print with Textual's own repr: no generated __eq__ and __repr__ (each an
# exec at import, ~1.5% of the wizard's first paint for all of them; `benchmarks/startup.py --instructions`).

# -- requests: screens, widgets and the palette ask the App ------------------------------------


@dataclass(eq=False, repr=False)
class ShowStep(Message):
    """Go to a step (None: the overview); ``run`` it once there (the palette's "Run step N")."""

    step_id: str | None
    run: bool = False


@dataclass(eq=False, repr=False)
class ShowTranscript(Message):
    pass


@dataclass(eq=False, repr=False)
class RunStep(Message):
    step_id: str


@dataclass(eq=False, repr=False)
class CancelRun(Message):
    pass


@dataclass(eq=False, repr=False)
class KeyringNeeded(Message):
    """A screen with password fields is open: read the keyring (once, in a thread)."""


@dataclass(eq=False, repr=False)
class PreviewRequested(Message):
    """Validate and plan ``step_id`` for ``ctx`` (the form's draft, a copy the worker may keep)."""

    step_id: str
    ctx: StepContext


@dataclass(eq=False, repr=False)
class InputsEdited(Message):
    """The form's draft changed: the App adopts it as the wizard's inputs (the form keeps editing its own)."""

    ctx: StepContext


# -- worker results ----------------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class StepEvent(Message):
    """One event from a running step (an SQL statement, an output line, …)."""

    event: Event


@dataclass(eq=False, repr=False)
class StepFinished(Message):
    """A run ended: done, failed or cancelled; the outcome carries the checks and the result."""

    outcome: StepOutcome
    keyring_warning: str = ""


@dataclass(eq=False, repr=False)
class Detected(Message):
    step_id: str
    done: bool


@dataclass(eq=False, repr=False)
class Previewed(Message):
    """Validation messages and the plan for the current inputs (or why there is no plan yet)."""

    step_id: str
    errors: dict[str, str]
    plan: Plan | None
    problem: str


@dataclass(eq=False, repr=False)
class StepsLoaded(Message):
    steps: list[AnyStep]


@dataclass(eq=False, repr=False)
class SandboxReady(Message):
    info: Any  # supatui.sandbox.SandboxInfo (a core.session.SandboxEndpoint)


@dataclass(eq=False, repr=False)
class SandboxFailed(Message):
    error: SupatuiError


@dataclass(eq=False, repr=False)
class SecretsLoaded(Message):
    """Passwords found in the keyring for a project ref (None where nothing is stored)."""

    admin: str | None
    prisma: str | None
    usable: bool
    detail: str = field(default="")


@dataclass(eq=False, repr=False)
class LoginTested(Message):
    """One login attempt's result ("Test connection", or the check of a typed prisma password)."""

    step_id: str
    result: LoginTest
