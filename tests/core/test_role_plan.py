"""Step 1's plan says what its run will do for a role that already exists (no login while planning).

In a second project on the same sandbox the plan said "its password is not known here: the step stops" and listed
`alter user ... with password`, while the run found the password in the first project's .env and changed nothing.
An existing role's password is only ever changed when the person chose a new one, so the plan lists that statement
only then, and it names the passwords the run will try."""

from __future__ import annotations

from pathlib import Path

from supatui.core.connstr import ConnectionTarget
from supatui.core.context import Secrets, StepContext, WalkthroughConfig
from supatui.core.projects import remember
from supatui.core.steps.role import RoleState, RoleStep

TARGET = ConnectionTarget("abcdefghijklmnopqrst", "127.0.0.1", 5432, 6543)


def _ctx(project: Path, **config: object) -> StepContext:
    return StepContext(WalkthroughConfig(project_dir=project, target=TARGET, **config),  # type: ignore[arg-type]
                       Secrets(admin_password="admin-pw"))


def test_existing_role_with_a_password_in_another_project(tmp_path: Path, monkeypatch: object) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / ".env").write_text(f'DATABASE_URL="postgresql://prisma.{TARGET.ref}:Known-pw-1@127.0.0.1:5432/postgres"\n')
    remember(TARGET.ref, "prisma", first)
    plan = RoleStep().plan_for(_ctx(second), RoleState(exists=True, password_current=False, attributes_ok=True))
    notes = " ".join(plan.notes)
    assert str(first / ".env") in notes and "stops rather than" in notes
    assert not any("with password" in action.statement for action in plan.sql)


def test_a_chosen_new_password_is_planned(tmp_path: Path) -> None:
    plan = RoleStep().plan_for(_ctx(tmp_path, new_prisma_password=True),
                               RoleState(exists=True, password_current=False, attributes_ok=True))
    assert any("with password" in action.statement for action in plan.sql)
    assert "NEW password" in " ".join(plan.notes)
