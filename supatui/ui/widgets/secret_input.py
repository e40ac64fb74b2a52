"""A password field whose messages never carry the value in their repr.

Textual's debug log (TEXTUAL_LOG, devtools) records every message it dispatches; a plain
Input's Changed/Submitted/Blurred messages would write each keystroke of a password there.
Handlers written for ``Input.Changed`` still receive these (they are subclasses).
"""

from __future__ import annotations

from dataclasses import dataclass

import rich.repr
from textual.widgets import Input


def _masked(message: Input.Changed | Input.Submitted | Input.Blurred) -> rich.repr.Result:
    yield "input", message.input.id
    yield "value", "****"


class SecretInput(Input):
    @dataclass
    class Changed(Input.Changed):
        def __repr__(self) -> str:
            return f"SecretInput.Changed(input={self.input.id!r}, value='****')"

        __rich_repr__ = _masked

    @dataclass
    class Submitted(Input.Submitted):
        def __repr__(self) -> str:
            return f"SecretInput.Submitted(input={self.input.id!r}, value='****')"

        __rich_repr__ = _masked

    @dataclass
    class Blurred(Input.Blurred):
        def __repr__(self) -> str:
            return f"SecretInput.Blurred(input={self.input.id!r}, value='****')"

        __rich_repr__ = _masked
