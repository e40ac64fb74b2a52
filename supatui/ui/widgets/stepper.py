"""The sidebar: the six steps, where you are, and what is done (mark + word, not colour alone)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from supatui.ui.state import MARKS, Status, WizardState


class Stepper(OptionList):
    """Select a step (Enter or click) to go to it; finished steps can be revisited and re-run."""

    def __init__(self, titles: dict[str, str], *, id: str | None = None, compact: bool = False) -> None:  # noqa: A002
        super().__init__(id=id)
        self.titles = titles
        self.compact = compact  # the sidebar: the guide's short step names, status on the same line
        self.border_title = "Steps"

    def update_from(self, state: WizardState, current: str | None) -> None:
        highlighted = self.highlighted
        options = []
        # The status starts one space after the longest name: "Migrations … checking" is 26 cells, what the
        # sidebar has at 80 columns (a fixed column of 14 pushed it to 29 and wrapped the word onto its own row).
        column = max(len(step_id) for step_id in state.step_ids) + 1
        for number, step_id in enumerate(state.step_ids, start=1):
            status = state.steps[step_id].status
            label = Text()
            label.append("▸ " if step_id == current else "  ", style="bold")
            name = step_id.capitalize() if self.compact else self.titles[step_id]
            label.append(f"{number}. {name}", style="bold" if step_id == current else "")
            label.append(" " * max(1, column - len(name)) if self.compact else "\n     ")
            label.append(f"{MARKS[status]} {status.value}", style=_STATUS_STYLE[status])
            options.append(Option(label, id=step_id))
        self.set_options(options)  # one update, not one per option
        if current in state.step_ids:
            self.highlighted = state.step_ids.index(current)
        elif highlighted is not None:
            self.highlighted = highlighted


_STATUS_STYLE: dict[Status, str] = {
    Status.CHECKING: "italic",
    Status.PENDING: "",
    Status.RUNNING: "bold reverse",
    Status.DONE: "bold",
    Status.FAILED: "bold underline",
}
