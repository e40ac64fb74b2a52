"""The orchestration on small real steps that write files (the six real steps have their own tests)."""

from __future__ import annotations

from pathlib import Path

from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.errors import StepFailed
from supatui.core.events import Emit, Event, EventKind
from supatui.core.plan import Check, FileAction, Plan
from supatui.core.result import StepResult
from supatui.core.state import load_state
from supatui.core.steps.base import Step
from supatui.core.walkthrough import Walkthrough


class WriteFile(Step[None]):
    title = "Write a file"
    why = "Tests the life cycle."

    def __init__(self, step_id: str, *, fail: bool = False, bad_result: bool = False) -> None:
        self.id = step_id  # type: ignore[misc]
        self.fail = fail
        self.bad_result = bad_result
        self.runs = 0

    def path(self, ctx: StepContext) -> Path:
        return ctx.config.project_dir / f"{self.id}.txt"

    def decide(self, ctx: StepContext) -> None:
        return None

    def plan_for(self, ctx: StepContext, decision: None) -> Plan:
        return Plan(self.id, [FileAction(self.path(ctx), f"+{self.id}")])

    def is_done(self, ctx: StepContext) -> bool:
        return all(check.ok for check in self.verify(ctx))

    def run_for(self, ctx: StepContext, emit: Emit, decision: None) -> StepResult | None:
        self.runs += 1
        if self.fail:
            raise StepFailed(self.id, "boom", "do something")
        self.path(ctx).write_text("wrong" if self.bad_result else self.id)
        emit(Event(self.id, EventKind.FILE_WRITTEN, str(self.path(ctx))))
        return None

    def verify(self, ctx: StepContext, result: StepResult | None = None) -> list[Check]:
        path = self.path(ctx)
        return [Check(f"{path.name} holds its id", path.is_file() and path.read_text() == self.id)]


def make(tmp_path: Path, *steps: Step) -> tuple[Walkthrough, list[Event], list[Plan]]:
    events: list[Event] = []
    plans: list[Plan] = []
    ctx = StepContext(WalkthroughConfig(project_dir=tmp_path))
    return Walkthrough(ctx, emit=events.append, on_plan=plans.append, steps=steps), events, plans


def test_runs_in_order_then_skips_what_is_done(tmp_path: Path) -> None:
    a, b = WriteFile("a"), WriteFile("b")
    walkthrough, events, plans = make(tmp_path, a, b)
    outcomes = walkthrough.run()
    assert [o.status for o in outcomes] == ["done", "done"]
    assert [p.step for p in plans] == ["a", "b"]
    assert load_state(tmp_path).steps["b"]["status"] == "done"
    again = walkthrough.run()
    assert [o.status for o in again] == ["skipped", "skipped"]
    assert (a.runs, b.runs) == (1, 1)
    assert walkthrough.run(redo=["b"])[1].status == "done" and b.runs == 2


def test_stops_at_first_failure_and_resumes_from_it(tmp_path: Path) -> None:
    a, b, c = WriteFile("a"), WriteFile("b", fail=True), WriteFile("c")
    walkthrough, events, _ = make(tmp_path, a, b, c)
    outcomes = walkthrough.run()
    assert [o.status for o in outcomes] == ["done", "failed"]
    assert outcomes[1].error is not None and "boom" in outcomes[1].error.one_line()
    assert c.runs == 0
    assert any(e.kind is EventKind.STEP_FAILED for e in events)
    b.fail = False
    assert [o.status for o in walkthrough.run(from_step="b")] == ["done", "done"]
    assert a.runs == 1


def test_verification_failure_fails_the_step(tmp_path: Path) -> None:
    walkthrough, events, _ = make(tmp_path, WriteFile("a", bad_result=True))
    outcome = walkthrough.run()[0]
    assert outcome.status == "failed"
    assert outcome.error is not None and "verification failed" in outcome.error.message
    assert [e.data["ok"] for e in events if e.kind is EventKind.CHECK] == [False]


def test_unknown_step_is_an_input_error(tmp_path: Path) -> None:
    walkthrough, _, _ = make(tmp_path, WriteFile("a"))
    try:
        walkthrough.run(from_step="zzz")
    except Exception as exc:
        assert "Unknown step" in str(exc)
    else:
        raise AssertionError("expected an error")
