"""Step 1: create the ``prisma`` role with the guide's ten statements, safely and re-runnably.

Runs as the admin (``postgres``) through the session pooler. The password is generated unless
given (config, keyring, ``SUPATUI_PRISMA_PASSWORD``), and kept in the keyring, never in our files.
Verification reads the catalogs, so a role made by hand in the SQL editor is detected as done.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import errors as pgerrors

from supatui.core import projects, secrets
from supatui.core.connstr import ConnectionTarget, admin_mode, prisma_env, validate_host, validate_ref
from supatui.core.context import StepContext
from supatui.core.database import (
    PASSWORD_HINT_ADMIN,
    Connection,
    connect_target,
    query_one,
)
from supatui.core.diagnoses import best
from supatui.core.diagnoses import get as diagnosis
from supatui.core.envfile import write_env
from supatui.core.errors import InputError, StepFailed, SupatuiError
from supatui.core.events import Emit, Event, EventKind, discard
from supatui.core.inputs import ADMIN_PASSWORD, POOLER_HOST, PRISMA_PASSWORD, REF
from supatui.core.login import login_after_password_change
from supatui.core.plan import Check, Plan, SqlAction
from supatui.core.result import StepResult
from supatui.core.rolesql import (
    DEFAULT_ACL_KINDS,
    DEFAULT_ACL_NEEDS,
    DEFAULT_PRIVS,
    MEMBERSHIP,
    ROLE_ATTRS,
    SCHEMA_PRIVS,
    Statement,
    guide_statements,
    step1_sql_for_editor,
    validate_role_name,
)
from supatui.core.session import ENV_PRISMA_PASSWORD, env_path, password_from_env_file, resolve_prisma_password
from supatui.core.steps.base import Step

__all__ = ["RoleStep", "admin_mode", "resolve_prisma_password", "step1_sql_for_editor"]

STEP = "role"
ENV_HEADER = "Supabase (Connecting with Prisma, step 3; written by supatui)"  # = connection.ENV_HEADER
MAX_CANDIDATES = 3  # known passwords checked with one login each, never more (the pooler bans guessers)


def password_candidates(ctx: StepContext) -> list[tuple[str, str]]:
    """Passwords known for the role, where from: given, keyring, SUPATUI_PRISMA_PASSWORD, this project's
    .env, then other projects' .env for the same ref (projects.json). Distinct, at most MAX_CANDIDATES."""
    target = ctx.config.target
    found: list[tuple[str, str | None]] = [("given", ctx.secrets.prisma_password)]
    if target is not None:
        with contextlib.suppress(secrets.KeyringUnavailable):
            found.append(("the OS keyring", secrets.get_password(target.ref, ctx.config.role)))
        found.append((ENV_PRISMA_PASSWORD, os.environ.get(ENV_PRISMA_PASSWORD) or None))
        found.append((str(env_path(ctx)), password_from_env_file(ctx)))
        for other in projects.env_files(target.ref, ctx.config.role, exclude=Path(ctx.config.project_dir)):
            found.append((str(other), password_from_env_file(ctx, other)))
    out: list[tuple[str, str]] = []
    for source, password in found:
        if password and password not in {p for _, p in out}:
            out.append((source, password))
    return out[:MAX_CANDIDATES]


def password_works(ctx: StepContext, password: str) -> bool:
    """One login as the role with ``password`` (an explicit action's: run or verify, never a plan)."""
    target = ctx.config.target
    assert target is not None
    try:
        with connect_target(target, ctx.config.role, password, admin_mode(target), connect_timeout=5):
            return True
    except SupatuiError:
        return False


def first_working_password(ctx: StepContext) -> tuple[tuple[str, str] | None, list[str]]:
    """The first known password that logs in, as (source, password), and the sources tried before it: one login
    each, in password_candidates' order (steps 1 and 3 alike)."""
    tried: list[str] = []
    for source, candidate in password_candidates(ctx):
        if password_works(ctx, candidate):
            return (source, candidate), tried
        tried.append(source)
    return None, tried


