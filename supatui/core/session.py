"""The one builder of a run's context: flags, environment, saved state, keyring and sandbox.

``supatui run``, the wizard and the tests all call :func:`build_context` (posting's
``make_posting()`` is the model). The precedence is written here once:

=================  ==========================================================================
input              first found wins
=================  ==========================================================================
project folder     ``--dir`` > ``./hello-prisma``
ref, host, ports   the sandbox > ``--url`` > ``--ref``/``--pooler-host`` (+ endpoint flags) > saved state
mode, pm, prisma,  flags > the sandbox's defaults or the saved state > defaults
role, sample row
admin password     the sandbox > ``SUPATUI_DB_PASSWORD`` > keyring > the pasted ``--url`` > a prompt
prisma password    ``SUPATUI_PRISMA_PASSWORD`` (here); then, when a step needs it,
                   :func:`resolve_prisma_password`: keyring > environment > the project's ``.env``
=================  ==========================================================================

Nothing here starts a server or imports a front end: a running sandbox is passed in as a
:class:`SandboxEndpoint` (``supatui.sandbox`` returns one), a prompt as a callable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from supatui.core import projectdir, secrets
from supatui.core.connstr import ConnectionTarget, UrlError, parse_url, target_from_url, validate_host, validate_ref
from supatui.core.context import Secrets, StepContext, WalkthroughConfig
from supatui.core.envfile import read_values
from supatui.core.errors import InputError
from supatui.core.events import Emit, Event, EventKind, discard
from supatui.core.redact import register_secret
from supatui.core.state import check_state, config_from_saved, load_state, mode_value

DEFAULT_DIR = projectdir.DEFAULT_DIR
ENV_DB_PASSWORD = "SUPATUI_DB_PASSWORD"
ENV_PRISMA_PASSWORD = "SUPATUI_PRISMA_PASSWORD"
ENDPOINT_KEYS = ("session_port", "transaction_port", "direct_host", "direct_port")

Prompt = Callable[[str], str]


class SandboxEndpoint(Protocol):
    """What a running sandbox tells the builder (``supatui.sandbox.SandboxInfo`` has these)."""

    @property
    def target(self) -> ConnectionTarget: ...

    @property
    def postgres_password(self) -> str: ...


@dataclass(frozen=True)
class RunOptions:
    """Every input a front end can pass (``supatui run`` flags, the wizard's launch flags, a test)."""

    project_dir: Path | None = None
    sandbox: bool = False
    url: str | None = None
    ref: str | None = None
    pooler_host: str | None = None
    mode: str | None = None
    package_manager: str | None = None
    prisma_major: int | None = None
    role: str | None = None
    sample_row: bool = True
    new_prisma_password: bool = False  # step 1 may replace an existing role's unknown password (issue 10)
    endpoint: Mapping[str, object] = field(default_factory=dict)  # session_port, transaction_port, direct_host, …


@dataclass
class Session:
    """A built context plus what the saved state says about the steps (the wizard shows them as done)."""

    ctx: StepContext
    done: set[str] = field(default_factory=set)


def project_dir_for(options: RunOptions, *, create: bool = True) -> Path:
    """The project folder, refused in one line when it cannot be one (supatui.core.projectdir); created if asked."""
    path = projectdir.resolve(options.project_dir)
    return projectdir.ensure(path) if create else path


def build_context(
    options: RunOptions,
    *,
    env: Mapping[str, str] | None = None,
    sandbox: SandboxEndpoint | None = None,
    prompt: Prompt | None = None,
    need_target: bool = True,
    read_keyring: bool = True,
    create_dir: bool = True,
    known_password: bool = False,
) -> Session:
    """The context for a run (headless: ``need_target``; the wizard asks for what is missing instead).

    ``read_keyring=False`` leaves the keyring for later (the wizard reads it in a thread: a locked
    Secret Service can hang). ``known_password`` (check): without ``need_target``, the admin's password
    when it is known without asking, by run's precedence (environment > keyring > the --url's).
    """
    env = os.environ if env is None else env
    project_dir = project_dir_for(options, create=False)  # created below, once every input is known good
    if create_dir:
        check_state(project_dir)  # a damaged state.json is said before its parts are read
    saved = load_state(project_dir)
    done = {step for step, record in saved.steps.items() if record.get("status") == "done"}
    config = config_from_saved(project_dir, saved.config) if saved.config else WalkthroughConfig(project_dir)
    if sandbox is not None or options.sandbox:  # the choices it was made with, not its target (the sandbox's own)
        config.target = None
        done = set()  # a sandbox may be another one now: the steps are checked again
    config.sandbox = sandbox is not None or options.sandbox
    url_password: str | None = None
    placeholder = ""
    admin_password: str | None = None
    if sandbox is not None:
        config.target = sandbox.target
        admin_password = sandbox.postgres_password
    elif not config.sandbox:
        url_password, placeholder = _apply_target(options, config)
        if config.target is None and need_target:
            raise InputError("No database given.",
                             "Pass --url (from the Connect dialog) or --ref and --pooler-host, or try --sandbox.",
                             field="ref")
        _apply_endpoint(options, config)
    apply_choices(options, config)
    if create_dir:  # False: a read-only caller (check)
        projectdir.ensure(project_dir)
    if admin_password is None and config.target is not None and need_target:
        admin_password = _admin_password(config, url_password, env, prompt, read_keyring, placeholder)
    elif admin_password is None and known_password:
        admin_password = known_admin_password(config, env, from_url=url_password, read_keyring=read_keyring)
    prisma_password = (env.get(ENV_PRISMA_PASSWORD) or None) if need_target else None  # the wizard asks
    ctx = StepContext(config, Secrets(admin_password=admin_password, prisma_password=prisma_password))
    if need_target:
        resolve_prisma_password(ctx, read_keyring=read_keyring, env=env)  # a rerun without a keyring finds it in .env
    return Session(ctx, done)


def sandbox_context(sandbox: SandboxEndpoint, project_dir: Path, **choices: object) -> StepContext:
    """A context whose inputs all come from a running sandbox (nothing to type)."""
    options = RunOptions(project_dir=project_dir, sandbox=True, **choices)  # type: ignore[arg-type]
    return build_context(options, sandbox=sandbox, need_target=False).ctx


def _apply_target(options: RunOptions, config: WalkthroughConfig) -> tuple[str | None, str]:
    """The database from ``--url`` or ``--ref``/``--pooler-host`` (+ endpoint flags).

    Returns the URL's admin password and the placeholder it held instead (``[YOUR-PASSWORD]``, never tried).
    """
    url_password: str | None = None
    placeholder = ""
    if options.url:
        target, mode, url_password, role = _target_from_url(options.url)
        if problem := validate_ref(target.ref):  # said now, as for --ref: not after step 2 started
            raise InputError(f"The --url's project ref: {problem}",
                             "Copy the string again from Supabase's Connect dialog (Session pooler).", field="url")
        placeholder = parse_url(options.url).password_placeholder
        config.target = target
        config.mode = mode_value(mode)
        if role != "postgres":
            url_password = None  # only the admin's password is useful from a pasted URL
        register_secret(url_password)
    elif options.ref is not None or options.pooler_host is not None:
        problem = validate_ref(options.ref or "")
        if problem:
            raise InputError(problem, "Pass --ref with your project ref.", field="ref")
        if options.mode != "direct" or options.pooler_host is not None:  # direct mode needs no pooler
            problem = validate_host(options.pooler_host or "")
            if problem:
                raise InputError(problem, "Pass --pooler-host only the host from the Connect dialog (a port goes in "
                                 "--session-port).", field="pooler_host")
        config.target = ConnectionTarget(ref=options.ref or "", pooler_host=options.pooler_host or "")
    return url_password, placeholder


def _apply_endpoint(options: RunOptions, config: WalkthroughConfig) -> None:
    """Non-standard ports or direct host (advanced flags) over the target."""
    overrides = {key: value for key, value in options.endpoint.items() if key in ENDPOINT_KEYS and value is not None}
    _check_endpoint_flags(overrides)
    if overrides and config.target is not None:
        config.target = replace(config.target, **overrides)  # type: ignore[arg-type]


def _target_from_url(url: str) -> tuple[ConnectionTarget, str, str | None, str]:
    """(target, mode, password, role) from a pasted Connect-dialog URL (a placeholder password is None)."""
    try:
        target, mode = target_from_url(url)
        parsed = parse_url(url)
    except UrlError as exc:
        raise InputError(f"The --url is not a valid connection string: {exc}",
                         "Copy it again from Supabase's Connect dialog (Session pooler).", field="url") from None
    return target, mode, parsed.password, parsed.role


def _check_endpoint_flags(overrides: Mapping[str, object]) -> None:
    """Ports in range and a bare host name, before anything tries to connect."""
    for key, value in overrides.items():
        flag = "--" + key.replace("_", "-")
        if key.endswith("_port") and not (isinstance(value, int) and 0 < value < 65536):
            raise InputError(f"{flag} {value} is not a port number.",
                             f"Pass {flag} a port between 1 and 65535 (Supabase uses 5432 and 6543).", field=key)
        if key == "direct_host" and (problem := validate_host(str(value))):
            raise InputError(problem, f"Pass {flag} with only the host name.", field=key)


def apply_choices(options: RunOptions, config: WalkthroughConfig) -> None:
    """The choices every run has (mode, package manager, Prisma major, role, sample row): flags win."""
    if options.role is not None:
        from supatui.core.rolesql import validate_role_name

        problem = validate_role_name(options.role)
        if problem:
            raise InputError(problem, "Pass --role with a plain role name (the guide uses prisma).", field="role")
    if options.mode:
        config.mode = mode_value(options.mode)
    if options.package_manager:
        config.package_manager = options.package_manager
    if options.prisma_major:
        config.prisma_major = options.prisma_major
    if options.role:
        config.role = options.role
    if not options.sample_row:
        config.sample_row = False
    if options.new_prisma_password:
        config.new_prisma_password = True


def known_admin_password(config: WalkthroughConfig, env: Mapping[str, str] | None = None, *,
                         from_url: str | None = None, read_keyring: bool = True) -> str | None:
    """The admin's password if it is known without asking (environment, keyring, the pasted URL's), else None."""
    if config.target is None:
        return None
    try:
        return _admin_password(config, from_url, os.environ if env is None else env, None, read_keyring) or None
    except InputError:
        return None


def _admin_password(config: WalkthroughConfig, from_url: str | None, env: Mapping[str, str], prompt: Prompt | None,
                    read_keyring: bool, placeholder: str = "") -> str:
    assert config.target is not None
    from_env = env.get(ENV_DB_PASSWORD)
    if from_env:
        return from_env
    stored: str | None = None
    if read_keyring:
        try:
            stored = secrets.get_password(config.target.ref, config.admin_user)
        except secrets.KeyringUnavailable:
            stored = None
    if stored:
        return stored
    if from_url:
        return from_url
    if placeholder:
        raise InputError(
            f"The --url still holds the placeholder {placeholder}, and no password is stored for it.",
            "Set SUPATUI_DB_PASSWORD to the database password (never put it in a flag); the placeholder can stay.",
            field="admin_password",
        )
    if prompt is not None:
        typed = prompt(f"Password of the {config.admin_user} role (project {config.target.ref}): ")
        if typed:
            register_secret(typed)
            return typed
    raise InputError(
        f"No password for the {config.admin_user} role.",
        "Set SUPATUI_DB_PASSWORD (it is never read from flags), or run in a terminal to be asked.",
        field="admin_password",
    )


# -- the prisma role's password -------------------------------------------------------------------


def resolve_prisma_password(ctx: StepContext, emit: Emit = discard, *, generate: bool = False,
                            read_keyring: bool = True, env: Mapping[str, str] | None = None) -> str | None:
    """The role's password: given, keyring, SUPATUI_PRISMA_PASSWORD, the project's .env, else (if asked) a new one.

    The result is kept in ``ctx.secrets`` (which registers it with the redactor).
    """
    if ctx.secrets.prisma_password is not None:
        return ctx.secrets.prisma_password
    env = os.environ if env is None else env
    target = ctx.config.target
    password: str | None = None
    if target is not None and read_keyring:
        try:
            password = secrets.get_password(target.ref, ctx.config.role)
        except secrets.KeyringUnavailable as exc:
            emit(Event("role", EventKind.WARNING, exc.message, {"hint": exc.hint}))
    if password is None:
        password = env.get(ENV_PRISMA_PASSWORD) or None
    if password is None:
        password = password_from_env_file(ctx)
    if password is None and generate:
        password = secrets.generate_password()
        emit(Event("role", EventKind.INFO, f"Generated a strong password for the {ctx.config.role} role."))
    if password is not None:
        ctx.secrets.prisma_password = password
    return password


def env_path(ctx: StepContext) -> Path:
    return Path(ctx.config.project_dir) / ".env"


def password_from_env_file(ctx: StepContext, path: Path | None = None) -> str | None:
    """The role's password from a project's ``.env`` (this one by default) for the same ref and role.

    Without a keyring that file is the only place the password survives between runs.
    """
    target = ctx.config.target
    path = env_path(ctx) if path is None else path
    if target is None or not path.is_file():
        return None
    try:
        parsed = parse_url(read_values(path).get("DATABASE_URL") or "")
    except (UrlError, OSError, UnicodeDecodeError, ValueError):
        return None
    if parsed.password and parsed.role == ctx.config.role and parsed.ref == target.ref:
        register_secret(parsed.password)
        return parsed.password
    return None


def stored_passwords(config: WalkthroughConfig) -> tuple[str | None, str | None]:
    """(admin, prisma) passwords in the keyring for the config's ref; raises secrets.KeyringUnavailable."""
    target = config.target
    if target is None or not target.ref:
        return None, None
    return secrets.get_password(target.ref, config.admin_user), secrets.get_password(target.ref, config.role)
