"""Known problems: match an error text against them and say the fix, the cause and the sources.

One catalogue (``catalogue/``, split by family) is the only place cause-and-fix text lives: step errors
(``database.py``, ``steps/role.py``), the failure panel, the transcript, ``supatui diagnose`` and the README
table all read it. ``diagnose(text, step=None, command=…, url=…, prisma_major=…)`` returns ranked matches.
Excerpts are masked twice: registered secrets via ``redact``, and any password still sitting in a pasted URL.
"""

from __future__ import annotations

from supatui.core.diagnoses.catalogue import CATALOGUE, get
from supatui.core.diagnoses.match import best, diagnose
from supatui.core.diagnoses.model import Diagnosis, Match, make, mask_text, sqlstate

__all__ = ["CATALOGUE", "Diagnosis", "Match", "best", "catalogue", "diagnose", "get", "make", "mask_text", "sqlstate"]


def catalogue() -> tuple[Diagnosis, ...]:
    return CATALOGUE