def _target_errors(ctx: StepContext) -> dict[str, str]:
    target = ctx.config.target
    if target is None:
        return {"ref": "Enter the project ref.", "pooler_host": "Enter the pooler host from the Connect dialog."}
    errors: dict[str, str] = {}
    if (message := validate_ref(target.ref)) is not None:
        errors["ref"] = message
    needs_pooler = bool(target.pooler_host) or ctx.config.mode != "direct"
    if needs_pooler and (message := validate_host(target.pooler_host)) is not None:
        errors["pooler_host"] = message
    return errors


@dataclass(frozen=True)
class RoleState:
    exists: bool | None  # None: could not look
    password_current: bool | None
    attributes_ok: bool | None = None  # LOGIN, BYPASSRLS and CREATEDB all set (None: not looked)


class RoleStep(Step[RoleState]):
    id = "role"
    inputs = (REF, POOLER_HOST, ADMIN_PASSWORD, PRISMA_PASSWORD)
    title = "Create the prisma role"
    why = ("Prisma gets its own database user, so its activity can be watched and its password rotated apart from "
           "postgres. BYPASSRLS lets it see every row; CREATEDB lets `prisma migrate dev` make its shadow database; "
           "granting it to postgres lets the Dashboard show what it creates.")

    def __init__(self) -> None:
        self._seen: dict[tuple[str, ...], RoleState] = {}

    # --- inputs ---
    def validate(self, ctx: StepContext) -> dict[str, str]:
        errors = _target_errors(ctx)
        if (message := validate_role_name(ctx.config.role)) is not None:
            errors["role"] = message
        if not ctx.secrets.admin_password:
            errors["admin_password"] = ("Enter the database password of the postgres user (Dashboard → Project "
                                        "Settings → Database); headless: set SUPATUI_DB_PASSWORD.")
        return errors

    def _require_valid(self, ctx: StepContext) -> ConnectionTarget:
        errors = self.validate(ctx)
        if errors:
            field, message = next(iter(errors.items()))
            raise InputError(message, "Fix the input and run the step again.", field=field)
        assert ctx.config.target is not None
        return ctx.config.target

    def _admin(self, ctx: StepContext, timeout: int = 10) -> Connection:
        target = self._require_valid(ctx)
        try:
            return connect_target(target, ctx.config.admin_user, ctx.secrets.admin_password, admin_mode(target),
                                  connect_timeout=timeout, password_hint=PASSWORD_HINT_ADMIN)
        except SupatuiError as exc:
            raise StepFailed(STEP, f"Cannot connect as {ctx.config.admin_user}: {exc.message}", exc.hint,
                             code=exc.code) from None

    def _known_state(self, ctx: StepContext) -> RoleState:
        """What the last explicit action (verify, run) learned; deciding/planning never logs in (issue 10 defect
        2: the wizard re-plans while a password is being typed, and the pooler bans failed logins)."""
        return self._seen.get(_state_key(ctx), RoleState(None, None))

    # --- decide / plan ---
    def decide(self, ctx: StepContext) -> RoleState:
        return self._known_state(ctx)

    def plan_for(self, ctx: StepContext, decision: RoleState) -> Plan:
        role, admin = ctx.config.role, ctx.config.admin_user
        state = decision
        plan = Plan(STEP)
        # An existing role's password changes only when the person chose a new one (_choose_password)
        alters_password = not state.password_current and (not state.exists or ctx.config.new_prisma_password)
        statements = guide_statements(role, "****", exists=bool(state.exists), admin=admin,
                                      include_password=alters_password,
                                      fix_attributes=state.attributes_ok is False)
        for statement in statements:
            plan.actions.append(SqlAction(statement.shown, _describe(statement)))
        if state.exists is None:
            plan.notes.append(f"If role {role} already exists, `alter user \"{role}\" with password '****'` runs "
                              "instead of `create user` (checked in pg_roles first), and `alter user "
                              f"\"{role}\" with login bypassrls createdb` if it lacks one of those attributes.")
        elif state.password_current:
            plan.notes.append(f"Role {role} exists and its password is current: the password is left unchanged.")
        elif state.exists and ctx.config.new_prisma_password:
            plan.notes.append(f"Role {role} exists and its password is not known here: a NEW password will be set, as "
                              "you chose — everything using the old one stops working.")
        elif state.exists:
            known = [source for source, _ in password_candidates(ctx)]
            tries = (f"the step logs in once with each {role} password known here ({', '.join(known)}) and keeps "
                     "the one that works; if none does, it" if known else "its password is not known here: the step")
            plan.notes.append(f"Role {role} exists: {tries} stops rather than change it (give the password, or "
                              "choose to set a new one).")
        keyring = secrets.keyring_status()
        where = ("the OS keyring (service supatui)" if keyring.usable else
                 f"{env_path(ctx)} (mode 0600, gitignored first): there is no usable OS keyring here")
        if ctx.secrets.prisma_password is None and not state.exists:
            plan.notes.append(f"A strong password will be generated and kept in {where}.")
        else:
            plan.notes.append(f"The {role} password is kept in {where}.")
        plan.notes.append(f"Runs as {admin} through the {admin_mode(ctx.config.target) if ctx.config.target else 'session'}"
                          " connection; the password is shown as '****'.")
        return plan

    # --- run ---
    def run_for(self, ctx: StepContext, emit: Emit, decision: RoleState) -> StepResult:
        # pg_roles is read again inside the admin connection; the password is chosen there (never a silent change).
        target = self._require_valid(ctx)
        role, admin = ctx.config.role, ctx.config.admin_user
        notices: list[str] = []
        with self._admin(ctx) as conn:
            conn.add_notice_handler(lambda diag: notices.append(f"{diag.severity}: {diag.message_primary}"))
            attrs = query_one(conn, ROLE_ATTRS, (role,))
            exists = attrs is not None
            password, current = self._choose_password(ctx, exists, emit)
            lacking = exists and not all(attrs or ())
            if lacking:
                emit(Event(STEP, EventKind.INFO, f"Role {role} exists without all of LOGIN, BYPASSRLS and CREATEDB; "
                           "adding them (the guide's create user line gives them)."))
            for statement in guide_statements(role, password, exists=exists, admin=admin, include_password=not current,
                                              fix_attributes=lacking):
                ctx.cancel.raise_if_cancelled(STEP)
                try:
                    self._execute(conn, statement, emit, notices)
                except psycopg.Error as exc:
                    if not (statement.kind == "create" and self._means_exists(conn, exc, role)):
                        raise self._failure(conn, exc, statement) from None
                    raise StepFailed(STEP, f"Role {role} appeared while step 1 ran (someone else created it).",
                                     "Run the step again: it then checks the existing role's password first.",
                                     code="role-appeared") from None
        ctx.secrets.prisma_password = password
        if not current:  # we just set it: wait out the pooler's cached credentials, politely
            login_after_password_change(lambda: connect_target(target, role, password, admin_mode(target),
                                                               connect_timeout=10).close(),
                                        step=STEP, what=f"Logging in as {role}", emit=emit,
                                        cancelled=lambda: ctx.cancel.cancelled)
        self._seen[_state_key(ctx)] = RoleState(True, True, True)
        self._keep_password(ctx, target, password, emit)
        return StepResult(STEP)

    def _choose_password(self, ctx: StepContext, exists: bool, emit: Emit = discard) -> tuple[str, bool]:
        """(password, already current). An existing role keeps its password unless the person chose otherwise."""
        role = ctx.config.role
        if not exists:
            password = resolve_prisma_password(ctx, emit, generate=True)
            assert password is not None
            return password, False
        found, tried = first_working_password(ctx)
        if found is not None:
            source, candidate = found
            if tried:
                emit(Event(STEP, EventKind.INFO, f"Using the {role} password from {source}."))
            emit(Event(STEP, EventKind.INFO, f"Role {role} exists and its password is current; not changing it."))
            return candidate, True
        if not ctx.config.new_prisma_password:
            what = f"none of the known passwords ({', '.join(tried)}) logs in" if tried else "its password is not known here"
            raise StepFailed(STEP, f"Role {role} already exists and {what}; supatui will not change it, because "
                             "every app and deployment using it would stop working.",
                             f"Give its password (headless: {ENV_PRISMA_PASSWORD}), or choose to set a new one "
                             "(supatui run --new-prisma-password; the wizard's 'set a new password').",
                             code="prisma-password-unknown")
        emit(Event(STEP, EventKind.WARNING, f"Setting a NEW password for the existing role {role}, as asked: "
                   "everything that uses the old one stops working until it gets the new one."))
        # The person's own new password (typed, or SUPATUI_PRISMA_PASSWORD) if any, never a stale stored one.
        stored = {p for source, p in password_candidates(ctx) if source not in ("given", ENV_PRISMA_PASSWORD)}
        given = ctx.secrets.prisma_password
        return (given if given and given not in stored else secrets.generate_password()), False

    @staticmethod
    def _exists(conn: Connection, role: str) -> bool:
        return query_one(conn, "select 1 from pg_roles where rolname = %s", (role,)) is not None

    @staticmethod
    def _execute(conn: Connection, statement: Statement, emit: Emit, notices: list[str]) -> None:
        emit(Event(STEP, EventKind.SQL, statement.shown + ";"))
        notices.clear()
        with conn.cursor() as cur:
            cur.execute(statement.query)
            status = cur.statusmessage or ""
        emit(Event(STEP, EventKind.SQL_DONE, status, {"notices": list(notices), "statement": statement.shown}))

    def _means_exists(self, conn: Connection, exc: psycopg.Error, role: str) -> bool:
        """42710 (PG16+) or 42501 (PG15 + supautils) on ``create user`` when the role is in fact there."""
        if isinstance(exc, pgerrors.DuplicateObject):
            return True
        if isinstance(exc, pgerrors.InsufficientPrivilege):
            try:
                return self._exists(conn, role)
            except psycopg.Error:
                return False
        return False

    def _failure(self, conn: Connection, exc: psycopg.Error, statement: Statement) -> StepFailed:
        version = conn.info.server_version // 10000 if not conn.closed else 0
        return explain_sql_failure(exc, statement, version)

    @staticmethod
    def _keep_password(ctx: StepContext, target: ConnectionTarget, password: str, emit: Emit) -> None:
        """Keyring when there is one; else the project's .env (0600, gitignored first), so it survives."""
        role = ctx.config.role
        projects.remember(target.ref, role, Path(ctx.config.project_dir))
        try:
            if secrets.get_password(target.ref, role) != password:
                secrets.set_password(target.ref, role, password)
                emit(Event(STEP, EventKind.INFO, f"Stored the {role} password in the OS keyring (supatui, "
                           f"{target.ref}/{role})."))
            return
        except secrets.KeyringUnavailable as exc:
            emit(Event(STEP, EventKind.WARNING, f"{exc.message} — the {role} password is kept in "
                       f"{env_path(ctx)} instead (mode 0600, listed in .gitignore).", {"hint": exc.hint}))
        write_env(env_path(ctx), prisma_env(target, role, password, ctx.config.mode), header=ENV_HEADER,
                  step=STEP, emit=emit)

    # --- is_done / verify ---
    def is_done(self, ctx: StepContext) -> bool:
        """The catalogs (read as the admin, with the password the user gave) show the role with its attributes,
        grants and default privileges. It does not try to log in as the role with a password it only guesses
        (keyring, .env): that is the full verify's job, after a run or when asked."""
        if self.validate(ctx):
            return False
        return all(check.ok for check in self._catalog_checks(ctx))

    def verify(self, ctx: StepContext, result: StepResult | None = None) -> list[Check]:
        role = ctx.config.role
        checks = self._catalog_checks(ctx)
        if not checks[0].ok:
            return checks
        password = resolve_prisma_password(ctx)
        if password is None:
            checks.append(Check(f"{role} password known", False, "not given, not in the keyring nor "
                                f"{ENV_PRISMA_PASSWORD}: run step 1 to set one"))
        else:
            works = password_works(ctx, password)
            seen = self._seen.get(_state_key(ctx), RoleState(True, None))
            self._seen[_state_key(ctx)] = RoleState(True, works, seen.attributes_ok)
            checks.append(Check(f"{role} logs in with the stored password", works,
                                "" if works else "password differs: run step 1 again to set it"))
        return checks

    def _catalog_checks(self, ctx: StepContext) -> list[Check]:
        role, admin = ctx.config.role, ctx.config.admin_user
        with self._admin(ctx) as conn:
            attrs = query_one(conn, ROLE_ATTRS, (role,))
            if attrs is None:
                self._seen[_state_key(ctx)] = RoleState(False, False)
                return [Check(f"role {role} exists", False, "not in pg_roles: run step 1")]
            checks = [Check(f"role {role} exists", True, "in pg_roles")]
            known = self._seen.get(_state_key(ctx), RoleState(True, None))
            self._seen[_state_key(ctx)] = RoleState(True, known.password_current, all(attrs))
            for name, value in zip(("can log in", "bypasses RLS", "may create databases"), attrs, strict=True):
                checks.append(Check(f"{role} {name}", bool(value), "" if value else "attribute missing: run step 1 again"))
            members = query_one(conn, MEMBERSHIP, (role, admin))
            count = int(members[0]) if members else 0
            checks.append(Check(f"{role} granted to {admin}", count > 0,
                                f"{count} row(s) in pg_auth_members" if count else "missing: run step 1 again"))
            row = query_one(conn, SCHEMA_PRIVS, (role,))
            privs = set(row[0]) if row else set()
            missing = {"USAGE", "CREATE"} - privs
            checks.append(Check(f"{role} may use and create in schema public", not missing,
                                f"missing {', '.join(sorted(missing))}" if missing else "USAGE, CREATE"))
            with conn.cursor() as cur:
                cur.execute(DEFAULT_PRIVS, (admin, role))
                defaults = {str(kind): set(p) for kind, p in cur.fetchall()}
            for kind, word in DEFAULT_ACL_KINDS.items():
                lacking = DEFAULT_ACL_NEEDS[kind] - defaults.get(kind, set())
                checks.append(Check(f"default privileges: {admin}'s new {word} in public go to {role}", not lacking,
                                    f"missing {', '.join(sorted(lacking))}" if lacking else "ALL"))
        return checks


