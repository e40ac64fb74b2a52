"""The types of the known-problems catalogue: one ``Diagnosis`` per problem, one ``Match`` per fit to a text."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from supatui.core.redact import mask_text as mask_text  # the one masker (redact.py), re-exported

if TYPE_CHECKING:
    from supatui.core.diagnoses.context import Context

STEPS = ("role", "project", "connection", "migrations", "client", "test")


Predicate = Callable[["Context"], bool]
Boost = Callable[["Context"], int]


@dataclass(frozen=True)
class Diagnosis:
    """One known problem: how it shows (``patterns``), why (``cause``), what to do first (``fix``).

    ``when`` must hold for the problem to be considered (read from the paste's context: port, host kind,
    command, Prisma major); ``boost`` adds to the score when the context makes it likelier. ``tell`` says how
    to tell it apart from the problem it is most often confused with. ``example`` is a line as a user sees it.
    """

    id: str
    title: str
    patterns: tuple[re.Pattern[str], ...]
    cause: str
    fix: str
    doc: str
    applies_to_steps: tuple[str, ...] = ()
    example: str = ""
    priority: int = 2  # 1 generic … 5 very specific: the more specific explanation ranks first
    tell: str = ""
    sources: tuple[str, ...] = ()
    when: Predicate | None = field(default=None, compare=False, repr=False)
    boost: Boost | None = field(default=None, compare=False, repr=False)

    @property
    def all_sources(self) -> tuple[str, ...]:
        return (self.doc, *self.sources)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "cause": self.cause, "fix": self.fix, "tell": self.tell,
                "doc": self.doc, "sources": list(self.all_sources), "applies_to_steps": list(self.applies_to_steps),
                "example": self.example}


@dataclass(frozen=True)
class Match:
    diagnosis: Diagnosis
    excerpt: str  # the matched line, masked
    score: int = 0

    def to_json(self) -> dict[str, Any]:
        return {**self.diagnosis.to_json(), "excerpt": self.excerpt, "score": self.score}

    def render(self) -> str:
        """Plain text, one screen: title, what matched, fix first, cause, how to tell apart, sources."""
        d = self.diagnosis
        lines = [d.title, f"  seen:  {self.excerpt}", f"  fix:   {d.fix}", f"  cause: {d.cause}"]
        if d.tell:
            lines.append(f"  tell:  {d.tell}")
        lines.append(f"  docs:  {d.doc}")
        lines.extend(f"         {url}" for url in d.sources)
        return "\n".join(lines)


def make(
    id: str,  # noqa: A002 - the field's name
    title: str,
    patterns: Sequence[str],
    cause: str,
    fix: str,
    doc: str,
    steps: Sequence[str] = (),
    example: str = "",
    priority: int = 2,
    *,
    tell: str = "",
    sources: Sequence[str] = (),
    when: Predicate | None = None,
    boost: Boost | None = None,
) -> Diagnosis:
    """Build a Diagnosis, compiling its patterns case-insensitively."""
    compiled = tuple(re.compile(p, re.IGNORECASE) for p in patterns)
    return Diagnosis(id, title, compiled, cause, fix, doc, tuple(steps), example, priority, tell, tuple(sources),
                     when, boost)


def sqlstate(code: str) -> str:
    """A pattern for a SQLSTATE as drivers print it (``SQLSTATE 42P05``, ``code: '42P05'``, ``E42P05``)."""
    return rf"(?:sqlstate|code|error)\W{{0,4}}E?{code}\b|\({code}\)|\b{code}:|SqlState\(\"?E?{code}"
