"""What the board shows, computed from the seats' progress (no Textual here: easy to test)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from supatui.room.model import STEPS, SeatProgress

SORTS = ("seat", "progress", "stuck")
FILTERS = ("all", "stuck", "hands", "done")


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
