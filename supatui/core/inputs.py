"""The inputs a step declares: typed fields that the wizard's form and the CLI both render from.

A field's ``name`` is the key ``Step.validate`` uses for its message, so no front end keeps
its own list of keys. ``group`` ties fields drawn as one widget (the connection parts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from supatui.core.context import PACKAGE_MANAGERS

Kind = Literal["text", "secret", "choice", "path"]


@dataclass(frozen=True)
class Field:
    name: str  # the key validate() reports under, and the widget id
    label: str
    kind: Kind = "text"
    choices: tuple[tuple[str, str], ...] = ()  # (label, value) for kind "choice"
    group: str = ""  # "connection": drawn together by the connection form
    flag: str = ""  # the `supatui run` flag that sets it ("" : environment only, e.g. passwords)
    generate: bool = False  # a secret that can be generated (a Generate button)


REF = Field("ref", "Project ref", group="connection", flag="--ref")
POOLER_HOST = Field("pooler_host", "Pooler host", group="connection", flag="--pooler-host")
MODE = Field("mode", "Connection mode", "choice",
             (("Session (5432)", "session"), ("Transaction (6543)", "transaction"), ("Direct", "direct")),
             group="connection", flag="--mode")
ADMIN_PASSWORD = Field("admin_password", "Password of the `{admin}` role (Database settings → Reset password if "
                       "you lost it)", "secret")
# Step 1 creates the role or finds it: its password is the new one or the current one (the plan says which).
PRISMA_PASSWORD = Field("prisma_password", "Password of the `{role}` role (empty: generated for a new role, the known "
                        "one for an existing role)", "secret", generate=True)
# Step 3 only uses the role step 1 made: its current password, never a new one (so no Generate button).
PRISMA_PASSWORD_CURRENT = Field("prisma_password", "Password of the `{role}` role (empty: the one step 1 set or found)",
                                "secret")
PROJECT_DIR = Field("project_dir", "Project folder (created if missing)", "path", flag="--dir")
PACKAGE_MANAGER = Field("package_manager", "Package manager", "choice", tuple((pm, pm) for pm in PACKAGE_MANAGERS),
                        flag="--pm")
PRISMA_MAJOR = Field("prisma_major", "Prisma version", "choice",
                     (("Latest Prisma (7)", ""), ("Prisma 6 (as in the guide)", "6")), flag="--prisma")
