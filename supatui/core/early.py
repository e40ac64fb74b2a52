"""Work of a later step started before its turn, so it overlaps the step before (``supatui run --yes``).

Only when nobody is asked before each step: without ``--yes`` a "no" must find nothing done. Two uses:
step 2's package install starts while the sandbox starts and step 1 runs its SQL (it needs no database),
and step 5's ``prisma generate`` runs beside step 4's ``migrate dev`` (it needs only the schema).

The work runs in a thread; its events wait in a buffer. When its step runs, the step claims it: the
buffered events go out under that step (in order, with their own times), later ones live, and the work's
result or exception comes back to the step, which reports a failure as its own. The step order, the
output per step and the transcript stay as without overlap. Work nobody claims (an earlier step failed,
or the run was cancelled) is stopped and its events shown, so no command runs unseen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from supatui.core.errors import Cancelled
from supatui.core.events import Emit, Event, EventKind
from supatui.core.runner import CancelToken

Work = Callable[[Emit, CancelToken], Any]


class Early:
    """One piece of early work: a thread, its buffered events, its outcome."""

    def __init__(self, step: str, work: Work, *, note: str, decision: Any = None) -> None:
        self.step = step
        self.note = note  # said first when the step claims it: what started early, alongside what
        self.decision = decision  # the step's decision the work was started from (its plan shows the same)
        self.cancel = CancelToken()
        self._lock = threading.Lock()
        self._buffer: list[Event] = []
        self._sink: Emit | None = None
        self._result: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, args=(work,), name=f"early-{step}", daemon=True)
        self._thread.start()

    def _emit(self, event: Event) -> None:
        with self._lock:
            if self._sink is None:
                self._buffer.append(event)
                return
            sink = self._sink
        sink(event)

    def _main(self, work: Work) -> None:
        try:
            self._result = work(self._emit, self.cancel)
        except BaseException as exc:  # handed to the claiming step, which reports it as its own
            self._error = exc

    def _attach(self, emit: Emit) -> None:
        emit(Event(self.step, EventKind.INFO, self.note))
        while True:  # flush outside the lock (listeners may be slow), then switch to live
            with self._lock:
                pending, self._buffer = self._buffer, []
                if not pending:
                    self._sink = emit
                    return
            for event in pending:
                emit(event)

    def claim(self, emit: Emit, cancel: CancelToken) -> Any:
        """Show the work's events under its step and wait for it; its exception is raised here."""
        self._attach(emit)
        while self._thread.is_alive():
            if cancel.cancelled:  # the claiming step was cancelled (Ctrl-C): stop the early command too; again
                self.cancel.cancel()  # each turn, as a child spawned just after a cancel is tracked only then
            self._thread.join(0.1)
        if self._error is not None:
            raise self._error
        cancel.raise_if_cancelled(self.step)
        return self._result

    def abandon(self, emit: Emit, why: str) -> None:
        """Stop the work (its step will not run now) and show what it did."""
        while self._thread.is_alive():  # again each turn (see claim)
            self.cancel.cancel()
            self._thread.join(0.1)
        self._attach(emit)
        if self._error is not None and not isinstance(self._error, Cancelled):
            emit(Event(self.step, EventKind.WARNING, f"{why}; the early work had failed too: {self._error}"))
        else:
            emit(Event(self.step, EventKind.INFO, f"{why}: the early work was stopped."))


@dataclass
class EarlyWork:
    """The context's early work, by step. ``enabled``: the run asks nobody before a step (``--yes``)."""

    enabled: bool = False
    pending: dict[str, Early] = field(default_factory=dict)

    def start(self, step: str, work: Work, *, note: str, decision: Any = None) -> Early | None:
        if not self.enabled or step in self.pending:
            return None
        early = Early(step, work, note=note, decision=decision)
        self.pending[step] = early
        return early

    def get(self, step: str) -> Early | None:
        return self.pending.get(step)

    def take(self, step: str) -> Early | None:
        """The step's early work, removed from the pending ones (the step claims it now)."""
        return self.pending.pop(step, None)

    def abandon_all(self, emit: Emit, why: str) -> None:
        for step in list(self.pending):
            self.pending.pop(step).abandon(emit, why)
