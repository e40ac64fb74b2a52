"""Learn mode: the attendee does a step by hand; these checks say whether it is done and what is missing.

Read-only by construction: every database read runs in a read-only transaction, nothing is
written to the folder, and no saved state is needed, so a project made by hand from the guide
(or Prisma's docs) is judged as fairly as one supatui made. ``supatui check`` and the wizard's
"I'll do it myself" panel both call :func:`check_world`.
"""

from __future__ import annotations

from supatui.core.learn.model import Finding, StepReport
from supatui.core.learn.world import check_step, check_world

__all__ = ["Finding", "StepReport", "check_step", "check_world"]
