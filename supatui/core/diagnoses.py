"""Known problems: match an error text against them and say cause, fix and source.

The catalogue (``diagnoses_catalogue``) is data; this module holds the types and the matcher
used by the headless run, the wizard and ``supatui diagnose``. Excerpts are masked twice:
registered secrets via :func:`redact`, and any password still sitting in a pasted URL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from supatui.core.redact import MASK, redact

_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@\"']+:)([^\s\"'<>]+)@(?=[^\s@\"']*(?:[\s\"'<>]|$))", re.I)
_KEYWORD_PASSWORD = re.compile(r"\b((?:PG)?PASSWORD\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|\S+)", re.I)


def mask_text(text: str) -> str:
    """Redact registered secrets, then mask passwords in URLs and ``password=`` pairs of pasted text."""
    text = redact(text)
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + "@", text)
    return _KEYWORD_PASSWORD.sub(lambda m: m.group(1) + MASK, text)


@dataclass(frozen=True)
class Diagnosis:
    """One known problem. ``example`` is a line as a user sees it (README, self-test)."""

    id: str
    title: str
    patterns: tuple[re.Pattern[str], ...]
    cause: str
    fix: str
    doc: str
    applies_to_steps: tuple[str, ...] = ()
    example: str = ""
    priority: int = 2  # 1 generic … 4 very specific: the more specific explanation ranks first

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "cause": self.cause, "fix": self.fix, "doc": self.doc,
                "applies_to_steps": list(self.applies_to_steps), "example": self.example}


@dataclass(frozen=True)
class Match:
    diagnosis: Diagnosis
    excerpt: str  # the matched line, masked
    score: int = 0

    def to_json(self) -> dict[str, Any]:
        return {**self.diagnosis.to_json(), "excerpt": self.excerpt, "score": self.score}

    def render(self) -> str:
        """Plain text, one screen: title, what matched, cause, fix, source."""
        d = self.diagnosis
        return "\n".join([d.title, f"  seen:  {self.excerpt}", f"  cause: {d.cause}", f"  fix:   {d.fix}",
                          f"  docs:  {d.doc}"])


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
) -> Diagnosis:
    """Build a Diagnosis, compiling its patterns case-insensitively."""
    compiled = tuple(re.compile(p, re.IGNORECASE) for p in patterns)
    return Diagnosis(id, title, compiled, cause, fix, doc, tuple(steps), example, priority)


def sqlstate(code: str) -> str:
    """A pattern for a SQLSTATE as drivers print it (``SQLSTATE 42P05``, ``code: '42P05'``, ``(42P05)``)."""
    return rf"(?:sqlstate|code|error)\W{{0,4}}{code}\b|\({code}\)|\b{code}:"


def _excerpt(text: str, start: int, end: int, width: int = 220) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    if len(line) > width:
        offset = max(0, start - line_start - width // 3)
        line = ("…" if offset else "") + line[offset : offset + width].strip() + "…"
    return mask_text(line)


def catalogue() -> tuple[Diagnosis, ...]:
    from supatui.core.diagnoses_catalogue import CATALOGUE

    return CATALOGUE


def get(diagnosis_id: str) -> Diagnosis:
    for diagnosis in catalogue():
        if diagnosis.id == diagnosis_id:
            return diagnosis
    raise KeyError(diagnosis_id)


def diagnose(text: str, step: str | None = None) -> list[Match]:
    """Every known problem the text shows, best first (most specific, then fits the step, then most hits)."""
    if not text or not text.strip():
        return []
    found: list[tuple[int, int, Match]] = []
    for diagnosis in catalogue():
        hits = [m for m in (p.search(text) for p in diagnosis.patterns) if m]
        if not hits:
            continue
        first = min(hits, key=lambda m: m.start())
        score = diagnosis.priority * 10 + min(len(hits), 4)
        if step and step in diagnosis.applies_to_steps:
            score += 5
        found.append((score, -first.start(), Match(diagnosis, _excerpt(text, first.start(), first.end()), score)))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [match for _, _, match in found]


def best(text: str, step: str | None = None) -> Match | None:
    matches = diagnose(text, step)
    return matches[0] if matches else None
