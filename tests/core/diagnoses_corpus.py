"""Load and score the corpus of real error pastes in tests/data/diagnoses/*.txt (format: its README.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from supatui.core.diagnoses import diagnose

CORPUS = Path(__file__).resolve().parents[1] / "data" / "diagnoses"
_ENTRY = re.compile(r"^### (?P<slug>\S+)\n(?P<head>(?:[a-z_]+: [^\n]*\n)+)>>>\n(?P<paste>.*?)\n<<<$", re.M | re.S)


@dataclass(frozen=True)
class Entry:
    slug: str
    file: str
    source: str
    expect: str
    fix: str
    fix_has: tuple[str, ...]  # each token: alternatives separated by |
    paste: str
    step: str | None = None
    command: str | None = None


@dataclass(frozen=True)
class Result:
    entry: Entry
    got: str | None
    right_problem: bool
    right_fix: bool

    @property
    def right(self) -> bool:
        return self.right_problem and self.right_fix


def load() -> list[Entry]:
    entries = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for m in _ENTRY.finditer(text):
            head = dict(line.split(": ", 1) for line in m.group("head").splitlines())
            entries.append(Entry(m.group("slug"), path.name, head["source"], head["expect"], head["fix"],
                                 tuple(t.strip() for t in head["fix_has"].split(";") if t.strip()), m.group("paste"),
                                 head.get("step"), head.get("command")))
    return entries


def score(entry: Entry) -> Result:
    matches = diagnose(entry.paste, entry.step, command=entry.command)
    if not matches:
        return Result(entry, None, False, False)
    top = matches[0].diagnosis
    fix = top.fix.lower()
    right_fix = all(any(alt.lower() in fix for alt in token.split("|")) for token in entry.fix_has)
    return Result(entry, top.id, top.id == entry.expect, right_fix)
