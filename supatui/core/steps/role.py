"""Step 1: create the ``prisma`` role with the guide's ten statements, safely and re-runnably.

Runs as the admin (``postgres``) through the session pooler. The password is generated unless
given (config, keyring, ``SUPATUI_PRISMA_PASSWORD``), and kept in the keyring, never in our files.
Verification reads the catalogs, so a role made by hand in the SQL editor is detected as done.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import errors as pgerrors

from supatui.core import secrets
from supatui.core.connstr import ConnectionTarget, admin_mode, validate_host, validate_ref
from supatui.core.context import StepContext
from supatui.core.database import (
    PASSWORD_HINT_ADMIN,
    Connection,
    connect_target,
    query_one,
)
from supatui.core.errors import InputError, StepFailed, SupatuiError
from supatui.core.events import Emit, Event, EventKind
from supatui.core.inputs import ADMIN_PASSWORD, POOLER_HOST, PRISMA_PASSWORD, REF
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
from supatui.core.session import ENV_PRISMA_PASSWORD, resolve_prisma_password
from supatui.core.steps.base import Step

__all__ = ["RoleStep", "admin_mode", "resolve_prisma_password", "step1_sql_for_editor"]

STEP = "role"


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


class RoleStep(Step[RoleState]):
    id = "role"
    inputs = (REF, POOLER_HOST, ADMIN_PASSWORD, PRISMA_PASSWORD)
    title = "Create the prisma role"
    why = ("Prisma gets its own database user, so its activity can be watched and its password rotated apart from "
           "postgres. BYPASSRLS lets it see every row; CREATEDB lets `prisma migrate dev` make its shadow database; "
           "granting it to postgres lets the Dashboard show what it creates.")

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

    def _password_works(self, ctx: StepContext, password: str) -> bool:
        target = ctx.config.target
        assert target is not None
        try:
            with connect_target(target, ctx.config.role, password, admin_mode(target), connect_timeout=5):
                return True
        except SupatuiError:
            return False

    def _probe(self, ctx: StepContext) -> RoleState:
        """Look (read only) whether the role exists and whether our password already works."""
        if self.validate(ctx):
            return RoleState(None, None)
        try:
            with self._admin(ctx, timeout=5) as conn:
                exists = query_one(conn, "select 1 from pg_roles where rolname = %s", (ctx.config.role,)) is not None
        except SupatuiError:
            return RoleState(None, None)
        password = resolve_prisma_password(ctx)
        current = exists and password is not None and self._password_works(ctx, password)
        return RoleState(exists, current)

    # --- decide / plan ---
    def decide(self, ctx: StepContext) -> RoleState:
        return self._probe(ctx)

    def plan_for(self, ctx: StepContext, decision: RoleState) -> Plan:
        role, admin = ctx.config.role, ctx.config.admin_user
        state = decision
        plan = Plan(STEP)
        statements = guide_statements(role, "****", exists=bool(state.exists), admin=admin,
                                      include_password=not state.password_current)
        for statement in statements:
            plan.actions.append(SqlAction(statement.shown, _describe(statement)))
        if state.exists is None:
            plan.notes.append(f"If role {role} already exists, `alter user \"{role}\" with password '****'` runs "
                              "instead of `create user` (checked in pg_roles first).")
        elif state.password_current:
            plan.notes.append(f"Role {role} exists and its password is current: the password is left unchanged.")
        elif state.exists:
            plan.notes.append(f"Role {role} exists: its password will be set, the grants re-applied (safe to repeat).")
        if ctx.secrets.prisma_password is None:
            plan.notes.append("A strong password will be generated and stored in the OS keyring (service supatui).")
        plan.notes.append(f"Runs as {admin} through the {admin_mode(ctx.config.target) if ctx.config.target else 'session'}"
                          " connection; the password is shown as '****'.")
        return plan

    # --- run ---
    def run_for(self, ctx: StepContext, emit: Emit, decision: RoleState) -> StepResult:
        # pg_roles is read again inside the admin connection (a role made in between is still handled); whether
        # the password is current comes from the decision when it was made for this same password.
        target = self._require_valid(ctx)
        role, admin = ctx.config.role, ctx.config.admin_user
        password = resolve_prisma_password(ctx, emit, generate=True)
        assert password is not None
        notices: list[str] = []
        with self._admin(ctx) as conn:
            conn.add_notice_handler(lambda diag: notices.append(f"{diag.severity}: {diag.message_primary}"))
            exists = self._exists(conn, role)
            known = decision.password_current if decision.exists and password == ctx.secrets.prisma_password else None
            current = exists and (known if known is not None else self._password_works(ctx, password))
            if current:
                emit(Event(STEP, EventKind.INFO, f"Role {role} exists and its password is current; not changing it."))
            for statement in guide_statements(role, password, exists=exists, admin=admin, include_password=not current):
                ctx.cancel.raise_if_cancelled(STEP)
                try:
                    self._execute(conn, statement, emit, notices)
                except psycopg.Error as exc:
                    if not (statement.kind == "create" and self._means_exists(conn, exc, role)):
                        raise self._failure(conn, exc, statement) from None
                    emit(Event(STEP, EventKind.INFO, f"Role {role} already exists; setting its password instead.",
                               {"sqlstate": exc.sqlstate}))
                    alter = guide_statements(role, password, exists=True, admin=admin)[0]
                    try:
                        self._execute(conn, alter, emit, notices)
                    except psycopg.Error as exc2:
                        raise self._failure(conn, exc2, alter) from None
        self._store_password(target.ref, role, password, emit)
        return StepResult(STEP)

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
    def _store_password(ref: str, role: str, password: str, emit: Emit) -> None:
        try:
            if secrets.get_password(ref, role) != password:
                secrets.set_password(ref, role, password)
                emit(Event(STEP, EventKind.INFO, f"Stored the {role} password in the OS keyring (supatui, {ref}/{role})."))
        except secrets.KeyringUnavailable as exc:
            emit(Event(STEP, EventKind.WARNING, f"{exc.message} — the {role} password was not stored; it lives only "
                       "in this run and in the .env file step 3 writes.", {"hint": exc.hint}))

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
            works = self._password_works(ctx, password)
            checks.append(Check(f"{role} logs in with the stored password", works,
                                "" if works else "password differs: run step 1 again to set it"))
        return checks

    def _catalog_checks(self, ctx: StepContext) -> list[Check]:
        role, admin = ctx.config.role, ctx.config.admin_user
        with self._admin(ctx) as conn:
            attrs = query_one(conn, ROLE_ATTRS, (role,))
            if attrs is None:
                return [Check(f"role {role} exists", False, "not in pg_roles: run step 1")]
            checks = [Check(f"role {role} exists", True, "in pg_roles")]
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


def explain_sql_failure(exc: psycopg.Error, statement: Statement, version: int) -> StepFailed:
    """What a failed statement means; ``version`` is the server's major (15 explains the supautils case)."""
    primary = exc.diag.message_primary or str(exc).strip().splitlines()[0]
    detail = exc.diag.message_detail or ""
    sqlstate = exc.sqlstate or ""
    message = f"{statement.shown} failed: {primary}" + (f" ({detail})" if detail else "") + f" [{sqlstate}]"
    if statement.kind == "create" and isinstance(exc, pgerrors.InsufficientPrivilege):
        if "superuser" in primary and version and version < 16:
            hint = (f"PostgreSQL {version} lets only a superuser create a BYPASSRLS role. Supabase's PG15 allows it "
                    "through its supautils extension; this server has no supautils. Run the SQL as a superuser "
                    "(supatui can print it: the SQL editor script), or use PostgreSQL 16 or newer.")
        else:
            hint = ("The admin user lacks the rights to create a BYPASSRLS/CREATEDB role (it needs CREATEROLE and "
                    "those attributes itself). Run step 1 as postgres on Supabase, or as a superuser elsewhere.")
        return StepFailed(STEP, message, hint, code="create-role-denied")
    if isinstance(exc, pgerrors.InsufficientPrivilege) and "reserved" in primary:
        return StepFailed(STEP, message, "Supabase reserves this role; choose another role name.", code="reserved-role")
    if isinstance(exc, psycopg.OperationalError):
        return StepFailed(STEP, message, "The connection dropped; run the step again (it is safe to repeat).",
                          code="connection-lost")
    return StepFailed(STEP, message, "Run the step again (it is safe to repeat); if it fails the same way, "
                      "run the SQL editor script by hand to see the full error.", code=f"sql-{sqlstate}")


def _describe(statement: Statement) -> str:
    return {"create": "create the role", "alter": "set the role's password", "grant": "grant",
            "default": "default privileges for objects postgres creates later"}[statement.kind]
