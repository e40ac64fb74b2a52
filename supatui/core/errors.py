"""Typed errors: every failure carries what went wrong and what to do next.

No traceback reaches a user: the CLI and the UI print ``message`` and ``hint`` of a
:class:`SupatuiError`; anything else is wrapped by :func:`as_user_error`.
"""

from __future__ import annotations

from supatui.core.redact import redact


class SupatuiError(Exception):
    """A failure the user can act on. ``hint`` says what to do next."""

    def __init__(self, message: str, hint: str = "", *, code: str = "") -> None:
        self.message = redact(message)
        self.hint = redact(hint)
        self.code = code
        super().__init__(self.message)

    def one_line(self) -> str:
        text = self.message.strip().replace("\n", " ")
        if self.hint:
            text += f" — {self.hint.strip()}"
        return text


class InputError(SupatuiError):
    """Bad user input (a field, a flag, a URL). Exit code 2 in the CLI."""

    def __init__(self, message: str, hint: str = "", *, field: str = "") -> None:
        super().__init__(message, hint, code="input")
        self.field = field


class StepFailed(SupatuiError):
    """A step ran and failed; ``step`` names it, ``output`` is the redacted tail of what it printed.

    ``resume`` is the step to run once the hint is followed ("" : this one). The hint never says how to run it:
    each front end does, in its own terms (the CLI ``supatui run --from …``, the wizard its Retry or Steps list).
    """

    def __init__(self, step: str, message: str, hint: str = "", *, output: str = "", code: str = "",
                 resume: str = "") -> None:
        super().__init__(message, hint, code=code)
        self.step = step
        self.output = redact(output)
        self.resume = resume or step


class Cancelled(SupatuiError):
    """The user stopped a running step (Esc, Ctrl-C)."""

    def __init__(self, step: str = "") -> None:
        super().__init__("Cancelled.", "Run the step again when ready; nothing half-written was kept.")
        self.step = step


def as_user_error(exc: BaseException) -> SupatuiError:
    """Wrap an unexpected exception into a redacted, user-facing error."""
    if isinstance(exc, SupatuiError):
        return exc
    from supatui.core.envfailure import environment_error

    known = environment_error(exc)
    if known is not None:
        return SupatuiError(*known, code="environment")
    name = type(exc).__name__
    return SupatuiError(
        f"Unexpected {name}: {exc}",
        "This is a bug in supatui; please report it with the transcript (supatui-transcript.md).",
        code="internal",
    )
