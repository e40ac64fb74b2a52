"""One instance per process, made on first use: the relay's and the pool's event-loop threads."""

from __future__ import annotations

import threading
from typing import ClassVar, Self


class PerProcess:
    """``get()`` returns the one instance of the subclass it is called on (made under a lock, once)."""

    _guard: ClassVar[threading.Lock] = threading.Lock()  # also guards what subclasses share between threads
    _made: ClassVar[dict[type, object]] = {}

    @classmethod
    def get(cls) -> Self:
        with cls._guard:
            made = cls._made.get(cls)
            if made is None:
                made = cls._made[cls] = cls()
            assert isinstance(made, cls)
            return made

    @classmethod
    def existing(cls) -> Self | None:
        """The instance if one was made (nothing is started for a caller that only asks)."""
        made = cls._made.get(cls)
        return made if isinstance(made, cls) else None
