"""Turn `supatui run` flags, the environment and the saved state into a StepContext.

Precedence: flags > saved state (a resumed folder) > defaults. Passwords: environment >
keyring > the pasted URL > a prompt on a terminal; never a flag.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from dataclasses import replace
from pathlib import Path

from supatui.core import secrets
from supatui.core.connstr import ConnectionTarget, UrlError, parse_url, target_from_url, validate_host, validate_ref
from supatui.core.context import Secrets, StepContext, WalkthroughConfig
from supatui.core.errors import InputError
from supatui.core.redact import register_secret
from supatui.core.state import config_from_saved, load_state, mode_value

DEFAULT_DIR = Path("hello-prisma")


def project_dir_from(args: argparse.Namespace) -> Path:
    chosen = getattr(args, "dir", None)
    path = Path(chosen if chosen is not None else DEFAULT_DIR).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise InputError(f"{path} is a file, not a folder.", "Pick a folder with --dir.", field="dir")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"Cannot create the folder {path}: {exc.strerror}.", "Pick a writable folder with --dir.",
                         field="dir") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(f"The folder {path} is not writable.", "Pick a writable folder with --dir.", field="dir")
    return path


def _target_from_url(url: str) -> tuple[ConnectionTarget, str, str | None, str]:
    """(target, mode, password, role) from a pasted Connect-dialog URL."""
    try:
        target, mode = target_from_url(url)
        parsed = parse_url(url)
    except UrlError as exc:
        raise InputError(f"The --url is not a valid connection string: {exc}",
                         "Copy it again from Supabase's Connect dialog (Session pooler).", field="url") from None
    return target, mode, parsed.password, parsed.role


def context_from_args(args: argparse.Namespace, project_dir: Path) -> StepContext:
    """The context for a real (non-sandbox) project."""
    saved = load_state(project_dir).config
    config = config_from_saved(project_dir, saved) if saved else WalkthroughConfig(project_dir=project_dir)
    config.sandbox = False
    url_password: str | None = None
    if args.url:
        target, mode, url_password, role = _target_from_url(args.url)
        config.target = target
        config.mode = mode_value(mode)
        if role != "postgres":
            url_password = None  # only the admin's password is useful from a pasted URL
        register_secret(url_password)
    elif args.ref is not None or args.pooler_host is not None:
        problem = validate_ref(args.ref or "")
        if problem:
            raise InputError(problem, "Pass --ref with your project ref.", field="ref")
        if args.mode != "direct" or args.pooler_host is not None:  # direct mode needs no pooler
            problem = validate_host(args.pooler_host or "")
            if problem:
                raise InputError(problem, "Pass --pooler-host with the host from the Connect dialog.",
                                 field="pooler_host")
        config.target = ConnectionTarget(ref=args.ref, pooler_host=args.pooler_host or "")
    if config.target is None:
        raise InputError("No database given.",
                         "Pass --url (from the Connect dialog) or --ref and --pooler-host, or try --sandbox.", field="ref")
    overrides = {key: getattr(args, key) for key in ("session_port", "transaction_port", "direct_host", "direct_port")
                 if getattr(args, key, None) is not None}
    _check_endpoint_flags(overrides)
    if overrides:
        config.target = replace(config.target, **overrides)
    apply_common_flags(args, config)
    return StepContext(config, Secrets(admin_password=_admin_password(config, url_password),
                                       prisma_password=os.environ.get("SUPATUI_PRISMA_PASSWORD") or None))


def _check_endpoint_flags(overrides: dict[str, object]) -> None:
    """Ports in range and a bare host name, before anything tries to connect."""
    for key, value in overrides.items():
        flag = "--" + key.replace("_", "-")
        if key.endswith("_port") and not (isinstance(value, int) and 0 < value < 65536):
            raise InputError(f"{flag} {value} is not a port number.",
                             f"Pass {flag} a port between 1 and 65535 (Supabase uses 5432 and 6543).", field=key)
        if key == "direct_host" and (problem := validate_host(str(value))):
            raise InputError(problem, f"Pass {flag} with only the host name.", field=key)


def apply_common_flags(args: argparse.Namespace, config: WalkthroughConfig) -> None:
    if args.role is not None:
        from supatui.core.rolesql import validate_role_name

        problem = validate_role_name(args.role)
        if problem:
            raise InputError(problem, "Pass --role with a plain role name (the guide uses prisma).", field="role")
    if args.mode:
        config.mode = mode_value(args.mode)
    if args.pm:
        config.package_manager = args.pm
    if args.prisma:
        config.prisma_major = args.prisma
    if args.role:
        config.role = args.role
    if args.no_sample_row:
        config.sample_row = False


def _admin_password(config: WalkthroughConfig, from_url: str | None) -> str:
    assert config.target is not None
    from_env = os.environ.get("SUPATUI_DB_PASSWORD")
    if from_env:
        return from_env
    try:
        stored = secrets.get_password(config.target.ref, config.admin_user)
    except secrets.KeyringUnavailable:
        stored = None
    if stored:
        return stored
    if from_url and "[YOUR-PASSWORD]" not in from_url:
        return from_url
    if from_url and "[YOUR-PASSWORD]" in from_url:
        raise InputError(
            "The --url still holds the placeholder [YOUR-PASSWORD].",
            "Set SUPATUI_DB_PASSWORD to the database password (never put it in a flag); the placeholder can stay.",
            field="admin_password",
        )
    if sys.stdin.isatty():
        typed = getpass.getpass(f"Password of the {config.admin_user} role (project {config.target.ref}): ")
        if typed:
            register_secret(typed)
            return typed
    raise InputError(
        f"No password for the {config.admin_user} role.",
        "Set SUPATUI_DB_PASSWORD (it is never read from flags), or run in a terminal to be asked.",
        field="admin_password",
    )
