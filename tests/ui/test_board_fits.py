"""The instructor's board fits at 80x24, 100x30 and 120x40, as the wizard's screens do.

At each size (and in presenter mode): no horizontal scrollbar anywhere, every column header and
every cell within its column, the seat, what it is on now and its stuck/ok state always shown,
the banner and the selected seat's detail not cut. Less useful columns are dropped, not cut.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from supatui.ui.board.app import BoardApp
from tests.ui.board_sample import sample

SIZES = [(80, 24), (100, 30), (120, 40)]
SIZE_IDS = [f"{w}x{h}" for w, h in SIZES]
ALWAYS = ("seat", "now", "state")


def _problems(app: BoardApp) -> list[str]:
    screen = app.screen
    problems = [f"horizontal scrollbar on {widget!r}" for widget in screen.query("*")
                if widget.display and widget.show_horizontal_scrollbar and widget.styles.scrollbar_size_horizontal]
    table = screen.query_one("#seats", DataTable)
    if table.virtual_size.width > table.scrollable_content_region.width:
        problems.append(f"table needs {table.virtual_size.width} cells, has {table.scrollable_content_region.width}")
    if not screen.region.contains_region(table.region):
        problems.append(f"table {table.region} outside the screen")
    keys = [str(key.value) for key in table.columns]
    problems += [f"no {key!r} column" for key in ALWAYS if key not in keys]
    for key, column in table.columns.items():
        width = column.content_width if column.auto_width else column.width
        if width < cell_len(column.label.plain):
            problems.append(f"header {column.label.plain!r} cut to {width}")
        for row in table.rows:
            text = str(table.get_cell(row, key))
            if cell_len(text) > width:
                problems.append(f"{column.label.plain!r} cell {text!r} cut to {width}")
    for widget in screen.query(Static):
        if not widget.display or widget.region.area == 0:
            continue
        box = widget.content_region
        need = widget.get_content_height(box.size, app.size, box.width)
        if need > box.height:
            problems.append(f"#{widget.id} needs {need} lines, has {box.height}")
    return problems


async def _loaded(pilot: Pilot[int], app: BoardApp) -> None:
    while not app.loaded:
        await pilot.pause(0.02)
    await pilot.pause()


@pytest.mark.parametrize("presenter", [False, True], ids=["board", "presenter"])
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_the_board_fits(size: tuple[int, int], presenter: bool) -> None:
    app = BoardApp(lambda: sample(30), interval=60, presenter=presenter)
    async with app.run_test(size=size) as pilot:
        await _loaded(pilot, app)
        await pilot.press("down", "down", "down")  # seat 4: stuck, its failure in the detail
        await pilot.pause()
        problems = _problems(app)
        assert not problems, f"{size}: " + "; ".join(problems)
        detail = app.query_one("#detail")
        if not presenter:  # the selected seat's detail starts on screen, not pushed below by the failures
            assert "Seat 4" in str(detail.render())
            assert app.screen.get_widget_at(detail.region.x + 1, detail.region.y + 1)[0] is detail, size
        side, failures = app.query_one("#side"), app.query_one("#failures")
        side.scroll_end(animate=False, immediate=True)  # a long room's failures: reached by scrolling, not cut
        await pilot.pause()
        assert side.region.contains_region(failures.region.intersection(side.region))
        assert failures.region.bottom <= side.region.bottom, (size, failures.region, side.region)


async def test_a_resize_picks_the_columns_again() -> None:
    app = BoardApp(sample, interval=60)
    async with app.run_test(size=(160, 30)) as pilot:
        await _loaded(pilot, app)
        table = app.query_one("#seats", DataTable)
        wide = [str(key.value) for key in table.columns]
        assert {"role", "test", "last"} <= set(wide)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        narrow = [str(key.value) for key in table.columns]
        assert narrow != wide and set(ALWAYS) <= set(narrow) and table.row_count == 12
        assert not _problems(app)
