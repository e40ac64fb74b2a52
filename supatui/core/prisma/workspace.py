"""What the Prisma steps (project, migrations, client, test) share: the folder, the package
manager, the recipe, running a command with a clear failure, and the URL from ``.env``.

Commands get no secret: the connection string reaches Prisma through ``.env`` only.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from supatui.core import database, packagemanager
from supatui.core.connstr import UrlError, parse_url
from supatui.core.context import StepContext
from supatui.core.database import Connection
from supatui.core.envfile import read_values
from supatui.core.errors import StepFailed, SupatuiError
from supatui.core.events import Emit
from supatui.core.plan import CommandAction
from supatui.core.prisma.engine import engine_download_error, engine_download_failed, output_tail
from supatui.core.prisma.recipes import INIT_PLACEHOLDER_URL, Recipe, choose_recipe
from supatui.core.redact import register_secret
from supatui.core.runner import CommandResult, run_command

TOOLS = ("prisma", "tsc", "tsx")  # the project's own binaries the steps run


@dataclass(frozen=True)
class Workspace:
    dir: Path
    pm: packagemanager.PackageManager
    recipe: Recipe
    # Tools run as ./node_modules/.bin/<tool>, the file `npx <tool>` (and pnpm exec, yarn run, bun x) ends up
    # running: the same program and project, without the manager's start-up each time (npx ~0.4 s per command
    # here). Fixed when the decision is made, so the plan shows the command that runs; a tool not installed yet
    # goes through the manager as the guide writes it.
    local_tools: frozenset[str] = frozenset()

    @property
    def schema(self) -> Path:
        return self.dir / "prisma" / "schema.prisma"

    def tool(self, program: str, *args: str) -> tuple[str, ...]:
        if program in self.local_tools:
            return (f"./node_modules/.bin/{program}", *args)
        return self.pm.exec(program, *args)

    def prisma(self, *args: str) -> tuple[str, ...]:
        return self.tool("prisma", *args)

    def action(self, argv: Sequence[str], description: str = "") -> CommandAction:
        return CommandAction(tuple(argv), self.dir, tuple(sorted(self.pm.env)), description)


def local_tools(project_dir: Path) -> frozenset[str]:
    """The TOOLS installed in the project's node_modules/.bin."""
    return frozenset(t for t in TOOLS if os.access(project_dir / "node_modules" / ".bin" / t, os.X_OK))


def workspace(ctx: StepContext) -> Workspace:
    project_dir = Path(ctx.config.project_dir).expanduser().resolve()
    return Workspace(project_dir, packagemanager.get(ctx.config.package_manager),
                     choose_recipe(project_dir, ctx.config.prisma_major), local_tools(project_dir))


def run_checked(
    ws: Workspace, ctx: StepContext, emit: Emit, step: str, argv: Sequence[str], *, what: str, hint: str,
) -> CommandResult:
    """Run ``argv`` in the project; a failed exit becomes StepFailed (engine download: its own code)."""
    result = run_command(argv, cwd=ws.dir, step=step, emit=emit, env=ws.pm.env or None, cancel=ctx.cancel)
    return judged(result, step, what=what, hint=hint)


def judged(result: CommandResult, step: str, *, what: str, hint: str) -> CommandResult:
    """``result`` when it exited 0; else the StepFailed run_checked raises (engine download: its own code)."""
    if result.ok:
        return result
    if engine_download_failed(result.text):
        raise engine_download_error(step, result.text)
    raise StepFailed(step, f"{what} failed (exit {result.returncode}).", hint, output=output_tail(result.text))


def read_env(project_dir: Path) -> dict[str, str]:
    """The project's ``.env`` as Prisma and dotenv read it (values registered as secrets); {} when unreadable."""
    try:
        values = {key: value for key, value in read_values(project_dir / ".env").items() if value is not None}
    except (OSError, UnicodeDecodeError):
        return {}
    for key in ("DATABASE_URL", "DIRECT_URL"):
        if key in values:
            with contextlib.suppress(UrlError):
                register_secret(parse_url(values[key]).password)
    return values


def cli_url(project_dir: Path, step: str) -> str:
    """The URL the Prisma CLI uses (DIRECT_URL, else DATABASE_URL), or a StepFailed saying to run step 3."""
    env = read_env(project_dir)
    url = env.get("DIRECT_URL") or env.get("DATABASE_URL") or ""
    if not url.startswith(("postgresql://", "postgres://")) or url == INIT_PLACEHOLDER_URL:
        raise StepFailed(
            step,
            f"{project_dir / '.env'} has no PostgreSQL DATABASE_URL yet"
            + (" (it still holds prisma init's placeholder)." if url else "."),
            "Run the connection step (3) first.",
            code="no-database-url", resume="connection",
        )
    return url


def connect(url: str, step: str) -> Connection:
    """A psycopg connection through ``url`` (Prisma-only parameters ignored, password as a kwarg)."""
    try:
        return database.connect(url, password_hint=database.PASSWORD_HINT_ROLE)
    except SupatuiError as exc:
        raise StepFailed(step, f"Cannot connect with the URL in .env: {exc.message}", exc.hint,
                         code=exc.code or "db-connect") from None
