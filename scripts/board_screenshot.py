"""Render the room's board for the README: screenshots/room-board.svg (a sample room of 12 seats).

    python scripts/board_screenshot.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from supatui.room.model import STEPS, SeatProgress  # noqa: E402
from supatui.ui.board.app import BoardApp  # noqa: E402


def sample() -> list[SeatProgress]:
    now = time.time()
    refs = ["kqzvbnrtwplmxsdfghja", "abcdwxyzqrstuvmnopjk", "mnbvcxzlkjhgfdsapoiu", "qwertyuiopasdfghjklz",
            "zxcvbnmasdfghjklqwer", "poiuytrewqlkjhgfdsam", "lkjhgfdsapoiuytrewqz", "asdfghjklqwertyuiopz",
            "yuiophjklnmbvcxzasdf", "ghjklasdfqwertzuiopm", "vbnmqwertasdfgzxcvhj", "rtyufghjvbnmqweasdzx"]
    done_upto = [6, 6, 4, 3, 3, 3, 6, 1, 4, 3, 0, 5]
    seats = []
    for number, (ref, upto) in enumerate(zip(refs, done_upto, strict=True), start=1):
        steps = {step: index < upto for index, step in enumerate(STEPS)}
        failure = None
        if number in (4, 6, 10):
            failure = {"step": "migrations", "diagnosis": "engine-download", "at": now - 90}
        if number == 5:
            failure = {"step": "migrations", "diagnosis": None, "at": now - 30}
        current = STEPS[min(upto, 5)] if upto < 6 else "test"
        seats.append(SeatProgress(number, ref, steps, current=current if upto else None, failure=failure,
                                  hand=number in (5, 11), seen_at=now - 10 if upto else None))
    return seats


async def main() -> None:
    app = BoardApp(sample, interval=60)
    async with app.run_test(size=(150, 32)) as pilot:
        while not app.loaded:
            await pilot.pause(0.05)
        await pilot.press("down", "down", "down")
        await pilot.pause()
        print(app.save_screenshot(filename="room-board.svg", path=str(ROOT / "screenshots")))


if __name__ == "__main__":
    asyncio.run(main())
