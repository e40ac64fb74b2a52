"""One login on an explicit action: the wizard's "Test connection" and its check of a typed prisma password.

Issue 10 defect 2: Supavisor trips a circuit breaker after repeated failed logins (``Circuit breaker
open … too many authentication failures``, notes supabase §4) and Supabase bans IPs that keep
failing, so nothing here loops: each call makes at most ONE login, only with complete, validated
input, and a refused password is reported as such ("not retried") for the person to fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from supatui.core.connstr import admin_mode, prisma_env
from supatui.core.context import StepContext
from supatui.core.database import PASSWORD_HINT_ADMIN, PASSWORD_HINT_ROLE, connect, connect_target
from supatui.core.errors import SupatuiError
from supatui.core.session import resolve_prisma_password  # no login: given, keyring, env, .env

__all__ = ["TESTABLE", "LoginTest", "check_role_password", "try_login"]

TESTABLE = ("role", "connection")  # the steps whose inputs are a login
TIMEOUT = 10


@dataclass(frozen=True)
class LoginTest:
    """What one login attempt found; ``attempted`` is False when the input was not complete."""

    ok: bool
    message: str
    attempted: bool = True
    code: str = ""


def _refused(exc: SupatuiError, who: str) -> LoginTest:
    if exc.code == "auth-failed":
        return LoginTest(False, f"The password for {who} was refused. Not retried (the pooler blocks repeated "
                         f"failed logins): correct it, then test again. {exc.hint}".strip(), code=exc.code)
    return LoginTest(False, exc.one_line(), code=exc.code)


def _incomplete(errors: dict[str, str]) -> LoginTest | None:
    if not errors:
        return None
    return LoginTest(False, f"Not tested: {next(iter(errors.values()))}", attempted=False, code="input")


def try_login(step_id: str, ctx: StepContext, errors: dict[str, str]) -> LoginTest:
    """One login for a step's inputs: as the admin (role step) or through the URL the connection step writes.

    ``errors`` is the step's own validation of ``ctx``: anything there and no login is made.
    """
    if (incomplete := _incomplete(errors)) is not None:
        return incomplete
    target = ctx.config.target
    if target is None:
        return LoginTest(False, "Not tested: enter the project ref and pooler host first.", attempted=False,
                         code="input")
    if step_id == "role":
        who = ctx.config.admin_user
        try:
            connect_target(target, who, ctx.secrets.admin_password, admin_mode(target), connect_timeout=TIMEOUT,
                           password_hint=PASSWORD_HINT_ADMIN).close()
        except SupatuiError as exc:
            return _refused(exc, who)
        return LoginTest(True, f"Connected as {who} ({admin_mode(target)} connection).")
    if step_id == "connection":
        password = resolve_prisma_password(ctx)
        role = ctx.config.role
        if password is None:
            return LoginTest(False, f"Not tested: the {role} password is not known yet (step 1 sets it).",
                             attempted=False, code="no-password")
        url = prisma_env(target, role, password, ctx.config.mode)["DATABASE_URL"]
        try:
            connect(url, connect_timeout=TIMEOUT, password_hint=PASSWORD_HINT_ROLE).close()
        except SupatuiError as exc:
            return _refused(exc, role)
        return LoginTest(True, f"DATABASE_URL connects as {role} ({ctx.config.mode} mode).")
    return LoginTest(False, "This step has no connection to test.", attempted=False, code="input")


def check_role_password(ctx: StepContext, password: str) -> LoginTest:
    """One login as the role with a password the person typed (the existing one, not changed)."""
    target = ctx.config.target
    role = ctx.config.role
    if target is None or not password:
        return LoginTest(False, f"Type the existing {role} password first.", attempted=False, code="input")
    try:
        connect_target(target, role, password, admin_mode(target), connect_timeout=TIMEOUT,
                       password_hint=PASSWORD_HINT_ROLE).close()
    except SupatuiError as exc:
        return _refused(exc, role)
    return LoginTest(True, f"The {role} password is right; step 1 keeps it.")
