"""The prisma password field says what it is: step 3 asked for the password "for the new `prisma` role (empty: one is
generated)" although step 3 only uses the role step 1 made (empty there fails; Generate made a password no role
has), and step 1 said "new" for a role that may already exist (then the password is its current one)."""

from __future__ import annotations

from textual.widgets import Button, Label

from supatui.core.steps.connection import ConnectionStep
from supatui.core.steps.project import ProjectStep
from supatui.core.steps.role import RoleStep
from tests.ui.conftest import SMALL, AppFactory
from tests.ui.fakes import INPUTS
from tests.ui.helpers import settle


def test_the_fake_steps_declare_the_real_fields() -> None:
    assert {"role": RoleStep.inputs, "project": ProjectStep.inputs, "connection": ConnectionStep.inputs} == INPUTS


async def _labels(make_app: AppFactory, step_id: str) -> tuple[list[str], bool]:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.show_step(step_id)
        await settle(pilot)
        labels = [str(label.render()) for label in app.screen.query(".field-label").results(Label)]
        generate = any(True for _ in app.screen.query("#prisma_password-generate").results(Button))
        return [label for label in labels if "`prisma`" in label], generate


async def test_step_3_asks_for_the_existing_password(make_app: AppFactory) -> None:
    (label,), generate = await _labels(make_app, "connection")
    assert "new" not in label and "generated" not in label, label
    assert "step 1" in label, label  # where an empty field takes it from
    assert not generate  # a generated password would be no role's password


async def test_step_1_does_not_call_an_existing_role_new(make_app: AppFactory) -> None:
    (label,), generate = await _labels(make_app, "role")
    assert "the new `prisma`" not in label, label
    assert "existing" in label and "generated" in label, label  # both cases, as the plan then says which
    assert generate
