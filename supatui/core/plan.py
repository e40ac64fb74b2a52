"""A plan is the exact list of actions a step will take, shown before it runs.

The plan is the single source of what the UI preview, the headless output, the transcript,
the replay script and the tests see. Texts in a plan are already masked.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from supatui.core.redact import redact


@dataclass(frozen=True)
class SqlAction:
    statement: str  # masked: passwords appear as '****'
    description: str = ""

    def render(self) -> str:
        return redact(self.statement.rstrip().rstrip(";") + ";")


@dataclass(frozen=True)
class CommandAction:
    argv: tuple[str, ...]
    cwd: Path
    env_names: tuple[str, ...] = ()  # names of env vars the command gets (never values)
    description: str = ""

    def render(self) -> str:
        return redact(shlex.join(self.argv))


@dataclass(frozen=True)
class FileAction:
    path: Path
    diff: str  # unified diff against what is on disk ("" when unchanged)
    description: str = ""
    backup: Path | None = None  # where the old file is copied first, if it exists

    def render(self) -> str:
        return redact(self.diff or f"(unchanged) {self.path}")


Action = SqlAction | CommandAction | FileAction


@dataclass
class Plan:
    step: str
    actions: list[Action] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the user should know before running

    @property
    def sql(self) -> list[SqlAction]:
        return [a for a in self.actions if isinstance(a, SqlAction)]

    @property
    def commands(self) -> list[CommandAction]:
        return [a for a in self.actions if isinstance(a, CommandAction)]

    @property
    def files(self) -> list[FileAction]:
        return [a for a in self.actions if isinstance(a, FileAction)]

    def render_text(self) -> str:
        """Plain-text preview, as the headless mode and the transcript show it."""
        lines: list[str] = []
        for note in self.notes:
            lines.append(f"# {redact(note)}")
        for action in self.actions:
            if isinstance(action, SqlAction):
                lines.append(action.render())
            elif isinstance(action, CommandAction):
                env = " ".join(f"{name}=…" for name in action.env_names)
                lines.append(f"$ {env + ' ' if env else ''}{action.render()}   (in {action.cwd})")
            else:
                lines.append(f"write {action.path}")
                if action.diff:
                    lines.append(action.render())
        return "\n".join(lines)


@dataclass(frozen=True)
class Check:
    """One post-condition checked against the world (database, disk), not against what ran."""

    name: str
    ok: bool
    detail: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "detail", redact(self.detail))
