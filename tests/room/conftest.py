"""One real room for the room tests: three seats under the test session's SUPATUI_HOME."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from supatui.room.manager import Room
from supatui.room.model import RoomInfo


@pytest.fixture(scope="session")
def room_manager() -> Iterator[Room]:
    room = Room(ports="auto")  # $SUPATUI_HOME/room, as the CLI finds it
    try:
        yield room
    finally:
        room.stop(delete=True)


@pytest.fixture(scope="session")
def room(room_manager: Room) -> RoomInfo:
    return room_manager.start(3)
