"""What a running step tells its listeners: the UI's live log, the headless console, a test.

Every event's text is redacted when the event is made, so no listener can leak a secret.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from supatui.core.redact import redact


class EventKind(StrEnum):
    STEP_STARTED = "step_started"
    SQL = "sql"  # a statement about to run (text: the statement, masked)
    SQL_DONE = "sql_done"  # text: the status (e.g. "CREATE ROLE"); data: notices
    COMMAND = "command"  # text: the command line as shown; data: argv, cwd, env_names
    OUTPUT = "output"  # one line a command printed; data: stream
    COMMAND_EXIT = "command_exit"  # data: returncode, seconds
    FILE_WRITTEN = "file_written"  # text: path; data: backup
    INFO = "info"
    WARNING = "warning"
    CHECK = "check"  # a verify result; data: ok
    STEP_DONE = "step_done"
    STEP_SKIPPED = "step_skipped"
    STEP_FAILED = "step_failed"


def _redact_data(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        return [_redact_data(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _redact_data(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class Event:
    step: str
    kind: EventKind
    text: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", redact(self.text))
        object.__setattr__(self, "data", _redact_data(dict(self.data)))

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "kind": str(self.kind), "text": self.text, "data": dict(self.data), "at": self.at}


Emit = Callable[[Event], None]


def discard(_event: Event) -> None:
    """An ``Emit`` that drops events (when nobody listens)."""
