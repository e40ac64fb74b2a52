"""The plan preview: exactly what Run will do, secrets already masked by the core."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual.widgets import Static

from supatui.core.plan import CommandAction, FileAction, Plan, SqlAction

SYNTAX_THEME = "ansi_dark"


def render_plan(plan: Plan) -> RenderableType:
    parts: list[RenderableType] = []
    for note in plan.notes:
        parts.append(Text(f"Note: {note}", style="italic"))
    for number, action in enumerate(plan.actions, start=1):
        if isinstance(action, SqlAction):
            parts.append(Text(f"{number}. SQL{': ' + action.description if action.description else ''}", style="bold"))
            parts.append(Syntax(action.render(), "sql", theme=SYNTAX_THEME, background_color="default", word_wrap=True))
        elif isinstance(action, CommandAction):
            parts.append(Text(f"{number}. Command{': ' + action.description if action.description else ''}", style="bold"))
            line = Text("   $ ", style="bold")
            line.append(action.render())
            line.append(f"   (in {action.cwd})", style="italic")
            parts.append(line)
            if action.env_names:
                parts.append(Text(f"   environment: {', '.join(action.env_names)} (values hidden)", style="italic"))
        elif isinstance(action, FileAction):
            title = f"{number}. Write {action.path}"
            if action.backup:
                title += f" (old copy kept at {action.backup})"
            parts.append(Text(title, style="bold"))
            if action.diff:
                parts.append(Syntax(action.render(), "diff", theme=SYNTAX_THEME, background_color="default", word_wrap=True))
            else:
                parts.append(Text("   (unchanged)", style="italic"))
    if not parts:
        parts.append(Text("Nothing to do: this step is already in place."))
    return Group(*parts)


class PlanPreview(Static, can_focus=True):
    """Re-rendered whenever the inputs change.

    Focusable, so the keys alone can read a long plan: Tab lands on it (its top comes into view) and Up/Down/PgUp/
    PgDn, which a Static does not bind, scroll the step under it; without it Tab went from the form to the live log
    and no key reached scrolled the step back up to the plan."""

    plain = ""  # the plan as plain text (what the headless mode prints; tests read it)

    def on_mount(self) -> None:
        self.border_title = "Plan: what Run will do"

    def show(self, plan: Plan | None, problem: str = "") -> None:
        if plan is None:
            self.plain = problem or "Fill in the fields above to see the plan."
            self.update(Text(self.plain, style="italic"))
        else:
            self.plain = plan.render_text()
            self.update(render_plan(plan))
