"""What every step is given: the walkthrough's inputs, its secrets and a cancel token.

``WalkthroughConfig`` is plain data and may be saved (it holds no secret); ``Secrets`` is
never saved, and its repr is masked so it cannot leak through a log or a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from supatui.core.early import EarlyWork
from supatui.core.redact import register_secret
from supatui.core.runner import CancelToken

if TYPE_CHECKING:  # annotations only: the URL parser is not needed before the wizard's first frame
    from supatui.core.connstr import ConnectionTarget, Mode

PACKAGE_MANAGERS = ("npm", "pnpm", "yarn", "bun")


@dataclass
class Secrets:
    """Passwords for this run. Registered with the redactor as soon as they are set."""

    admin_password: str | None = None  # the `postgres` role (step 1 runs as it)
    prisma_password: str | None = None  # the `prisma` role the steps create

    def __post_init__(self) -> None:
        register_secret(self.admin_password)
        register_secret(self.prisma_password)

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, str):
            register_secret(value)
        super().__setattr__(name, value)

    def draft(self, name: str, value: str | None) -> None:
        """Hold a value still being typed without registering it: every prefix of a password would
        otherwise become a redaction secret and mask unrelated text ("post" in "postgres")."""
        if name not in ("admin_password", "prisma_password"):
            raise AttributeError(name)
        object.__setattr__(self, name, value)

    def commit(self) -> None:
        """Register the current values with the redactor (a field was left, or a step starts)."""
        register_secret(self.admin_password)
        register_secret(self.prisma_password)

    def __repr__(self) -> str:
        return "Secrets(admin_password=****, prisma_password=****)"


@dataclass
class WalkthroughConfig:
    """The inputs of the six steps (no secrets)."""

    project_dir: Path
    target: ConnectionTarget | None = None
    mode: Mode = "session"
    package_manager: str = "npm"
    prisma_major: int | None = None  # None: latest (7); 6 pins prisma@6
    role: str = "prisma"
    admin_user: str = "postgres"
    sample_row: bool = True
    sandbox: bool = False
    # Step 1 may replace the password of an existing role whose password is not known here (the
    # person chose it: everything using the old password stops working). Never by default.
    new_prisma_password: bool = False


@dataclass
class StepContext:
    config: WalkthroughConfig
    secrets: Secrets = field(default_factory=Secrets)
    cancel: CancelToken = field(default_factory=CancelToken)
    early: EarlyWork = field(default_factory=EarlyWork)  # later steps' work started before their turn (--yes)
