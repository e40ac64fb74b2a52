"""Match a pasted error against the catalogue: normalise, read the context, score every fitting problem.

The score says how sure the match is: the problem's specificity (``priority``), how many of its wordings
appear, whether the failing step does what the problem is about, and what the context adds (``boost``).
A problem whose ``when`` does not hold for the context is not offered at all.
"""

from __future__ import annotations

from supatui.core.diagnoses.catalogue import CATALOGUE
from supatui.core.diagnoses.context import Context, normalise, read_context
from supatui.core.diagnoses.model import Diagnosis, Match, mask_text


def _excerpt(text: str, start: int, end: int, width: int = 220) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    if len(line) > width:
        offset = max(0, start - line_start - width // 3)
        line = ("…" if offset else "") + line[offset : offset + width].strip() + "…"
    return mask_text(line)


def _score(diagnosis: Diagnosis, ctx: Context) -> tuple[int, int, int] | None:
    """(score, start, end) of the first hit, or None when the problem does not fit."""
    hits = [m for m in (p.search(ctx.text) for p in diagnosis.patterns) if m]
    if not hits or (diagnosis.when is not None and not diagnosis.when(ctx)):
        return None
    first = min(hits, key=lambda m: m.start())
    score = diagnosis.priority * 10 + min(len(hits), 4)
    if ctx.step and ctx.step in diagnosis.applies_to_steps:
        score += 5
    if diagnosis.boost is not None:
        score += diagnosis.boost(ctx)
    return score, first.start(), first.end()


def diagnose(text: str, step: str | None = None, *, command: str | None = None, url: str | None = None,
             prisma_major: int | None = None, **_ignored: object) -> list[Match]:
    """Every known problem the text shows, best first.

    ``step`` is the supatui step that failed; ``command`` the command that ran; ``url`` the connection string in
    use (only its host and port are read); ``prisma_major`` the installed Prisma major. All are optional.
    """
    if not text or not text.strip():
        return []
    clean = normalise(text)
    ctx = read_context(clean, step, command, url, prisma_major)
    found: list[tuple[int, int, Match]] = []
    for diagnosis in CATALOGUE:
        scored = _score(diagnosis, ctx)
        if scored is None:
            continue
        score, start, end = scored
        found.append((score, -start, Match(diagnosis, _excerpt(clean, start, end), score)))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [match for _, _, match in found]


def best(text: str, step: str | None = None, **context: object) -> Match | None:
    matches = diagnose(text, step, **context)  # type: ignore[arg-type]
    return matches[0] if matches else None
