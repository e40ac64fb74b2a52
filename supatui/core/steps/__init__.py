"""The six steps of Supabase's *Connecting with Prisma* guide, in order."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the base's imports are not needed to list the steps' ids and titles
    from supatui.core.steps.base import AnyStep

STEP_IDS: tuple[str, ...] = ("role", "project", "connection", "migrations", "client", "test")
# The steps' titles, known without importing the steps (psycopg & co. load later): the welcome shows
# them at once (tests/test_step_titles.py checks they match each Step.title).
TITLES: dict[str, str] = {
    "role": "Create the prisma role",
    "project": "Create the Prisma project",
    "connection": "Write the connection string to .env",
    "migrations": "Create the tables (migrations)",
    "client": "Install and generate Prisma Client",
    "test": "Run a test script",
}
_MODULES = {
    "role": ("supatui.core.steps.role", "RoleStep"),
    "project": ("supatui.core.steps.project", "ProjectStep"),
    "connection": ("supatui.core.steps.connection", "ConnectionStep"),
    "migrations": ("supatui.core.steps.migrations", "MigrationsStep"),
    "client": ("supatui.core.steps.client", "ClientStep"),
    "test": ("supatui.core.steps.testscript", "TestStep"),
}


def get_step(step_id: str) -> AnyStep:
    module_name, class_name = _MODULES[step_id]
    cls = getattr(importlib.import_module(module_name), class_name)
    step: AnyStep = cls()
    return step


def all_steps() -> list[AnyStep]:
    return [get_step(step_id) for step_id in STEP_IDS]
