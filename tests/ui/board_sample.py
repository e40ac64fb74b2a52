"""A sample room for the board's tests and its README screenshot: seats at every step, failures, hands."""

from __future__ import annotations

import time

from supatui.room.model import STEPS, SeatProgress

REFS = ["kqzvbnrtwplmxsdfghja", "abcdwxyzqrstuvmnopjk", "mnbvcxzlkjhgfdsapoiu", "qwertyuiopasdfghjklz",
        "zxcvbnmasdfghjklqwer", "poiuytrewqlkjhgfdsam", "lkjhgfdsapoiuytrewqz", "asdfghjklqwertyuiopz",
        "yuiophjklnmbvcxzasdf", "ghjklasdfqwertzuiopm", "vbnmqwertasdfgzxcvhj", "rtyufghjvbnmqweasdzx"]
DONE_UPTO = [6, 6, 4, 3, 3, 3, 6, 1, 4, 3, 0, 5]


def sample(count: int = 12) -> list[SeatProgress]:
    """``count`` seats (the 12 above, repeated): 3 finished, 4 stuck on migrations, 2 hands up, 1 not started."""
    now = time.time()
    seats = []
    for number in range(1, count + 1):
        ref, upto = REFS[(number - 1) % 12], DONE_UPTO[(number - 1) % 12]
        steps = {step: index < upto for index, step in enumerate(STEPS)}
        failure = None
        if number % 12 in (4, 6, 10):
            failure = {"step": "migrations", "diagnosis": "engine-download", "at": now - 90}
        if number % 12 == 5:
            failure = {"step": "migrations", "diagnosis": None, "at": now - 30}
        current = STEPS[min(upto, 5)]
        seats.append(SeatProgress(number, ref, steps, current=current if upto else None, failure=failure,
                                  hand=number % 12 in (5, 11), seen_at=now - 10 if upto else None))
    return seats