def _state_key(ctx: StepContext) -> tuple[str, ...]:
    t = ctx.config.target
    return (t.ref, t.pooler_host, str(t.session_port), ctx.config.role) if t else ("", "", "", ctx.config.role)


def explain_sql_failure(exc: psycopg.Error, statement: Statement, version: int) -> StepFailed:
    """What a failed statement means; ``version`` is the server's major (15 explains the supautils case)."""
    primary = exc.diag.message_primary or str(exc).strip().splitlines()[0]
    detail = exc.diag.message_detail or ""
    sqlstate = exc.sqlstate or ""
    message = f"{statement.shown} failed: {primary}" + (f" ({detail})" if detail else "") + f" [{sqlstate}]"
    if statement.kind == "create" and isinstance(exc, pgerrors.InsufficientPrivilege):
        if "superuser" in primary and version and version < 16:
            stock = diagnosis("bypassrls-stock-pg15")
            hint = f"{stock.cause} {stock.fix}"
        else:
            hint = diagnosis("role-attribute-denied").fix
        return StepFailed(STEP, message, hint, code="create-role-denied")
    if isinstance(exc, pgerrors.InsufficientPrivilege) and "reserved" in primary:
        return StepFailed(STEP, message, diagnosis("reserved-role").fix, code="reserved-role")
    if isinstance(exc, psycopg.OperationalError):
        return StepFailed(STEP, message, diagnosis("connection-lost").fix, code="connection-lost")
    known = best(f"{message}\n{exc}", STEP)
    return StepFailed(STEP, message, known.diagnosis.fix if known else "Run the step again (it is safe to repeat); if "
                      "it fails the same way, run the SQL editor script by hand to see the full error.",
                      code=f"sql-{sqlstate}")


def _describe(statement: Statement) -> str:
    return {"create": "create the role", "alter": "set the role's password",
            "attributes": "give the existing role LOGIN, BYPASSRLS and CREATEDB", "grant": "grant",
            "default": "default privileges for objects postgres creates later"}[statement.kind]
