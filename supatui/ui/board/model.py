"""What the board shows, computed from the seats' progress (no Textual here: easy to test)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, replace

from supatui.room.model import STEPS, SeatProgress

SORTS = ("seat", "progress", "stuck")
FILTERS = ("all", "stuck", "hands", "done")
MARKS = {True: "✓", False: "·"}


@dataclass(frozen=True)
class FailureGroup:
    diagnosis: str | None
    title: str
    fix: str
    seats: tuple[int, ...]

    def line(self, total: int) -> str:
        return f"{len(self.seats)} of {total}: {self.title}"


def stuck(seat: SeatProgress) -> bool:
    return seat.failure is not None or seat.hand


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # cells for its widest value (and its label)


SEAT = Column("seat", "seat", 4)
REF = Column("ref", "ref", 8)
EACH_STEP = tuple(Column(step, step, len(step)) for step in STEPS)
STEPS_IN_ONE = Column("steps", "steps", len(STEPS) + 4)  # "✓✓✓··· 3/6"
NOW = Column("now", "now", max(len(word) for word in (*STEPS, "finished", "stopped")))
STATE = Column("state", "state", len("hand up"))
LAST = Column("last", "last failure", 20)  # shorter is unreadable; grows to LAST_MAX when there is room
LAST_MAX = 30
# Richest first; like gh and htop, what matters least goes first: the ref (it is in the detail), then the
# step names (the marks stay, in order), then the last failure (the side panel has it). Seat, now and
# state always stay.
LAYOUTS = (
    (SEAT, REF, *EACH_STEP, NOW, STATE, LAST),
    (SEAT, *EACH_STEP, NOW, STATE, LAST),
    (SEAT, REF, STEPS_IN_ONE, NOW, STATE, LAST),
    (SEAT, STEPS_IN_ONE, NOW, STATE, LAST),
    (SEAT, STEPS_IN_ONE, NOW, STATE),
    (SEAT, NOW, STATE),
)


def columns(width: int, padding: int = 2) -> tuple[Column, ...]:
    """The richest layout whose columns (each ``padding`` cells wider) fit in ``width`` cells."""
    for layout in LAYOUTS:
        used = sum(column.width + padding for column in layout)
        if used <= width:
            if layout[-1] is LAST:
                layout = (*layout[:-1], replace(LAST, width=min(LAST_MAX, LAST.width + width - used)))
            return layout
    return LAYOUTS[-1]


def state(seat: SeatProgress) -> str:
    return "hand up" if seat.hand else "stuck" if seat.failure is not None else "ok"


def cell(seat: SeatProgress, column: Column) -> str:
    """The seat's value in ``column``, never wider than the column."""
    key = column.key
    if key in STEPS:
        return MARKS[bool(seat.steps.get(key))]
    if key == "steps":
        text = "".join(MARKS[bool(seat.steps.get(step))] for step in STEPS) + f" {seat.done}/{len(STEPS)}"
    elif key == "last":
        failure = seat.failure
        text = f"{failure.get('step')}: {describe(failure.get('diagnosis'))[0]}" if failure else ""
    else:
        text = {"seat": str(seat.seat), "ref": seat.ref, "now": seat.now, "state": state(seat)}[key]
    if key == "ref":
        return text[:column.width]
    return text if len(text) <= column.width else text[:column.width - 1] + "…"


def describe(diagnosis: str | None) -> tuple[str, str]:
    """(title, fix) of a diagnosis id, from supatui's catalogue."""
    if not diagnosis:
        return "failed, cause not recognised", "Ask the attendee to read the failure panel, or walk over."
    from supatui.core.diagnoses import get

    try:
        found = get(diagnosis)
    except KeyError:
        return diagnosis, "Not in this supatui's catalogue (a newer attendee version?)."
    return found.title, found.fix


def failure_groups(seats: list[SeatProgress]) -> list[FailureGroup]:
    """Failures grouped by diagnosis, the largest group first: the fix to read out once for the room."""
    counts: Counter[str | None] = Counter()
    members: dict[str | None, list[int]] = {}
    for seat in seats:
        if seat.failure is None:
            continue
        key = seat.failure.get("diagnosis")
        counts[key] += 1
        members.setdefault(key, []).append(seat.seat)
    groups = []
    for key, _ in counts.most_common():
        title, fix = describe(key)
        groups.append(FailureGroup(key, title, fix, tuple(members[key])))
    return groups


def choose(seats: list[SeatProgress], sort: str, show: str) -> list[SeatProgress]:
    if show == "stuck":
        seats = [seat for seat in seats if stuck(seat)]
    elif show == "hands":
        seats = [seat for seat in seats if seat.hand]
    elif show == "done":
        seats = [seat for seat in seats if seat.finished]
    if sort == "progress":
        return sorted(seats, key=lambda seat: (seat.done, seat.seat))
    if sort == "stuck":
        return sorted(seats, key=lambda seat: (not seat.hand, seat.failure is None, seat.done, seat.seat))
    return sorted(seats, key=lambda seat: seat.seat)


def summary(seats: list[SeatProgress]) -> str:
    total = len(seats)
    finished = sum(1 for seat in seats if seat.finished)
    blocked = sum(1 for seat in seats if seat.failure is not None)
    hands = sum(1 for seat in seats if seat.hand)
    per_step = "  ".join(f"{step} {sum(1 for seat in seats if seat.steps.get(step))}/{total}" for step in STEPS)
    return f"{total} seats · {finished} done · {blocked} stuck · {hands} hands up    {per_step}"


def ago(when: float | None, now: float | None = None) -> str:
    if not when:
        return "never"
    seconds = max(0, int((now or time.time()) - when))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"
