"""Render the room's board for the README: screenshots/room-board.svg (a sample room of 12 seats).

    python scripts/board_screenshot.py
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from supatui.ui.board.app import BoardApp  # noqa: E402
from tests.ui.board_sample import sample  # noqa: E402


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
