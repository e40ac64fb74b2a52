"""Step 3: the connection string for the ``prisma`` role, tested, then written to ``.env``.

The URL is built from the Connect dialog's parts (ref, pooler host copied as is, mode), with
the password percent-encoded; it is tried as ``prisma`` through that exact URL before anything
is written, so a wrong host or ref fails here with advice instead of later inside Prisma.

Keys: transaction mode writes DATABASE_URL (6543, ``pgbouncer=true&connection_limit=1``) and
DIRECT_URL (session port, for migrations). Session and direct mode write the same URL to both
keys, so Prisma 6's ``directUrl`` and Prisma 7's ``prisma.config.ts`` work in every mode. A Prisma 6
schema made before transaction mode was chosen (the wizard asks for the mode here, after step 2) gets
``directUrl = env("DIRECT_URL")``, else its migrations would go through the 6543 pooler.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from supatui.core.connstr import MODES, ConnectionTarget, Mode, UrlError, parse_url, prisma_env, validate_host, validate_ref
from supatui.core.context import StepContext
from supatui.core.database import PASSWORD_HINT_ROLE, connect, current_user
from supatui.core.envfile import EnvUpdate, compute_update, plan_env, read_values, write_env
from supatui.core.errors import InputError, StepFailed, SupatuiError
from supatui.core.events import Emit, Event, EventKind, discard
from supatui.core.files import gitignore_update, plan_write, read_text, write_file
from supatui.core.inputs import MODE, POOLER_HOST, PRISMA_PASSWORD_CURRENT, REF
from supatui.core.plan import Check, Plan
from supatui.core.prisma import templates
from supatui.core.prisma.recipes import choose_recipe
from supatui.core.result import StepResult
from supatui.core.session import env_path, resolve_prisma_password
from supatui.core.steps.base import Step
from supatui.core.steps.role import first_working_password

STEP = "connection"
ENV_HEADER = "Supabase (Connecting with Prisma, step 3; written by supatui)"


@dataclass(frozen=True)
class ConnectionDecision:
    target: ConnectionTarget
    mode: Mode
    password: str | None  # None: not known yet (step 1 sets it); run then fails with advice
    update: EnvUpdate  # what writing .env does (with the real password, or **** as a placeholder)


class ConnectionStep(Step[ConnectionDecision]):
    id = "connection"
    inputs = (REF, POOLER_HOST, MODE, PRISMA_PASSWORD_CURRENT)
    title = "Write the connection string to .env"
    why = ("Prisma reads DATABASE_URL from .env. On Supabase it goes through Supavisor: the user is prisma.<ref>, "
           "port 5432 in session mode (servers) or 6543 in transaction mode (serverless, with DIRECT_URL on 5432 "
           "for migrations). Special characters in the password must be percent-encoded.")

    def validate(self, ctx: StepContext) -> dict[str, str]:
        errors: dict[str, str] = {}
        target = ctx.config.target
        if ctx.config.mode not in MODES:
            errors["mode"] = f"'{ctx.config.mode}' is not a mode: use session, transaction or direct."
        if target is None:
            errors["ref"] = "Enter the project ref (or paste the connection string from the Connect dialog)."
            errors["pooler_host"] = "Enter the pooler host, copied from the Connect dialog."
            return errors
        if (message := validate_ref(target.ref)) is not None:
            errors["ref"] = message
        if ctx.config.mode != "direct" and (message := validate_host(target.pooler_host)) is not None:
            errors["pooler_host"] = message
        if ctx.config.mode == "direct" and target.direct_host and (message := validate_host(target.direct_host)):
            errors["direct_host"] = message
        return errors

    def _inputs(self, ctx: StepContext, emit: Emit = discard, *, need_password: bool = True
                ) -> tuple[ConnectionTarget, Mode, str | None]:
        errors = self.validate(ctx)
        if errors:
            field, message = next(iter(errors.items()))
            raise InputError(message, "Fix the input and run the step again.", field=field)
        assert ctx.config.target is not None
        password = resolve_prisma_password(ctx, emit)
        if password is None and need_password:
            raise StepFailed(STEP, f"The password of the {ctx.config.role} role is not known.",
                             "Run step 1 first (it sets and stores it), or set SUPATUI_PRISMA_PASSWORD.",
                             code="no-password")
        return ctx.config.target, ctx.config.mode, password

    def values(self, ctx: StepContext) -> dict[str, str]:
        """The ``.env`` values this step writes (real password; never show them unmasked)."""
        target, mode, password = self._inputs(ctx)
        assert password is not None
        return prisma_env(target, ctx.config.role, password, mode)

    def decide(self, ctx: StepContext) -> ConnectionDecision:
        target, mode, password = self._inputs(ctx, need_password=False)
        values = prisma_env(target, ctx.config.role, "****" if password is None else password, mode)
        return ConnectionDecision(target, mode, password, compute_update(env_path(ctx), values, header=ENV_HEADER))

    def plan_for(self, ctx: StepContext, decision: ConnectionDecision) -> Plan:
        mode, update = decision.mode, decision.update
        plan = Plan(STEP)
        if decision.password is None:
            plan.notes.append("The password comes from step 1 (set when it runs); shown here as ****.")
        plan.notes.append(f"First a test connection as {ctx.config.role} through DATABASE_URL ({mode} mode), then "
                          f"{env_path(ctx).name} is written; other keys and comments stay, the old file is backed up.")
        plan.notes.extend(update.problems())
        if (ignore := gitignore_update(env_path(ctx).parent)) is not None:  # before the password is on disk
            plan.actions.append(plan_write(ignore[0], ignore[1], "keep .env, its backups and temp files out of git"))
        plan.actions.append(plan_env(update, f"set {', '.join(update.replaced + update.added) or 'nothing'}"))
        if (schema := _schema_needing_direct_url(ctx)) is not None:
            plan.actions.append(plan_write(schema, templates.with_direct_url(read_text(schema) or ""),
                                           "Prisma 6 migrations use DIRECT_URL, not the transaction pooler"))
        return plan

    def run_for(self, ctx: StepContext, emit: Emit, decision: ConnectionDecision) -> StepResult:
        if not self.validate(ctx) and resolve_prisma_password(ctx, emit) is None:
            self._password_from_other_projects(ctx, emit)
        target, mode, password = self._inputs(ctx, emit)  # the password may have been set since (step 1 ran)
        assert password is not None
        values = prisma_env(target, ctx.config.role, password, mode)
        for key in dict.fromkeys(values):
            if key == "DIRECT_URL" and values[key] == values["DATABASE_URL"]:
                continue
            ctx.cancel.raise_if_cancelled(STEP)
            self._try(ctx, key, values[key], emit)
        ctx.cancel.raise_if_cancelled(STEP)
        write_env(env_path(ctx), values, header=ENV_HEADER, step=STEP, emit=emit)
        if (schema := _schema_needing_direct_url(ctx)) is not None:
            write_file(schema, templates.with_direct_url(read_text(schema) or ""), step=STEP, emit=emit,
                       description="Prisma 6 migrations use DIRECT_URL (session port): added directUrl to")
        return StepResult(STEP)

    def _password_from_other_projects(self, ctx: StepContext, emit: Emit) -> None:
        """Without a keyring the password lives in the .env of the folder step 1 ran in; in a new folder on the
        same ref, step 1 shows done (its catalog checks do not log in), so try those passwords here, one login
        each, as step 1 does, instead of stopping with 'run step 1 first'."""
        found, _ = first_working_password(ctx)
        if found is not None:
            source, ctx.secrets.prisma_password = found
            emit(Event(STEP, EventKind.INFO, f"Using the {ctx.config.role} password from {source}."))

    def _try(self, ctx: StepContext, key: str, url: str, emit: Emit) -> str:
        """Connect through ``url`` as the role; return current_user. Raises StepFailed with advice."""
        emit(Event(STEP, EventKind.INFO, f"Testing {key}: connecting as {ctx.config.role}…"))
        try:
            with connect(url, password_hint=PASSWORD_HINT_ROLE) as conn:
                user = current_user(conn)
        except SupatuiError as exc:
            raise StepFailed(STEP, f"{key} does not connect: {exc.message}", exc.hint, code=exc.code) from None
        if user != ctx.config.role:
            raise StepFailed(STEP, f"{key} connects as '{user}', not '{ctx.config.role}'.",
                             "Check the user part of the URL (it must be <role>.<ref> on the pooler).", code="wrong-role")
        emit(Event(STEP, EventKind.INFO, f"{key} connects as {user}."))
        return user

    def is_done(self, ctx: StepContext) -> bool:
        """.env holds this step's URLs for the known password, and they connect: it logs in only through the URL
        the project itself uses (read-only ``select current_user``)."""
        return all(check.ok for check in self.verify(ctx))

    def verify(self, ctx: StepContext, result: StepResult | None = None) -> list[Check]:
        path = env_path(ctx)
        if not path.is_file():
            return [Check(f"{path.name} exists", False, f"no {path} yet: run step 3")]
        try:
            found = read_values(path)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            return [Check(f"{path.name} parses", False, f"{type(exc).__name__}: {exc}")]
        checks = [Check(f"{path.name} parses", True, "python-dotenv reads it")]
        try:
            expected = self.values(ctx)
        except SupatuiError as exc:
            checks.append(Check("expected connection string known", False, exc.message))
            return checks
        for key, want in expected.items():
            have = found.get(key)
            checks.append(Check(_url_label(key, want, ctx), have == want,
                                "" if have == want else ("missing" if have is None else "differs: run step 3 again")))
        for key in dict.fromkeys(expected):
            url = found.get(key)
            if not url or (key == "DIRECT_URL" and url == found.get("DATABASE_URL")):
                continue
            try:
                with connect(url, connect_timeout=10, password_hint=PASSWORD_HINT_ROLE) as conn:
                    user = current_user(conn)
            except SupatuiError as exc:
                checks.append(Check(f"{key} connects", False, exc.one_line()))
                continue
            checks.append(Check(f"{key} connects as {ctx.config.role}", user == ctx.config.role, f"current_user = {user}"))
        if (schema := _schema_needing_direct_url(ctx)) is not None:
            checks.append(Check('prisma/schema.prisma has directUrl = env("DIRECT_URL")', False,
                                f"{schema}: without it Prisma 6 migrates through DATABASE_URL, the transaction "
                                "pooler; run step 3 again"))
        elif ctx.config.mode == "transaction" and _prisma6_schema(ctx) is not None:
            checks.append(Check('prisma/schema.prisma has directUrl = env("DIRECT_URL")', True,
                                "Prisma 6 migrates through DIRECT_URL"))
        return checks


def _prisma6_schema(ctx: StepContext) -> Path | None:
    """The schema of a Prisma 6 project (it holds the URLs itself), or None."""
    folder = Path(ctx.config.project_dir)
    schema = folder / "prisma" / "schema.prisma"
    if not schema.is_file() or choose_recipe(folder, ctx.config.prisma_major).major != 6:
        return None
    return schema


def _schema_needing_direct_url(ctx: StepContext) -> Path | None:
    """A Prisma 6 schema in transaction mode that would send migrations to DATABASE_URL (6543), or None."""
    if ctx.config.mode != "transaction" or (schema := _prisma6_schema(ctx)) is None:
        return None
    text = read_text(schema) or ""
    return schema if templates.with_direct_url(text) != text else None



def _url_label(key: str, want: str, ctx: StepContext) -> str:
    """Which string the key must hold: DIRECT_URL is the session one when the app itself uses transaction mode."""
    mode = ctx.config.mode
    target = ctx.config.target
    if key == "DIRECT_URL" and target is not None and mode == "transaction":
        with contextlib.suppress(UrlError):
            mode = "session" if parse_url(want).port == target.session_port else mode
    suffix = " (for migrations)" if key == "DIRECT_URL" else ""
    return f"{key} is the {mode}-mode URL for {ctx.config.role}{suffix}"
