"""`supatui room board`: the instructor's view of the room, refreshed on its own.

The seats come from a ``source`` callable (the room's progress, read in a thread worker), so
tests and screenshots can hand the board any room.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from supatui.room.model import SeatProgress
from supatui.ui.board import model
from supatui.ui.board.theme import PRESENTER_THEME
from supatui.ui.theme import SUPATUI_THEME, THEME_NAME

Source = Callable[[], list[SeatProgress]]
STYLES = Path(__file__).parent / "board.tcss"


class SeatTable(DataTable[str]):
    """The seats; says when its width changes, so the board picks the columns that fit again."""

    class Resized(Message):
        pass

    def on_resize(self) -> None:
        self.post_message(self.Resized())


class BoardApp(App[int]):
    TITLE = "supatui room"
    CSS_PATH = STYLES
    BINDINGS = [
        Binding("s", "sort", "Sort"),
        Binding("f", "filter", "Filter"),
        Binding("r", "refresh", "Refresh"),
        Binding("p", "presenter", "Presenter"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, source: Source, *, interval: float = 3.0, presenter: bool = False) -> None:
        super().__init__()
        self.source = source
        self.interval = interval
        self.presenter = presenter
        self.seats: list[SeatProgress] = []
        self.sort_by, self.show = "seat", "all"
        self.selected: int | None = None
        self.shown: tuple[model.Column, ...] = ()
        self.loaded = 0  # refreshes that completed (tests wait on it)

    def compose(self) -> ComposeResult:
        yield Static("Room: loading…", id="banner")
        with Horizontal(id="main"):
            yield SeatTable(id="seats", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="side"):
                yield Static("Select a seat to see its last failure.", id="detail")
                yield Static("", id="failures")
        yield Static("", id="view")
        yield Footer()

    def on_mount(self) -> None:
        self.register_theme(SUPATUI_THEME)
        self.register_theme(PRESENTER_THEME)
        self._apply_presenter()
        self.action_refresh()
        self.set_interval(self.interval, self.action_refresh)

    # -- data ----------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="board")
    def _load(self) -> None:
        try:
            seats = self.source()
        except Exception as exc:  # a room that stopped: say so, keep the last view
            self.call_from_thread(self._failed, str(exc))
            return
        self.call_from_thread(self.show_seats, seats)

    def _failed(self, message: str) -> None:
        self.query_one("#banner", Static).update(f"Room: cannot read the seats ({message})")

    def show_seats(self, seats: list[SeatProgress]) -> None:
        self.seats = seats
        self.loaded += 1
        self._render()

    def on_seat_table_resized(self) -> None:
        self._render()

    def _render(self) -> None:
        seats = self.seats
        self.query_one("#banner", Static).update(model.summary(seats))
        table = self.query_one("#seats", DataTable)
        row = table.cursor_row
        # The columns that fit the table's width, a vertical scrollbar's room kept for a long room.
        layout = model.columns(table.content_region.width - table.styles.scrollbar_size_vertical,
                               2 * table.cell_padding)
        table.clear(columns=layout != self.shown)
        if layout != self.shown:
            self.shown = layout
            for column in layout:
                table.add_column(column.label, width=column.width, key=column.key)
        for seat in model.choose(seats, self.sort_by, self.show):
            table.add_row(*(model.cell(seat, column) for column in layout), key=str(seat.seat))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        groups = model.failure_groups(seats)
        lines = ["[b]Failures by cause[/b]"] if groups else ["[b]Failures by cause[/b]", "none reported"]
        for group in groups:
            seats_text = ", ".join(str(number) for number in group.seats)
            lines += [f"[b]{group.line(len(seats))}[/b] (seats {seats_text})", f"  fix: {group.fix}"]
        self.query_one("#failures", Static).update("\n".join(lines))
        self.query_one("#view", Static).update(f"sorted by {self.sort_by} · showing {self.show}")
        self._detail()

    def _detail(self) -> None:
        seat = next((s for s in self.seats if s.seat == self.selected), None)
        box = self.query_one("#detail", Static)
        if seat is None:
            box.update("Select a seat to see its last failure.")
            return
        lines = [f"[b]Seat {seat.seat}[/b]  {seat.ref}",
                 f"on: {seat.now or '—'}  (heard from {model.ago(seat.seen_at)})"]
        if seat.failure:
            title, fix = model.describe(seat.failure.get("diagnosis"))
            lines += [f"last failure: {seat.failure.get('step')}, {model.ago(seat.failure.get('at'))}",
                      f"cause: {title}", f"fix: {fix}"]
        else:
            lines.append("no failure reported")
        if seat.hand:
            lines.append("hand raised")
        lines += [f"note: {error}" for error in seat.errors]
        box.update("\n".join(lines))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self.selected = int(event.row_key.value)
            self._detail()

    # -- view ----------------------------------------------------------------------------------
    def action_sort(self) -> None:
        self.sort_by = model.SORTS[(model.SORTS.index(self.sort_by) + 1) % len(model.SORTS)]
        self._render()

    def action_filter(self) -> None:
        self.show = model.FILTERS[(model.FILTERS.index(self.show) + 1) % len(model.FILTERS)]
        self._render()

    def action_presenter(self) -> None:
        self.presenter = not self.presenter
        self._apply_presenter()

    def _apply_presenter(self) -> None:
        self.theme = PRESENTER_THEME.name if self.presenter else THEME_NAME
        self.set_class(self.presenter, "-presenter")


def room_source(room: Any) -> Source:
    from supatui.room.progress import room_progress

    def read() -> list[SeatProgress]:
        state = room.state()
        if state is None:
            raise RuntimeError("no room: run `supatui room start --seats N`")
        return room_progress(state, room.dir)

    return read


def run_board(room: Any, *, presenter: bool = False) -> int:
    if room.state() is None:
        from supatui.core.errors import SupatuiError

        raise SupatuiError("No room yet.", "Start one with `supatui room start --seats N`, then open the board.")
    return int(BoardApp(room_source(room), presenter=presenter).run() or 0)
