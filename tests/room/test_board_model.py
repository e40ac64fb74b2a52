"""The board's arithmetic: failures grouped by cause with the fix, sorting, filtering, the summary."""

from __future__ import annotations

from supatui.room.model import STEPS, SeatProgress
from supatui.ui.board import model


def _seat(number: int, done: int, failure: str | None = None, hand: bool = False, failed: bool = False) -> SeatProgress:
    steps = {step: index < done for index, step in enumerate(STEPS)}
    fail = {"step": STEPS[done], "diagnosis": failure, "at": 0.0} if failure or failed else None
    return SeatProgress(number, "a" * 20, steps, failure=fail, hand=hand)


ROOM = [_seat(1, 6), _seat(2, 1, "engine-download"), _seat(3, 2, "engine-download", hand=True), _seat(4, 3, failed=True),
        _seat(5, 0, hand=True)]


def test_failures_are_grouped_by_diagnosis_largest_first_with_the_fix() -> None:
    groups = model.failure_groups(ROOM)
    assert [(g.diagnosis, g.seats) for g in groups] == [("engine-download", (2, 3)), (None, (4,))]
    assert groups[0].line(5) == "2 of 5: Prisma could not download its engine"
    assert "PRISMA_ENGINES_MIRROR" in groups[0].fix
    assert groups[1].title == "failed, cause not recognised"


def test_sort_and_filter() -> None:
    assert [s.seat for s in model.choose(ROOM, "seat", "stuck")] == [2, 3, 4, 5]
    assert [s.seat for s in model.choose(ROOM, "seat", "hands")] == [3, 5]
    assert [s.seat for s in model.choose(ROOM, "seat", "done")] == [1]
    assert [s.seat for s in model.choose(ROOM, "progress", "all")] == [5, 2, 3, 4, 1]
    assert [s.seat for s in model.choose(ROOM, "stuck", "all")][:2] == [3, 5]  # hands first


def test_summary_counts() -> None:
    text = model.summary(ROOM)
    assert text.startswith("5 seats · 1 done · 3 stuck · 2 hands up")
    assert "role 4/5" in text and "test 1/5" in text


def test_columns_drop_the_least_useful_first_and_keep_seat_now_and_state() -> None:
    def keys(width: int) -> list[str]:
        return [column.key for column in model.columns(width)]

    assert keys(200) == ["seat", "ref", *STEPS, "now", "state", "last"]
    assert keys(103) == ["seat", *STEPS, "now", "state", "last"]
    assert keys(80) == ["seat", "ref", "steps", "now", "state", "last"]
    assert keys(48) == ["seat", "steps", "now", "state"]
    assert keys(10) == ["seat", "now", "state"]  # narrower than anything: still the three that matter
    for width in range(27, 200):
        assert sum(column.width + 2 for column in model.columns(width)) <= width, width
    assert max(column.width for column in model.columns(400)) == model.LAST_MAX


def test_cells_fit_their_columns_and_say_finished_stuck_and_hands() -> None:
    wide = {column.key: column for column in model.columns(80)}
    assert model.cell(ROOM[0], wide["steps"]) == "✓✓✓✓✓✓ 6/6"
    assert model.cell(ROOM[0], wide["now"]) == "finished" and model.cell(ROOM[0], wide["state"]) == "ok"
    assert model.cell(ROOM[1], wide["state"]) == "stuck" and model.cell(ROOM[4], wide["state"]) == "hand up"
    last = model.cell(ROOM[1], wide["last"])
    assert last.startswith("project: Prisma could not") and len(last) <= wide["last"].width
