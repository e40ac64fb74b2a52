"""Early work (supatui run --yes): a later step's commands start before its turn, with real child processes.

Its events wait until the step claims them, then appear under that step; a failure is the claiming step's;
work nobody claims is stopped and shown; a step whose work started early is never skipped as done.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.early import EarlyWork
from supatui.core.errors import Cancelled, StepFailed
from supatui.core.events import Emit, Event, EventKind
from supatui.core.result import StepResult
from supatui.core.runner import CancelToken, CommandResult, run_command
from supatui.core.state import load_state
from supatui.core.steps.project import ProjectStep
from supatui.core.walkthrough import Walkthrough, start_early_work
from tests.conftest import require_tool
from tests.core.test_walkthrough import WriteFile


def _python(code: str, tmp_path: Path, step: str = "later"):  # type: ignore[no-untyped-def]
    def work(emit: Emit, cancel: CancelToken) -> CommandResult:
        return run_command([sys.executable, "-c", code], cwd=tmp_path, step=step, emit=emit, cancel=cancel)

    return work


def test_disabled_starts_nothing(tmp_path: Path) -> None:
    early = EarlyWork()
    assert early.start("later", _python("open('ran', 'w')", tmp_path), note="n") is None
    time.sleep(0.3)
    assert not (tmp_path / "ran").exists() and early.get("later") is None


def test_events_wait_for_the_claim_then_come_in_order_under_the_step(tmp_path: Path) -> None:
    early = EarlyWork(enabled=True)
    started = early.start("later", _python("print('one'); print('two')", tmp_path), note="started early")
    assert started is not None
    time.sleep(0.5)  # the command has long finished: nothing was shown meanwhile
    seen: list[Event] = []
    taken = early.take("later")
    assert taken is started and early.get("later") is None
    result = taken.claim(seen.append, CancelToken())
    assert isinstance(result, CommandResult) and result.ok and result.output == ["one", "two"]
    assert [e.kind for e in seen] == [EventKind.INFO, EventKind.COMMAND, EventKind.OUTPUT, EventKind.OUTPUT,
                                      EventKind.COMMAND_EXIT]
    assert seen[0].text == "started early" and all(e.step == "later" for e in seen)
    assert [e.at for e in seen[1:]] == sorted(e.at for e in seen[1:])  # their own times, in order


def test_claim_while_running_goes_live_and_a_failure_is_raised_in_the_claiming_step(tmp_path: Path) -> None:
    early = EarlyWork(enabled=True)

    def failing(emit: Emit, cancel: CancelToken) -> None:
        result = _python("import time; print('a', flush=True); time.sleep(0.5); print('b')", tmp_path)(emit, cancel)
        raise StepFailed("later", f"it failed after {len(result.output)} lines", "fix it")

    early.start("later", failing, note="n")
    seen: list[Event] = []
    with pytest.raises(StepFailed, match="after 2 lines"):
        taken = early.take("later")
        assert taken is not None
        taken.claim(seen.append, CancelToken())
    assert [e.text for e in seen if e.kind is EventKind.OUTPUT] == ["a", "b"]


def test_cancelling_the_claiming_step_stops_the_early_command(tmp_path: Path) -> None:
    early = EarlyWork(enabled=True)
    early.start("later", _python("import time; time.sleep(30)", tmp_path), note="n")
    cancel = CancelToken()
    cancel.cancel()
    started = time.monotonic()
    taken = early.take("later")
    assert taken is not None
    with pytest.raises(Cancelled):
        taken.claim(lambda event: None, cancel)
    assert time.monotonic() - started < 20  # the 30 s child was stopped, not waited for


class Slow(WriteFile):
    """A step whose file is written by early work: done on disk before its turn, yet it must not be skipped."""

    def run_for(self, ctx: StepContext, emit: Emit, decision: None) -> StepResult | None:
        early = ctx.early.take(self.id)
        assert early is not None, "the early work must still be pending when its step runs"
        early.claim(emit, ctx.cancel)
        self.runs += 1
        return None


def _write_early(ctx: StepContext, step: WriteFile, tmp_path: Path) -> None:
    code = f"open({str(step.path(ctx))!r}, 'w').write({step.id!r}); print('wrote it')"
    assert ctx.early.start(step.id, _python(code, tmp_path, step.id), note="started early") is not None


def test_a_step_with_early_work_runs_and_shows_it_even_if_its_files_are_done(tmp_path: Path) -> None:
    a, b = WriteFile("a"), Slow("b")
    events: list[Event] = []
    ctx = StepContext(WalkthroughConfig(project_dir=tmp_path))
    ctx.early.enabled = True
    _write_early(ctx, b, tmp_path)
    time.sleep(0.5)
    assert b.detect(ctx)  # on disk it looks done already
    outcomes = Walkthrough(ctx, emit=events.append, steps=[a, b]).run()
    assert [o.status for o in outcomes] == ["done", "done"] and b.runs == 1
    b_events = [e for e in events if e.step == "b"]
    assert [e.kind for e in b_events][:3] == [EventKind.STEP_STARTED, EventKind.INFO, EventKind.COMMAND]
    assert any(e.text == "wrote it" for e in b_events)
    assert events.index(b_events[0]) > max(i for i, e in enumerate(events) if e.step == "a")  # order kept


def test_work_of_a_step_that_never_comes_is_stopped_and_shown(tmp_path: Path) -> None:
    a, b = WriteFile("a", fail=True), Slow("b")
    events: list[Event] = []
    ctx = StepContext(WalkthroughConfig(project_dir=tmp_path))
    ctx.early.enabled = True
    ctx.early.start("b", _python("import time; print('begun', flush=True); time.sleep(30)", tmp_path, "b"),
                    note="started early")
    time.sleep(0.5)
    started = time.monotonic()
    outcomes = Walkthrough(ctx, emit=events.append, steps=[a, b]).run()
    assert [o.status for o in outcomes] == ["failed"] and b.runs == 0
    assert time.monotonic() - started < 20 and ctx.early.get("b") is None
    shown = [e for e in events if e.step == "b"]
    assert any(e.kind is EventKind.COMMAND for e in shown) and any(e.text == "begun" for e in shown)
    assert "step a did not finish" in shown[-1].text
    assert "b" not in load_state(tmp_path).steps  # never recorded as done



def test_step_2s_early_install_stopped_before_its_turn_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    """A step-1 failure while step 2's install runs early: npm is stopped and what it created is removed,
    so a later run starts step 2 from a fresh folder (a half-made package.json would keep "*" ranges)."""
    require_tool("npm")
    project = tmp_path / "hello-prisma"
    project.mkdir()
    (project / ".gitignore").write_text(".env\n")  # what step 1 writes there (kept)
    ctx = StepContext(WalkthroughConfig(project_dir=project))
    ctx.early.enabled = True
    step = ProjectStep()
    assert step.start_early(ctx)
    early = ctx.early.get("project")
    assert early is not None and step.decide(ctx) is early.decision  # the plan shows what already runs
    deadline = time.monotonic() + 60
    while not (project / "package.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # npm init -y has run: the install is under way
    events: list[Event] = []
    ctx.early.abandon_all(events.append, "step role did not finish")
    assert sorted(p.name for p in project.iterdir()) == [".gitignore", ".supatui"]
    assert any(e.kind is EventKind.COMMAND and "npm init -y" in e.text for e in events)
    assert any(e.text.startswith("removed what the stopped install had created: package.json") for e in events)
    assert load_state(project).steps["project"]["status"] == "running"  # never taken as done


def test_no_early_work_without_yes_or_for_a_finished_step(tmp_path: Path) -> None:
    ctx = StepContext(WalkthroughConfig(project_dir=tmp_path / "p"))
    assert not ProjectStep().start_early(ctx)  # not enabled: a "no" to step 2 must find nothing done
    ctx.early.enabled = True
    start_early_work(ctx, from_step="migrations")
    assert ctx.early.get("project") is None and not (tmp_path / "p").exists()
