"""Regenerate README's "When something fails" section from the diagnoses catalogue.

Usage: python scripts/gen_failures_doc.py [--check]   (--check: exit 1 when the README is stale)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from supatui.core.diagnoses import catalogue  # noqa: E402

START, END = "<!-- failures:start -->", "<!-- failures:end -->"
README = ROOT / "README.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _prose(text: str) -> str:
    """Escape ``<`` outside code spans, so ``<ref>`` is not read as an HTML tag."""
    parts = text.split("`")
    return _cell("`".join(p if i % 2 else p.replace("<", "&lt;") for i, p in enumerate(parts)))


def _code(text: str) -> str:
    ticks = "``" if "`" in text else "`"
    return f"{ticks} {_cell(text)} {ticks}" if ticks == "``" else f"`{_cell(text)}`"


def render() -> str:
    """The section body: a short intro and one table row per known problem."""
    rows = ["", f"supatui knows {len(catalogue())} problems. When a step fails it shows the matching one; for any "
            "error text run `supatui diagnose FILE` (or pipe it: `… 2>&1 | supatui diagnose -`). Check a connection "
            "string with `supatui url explain -` and this machine with `supatui doctor`.", "",
            "| Problem | What you see | What to do |", "|---|---|---|"]
    for d in catalogue():
        rows.append(f"| {_prose(d.title)} | {_code(d.example)} | {_prose(d.fix)} ([source]({d.doc})) |")
    rows.append("")
    return "\n".join(rows)


def updated(readme: str) -> str:
    head, sep, rest = readme.partition(START)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise SystemExit(f"README.md lacks the markers {START} / {END}")
    return f"{head}{START}\n{render()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    new = updated(current)
    if "--check" in argv:
        if new != current:
            print("README.md 'When something fails' is stale: run python scripts/gen_failures_doc.py", file=sys.stderr)
            return 1
        return 0
    if new != current:
        README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
