"""A row of action buttons that wraps onto more rows when the width runs out (issue 11 item 6).

Textual has no wrapping horizontal layout, so the row is a grid (``.button-row`` in widgets.tcss)
whose column count is chosen on every resize: as many columns as fit the buttons' own widths.
Buttons keep their order, so the primary action stays first, and labels are never cut.
"""

from __future__ import annotations

from textual import events
from textual.containers import Container
from textual.css.scalar import Unit
from textual.geometry import Size
from textual.widgets import Button


def button_width(button: Button, viewport: Size) -> int:
    """The cells a button needs for its whole label, with its gutter, min-width and margin."""
    styles = button.styles
    width = button.get_content_width(viewport, viewport) + styles.gutter.width
    minimum = styles.min_width
    if minimum is not None and minimum.unit is Unit.CELLS:
        width = max(width, int(minimum.value))
    return width + styles.margin.width


def columns_that_fit(widths: list[int], room: int, gutter: int = 0) -> int:
    """The most grid columns whose widest cells, side by side with ``gutter`` between, fit in ``room``."""
    for columns in range(len(widths), 1, -1):
        needed = sum(max(widths[i::columns]) for i in range(columns)) + gutter * (columns - 1)
        if needed <= room:
            return columns
    return 1


class ButtonRow(Container):
    """Buttons in reading order; call :meth:`reflow` after showing, hiding or relabelling one."""

    def __init__(self, *children: Button, id: str | None = None) -> None:  # noqa: A002
        super().__init__(*children, id=id, classes="button-row")

    def on_mount(self) -> None:
        self.reflow()

    def on_resize(self, _event: events.Resize) -> None:
        self.reflow()

    def reflow(self) -> None:
        buttons = [child for child in self.children if isinstance(child, Button) and child.display]
        room = self.content_region.width
        if not buttons or room <= 0:  # not laid out yet: the resize that follows reflows
            return
        widths = [button_width(button, self.app.size) for button in buttons]
        # grid-gutter's second value, the gap between columns, is Textual's *vertical* gutter (a vertical strip)
        columns = columns_that_fit(widths, room, self.styles.grid_gutter_vertical)
        if self.styles.grid_size_columns != columns:
            self.styles.grid_size_columns = columns
