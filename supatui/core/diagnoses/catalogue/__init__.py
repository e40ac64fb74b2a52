"""The one catalogue of known problems, split by family (each file ≤ 400 lines).

Order matters only for ties: families listed first win a tie on score.
"""

from __future__ import annotations

from supatui.core.diagnoses.catalogue.migrations import MIGRATIONS
from supatui.core.diagnoses.catalogue.network import NETWORK
from supatui.core.diagnoses.catalogue.passwords import PASSWORDS
from supatui.core.diagnoses.catalogue.pooler import POOLER
from supatui.core.diagnoses.catalogue.prisma import PRISMA
from supatui.core.diagnoses.catalogue.privileges import PRIVILEGES
from supatui.core.diagnoses.catalogue.supavisor import SUPAVISOR
from supatui.core.diagnoses.catalogue.tooling import TOOLING
from supatui.core.diagnoses.model import Diagnosis

CATALOGUE: tuple[Diagnosis, ...] = SUPAVISOR + POOLER + MIGRATIONS + PRIVILEGES + PASSWORDS + NETWORK + PRISMA + TOOLING
_BY_ID = {d.id: d for d in CATALOGUE}


def get(diagnosis_id: str) -> Diagnosis:
    """The catalogue entry with this id (KeyError when there is none)."""
    return _BY_ID[diagnosis_id]
