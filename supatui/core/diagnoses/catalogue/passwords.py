"""Passwords and URLs: wrong passwords, passwords damaged on the way in, unencoded characters, wrong URLs.

SCRAM wordings: pgx (`invalid SCRAM server-final-message received from server`, supabase/cli#2490), node-postgres
(`SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature is missing`, supabase/supabase#29257), postgres.js
(`SASL_SIGNATURE_MISMATCH`); Supavisor sends the reason in the SCRAM error field (supabase/supavisor#710).
"""

from __future__ import annotations

import re

from supatui.core.diagnoses.catalogue.common import DB, LIBPQ_URI, PRISMA_DB, PRISMA_ERR, SUPA_CONNECT, URL_CHARS, URL_FIX
from supatui.core.diagnoses.context import Context
from supatui.core.diagnoses.model import Diagnosis, make, sqlstate


def _password_in_host(ctx: Context) -> bool:
    """The "host" a tool could not reach holds characters no host has: part of the password leaked into it."""
    return ctx.has(r"(?:Can't reach database server at|failed to resolve host|translate host name) [`'\"][^`'\"\s]*"
                   r"[@!#$%^&*()+=?/\\][^`'\"\s]*[`'\"]")


# The damage's own wordings (SCRAM signatures that do not match, a port or host made of password characters) ...
_MANGLED = (r"invalid SCRAM server-final-message", r"server signature is missing", r"SCRAM-SERVER-FINAL-MESSAGE",
            r"SASL_SIGNATURE_MISMATCH", r"invalid port \"?:[^\"\s]*\"? after host",
            r"(?:Can't reach database server at|failed to resolve host|translate host name) [`'\"][^`'\"\s]*"
            r"[@!#$%^&*()+=?/\\][^`'\"\s]*[`'\"]")
# ... and the ordinary failures a URL with a raw `@`/`#` in its password ends in (the wrong host, a wrong password).
_URL_FAILURES = (r"password authentication failed for user", sqlstate("28P01"), r"\bP100[01]\b",
                 r"Authentication failed against (?:the )?database server", r"Can't reach database server at",
                 r"\bP1013\b", r"getaddrinfo (?:ENOTFOUND|EAI_AGAIN)", r"Tenant or user not found")
_MANGLED_RE = re.compile("|".join(_MANGLED), re.I)


def _mangled_or_raw_url(ctx: Context) -> bool:
    """Its own wordings always fit; a plain failure fits only when the URL in sight has `@`/`#` in its password."""
    return ctx.raw_url_password or _MANGLED_RE.search(ctx.text) is not None


def _not_prisma7(ctx: Context) -> bool:
    return ctx.prisma_major is None or ctx.prisma_major < 7


PASSWORDS: tuple[Diagnosis, ...] = (
    make("auth-failed", "Wrong password (28P01 / P1000)",
         [r"password authentication failed for user", sqlstate("28P01"), r"\bP1000\b",
          r"Authentication failed against (?:the )?database server", r"provided database credentials for",
          r"SCRAM exchange: Wrong password", r"e=Wrong password"],
         "The server rejected the password for this role: it was changed, is missing from the URL, or belongs to "
         "another role or project.",
         "Check the password: it must be the role's current one and be in the URL. If unsure, set it again with "
         "letters and digits only (Dashboard → Database → Reset password for postgres; `alter user \"prisma\" with "
         "password …` or supatui's step 1 for prisma) and rerun the connection step; supatui stores it in the "
         "keyring and writes it encoded.",
         PRISMA_ERR + "#p1000", DB, "FATAL: password authentication failed for user \"prisma\"", 2,
         tell="If `psql` with the same password typed by hand works, the password is right and got damaged on the "
              "way (see 'password damaged'): do not reset it."),
    make("password-mangled", "The password was damaged on the way in",
         [*_MANGLED, *_URL_FAILURES],
         "The password that reached the server is not the one you typed: a shell expanded `$…` or `!`, a hidden "
         "prompt mangled the paste, or `@ : / # ? %` in it were not percent-encoded, so part of it became the host "
         "or port.",
         "Do not reset it first: percent-encode it in the URL (`#` → %23, `@` → %40, `/` → %2F, `%` → %25, so "
         "`p@ss#1` is written `p%40ss%231`; a URL whose password still shows `@` or `#` is this case; "
         "`supatui url explain URL` names the characters), "
         "pass it in single quotes or through the environment (`SUPABASE_DB_PASSWORD=… supabase link`, "
         "PGPASSWORD), or type it at the prompt; if you would rather avoid this, choose a letters and digits password.",
         URL_CHARS, PRISMA_DB, "failed SASL auth (invalid SCRAM server-final-message received from server)", 4,
         when=_mangled_or_raw_url, boost=lambda ctx: 12 if ctx.raw_url_password else 5 if _password_in_host(ctx) else 0,
         tell="If psql with the same password typed at its prompt works, the password is right: fix how it is passed.",
         sources=["https://github.com/supabase/cli/issues/2490", "https://github.com/supabase/supabase/issues/29257"]),
    make("no-password", "No password was given",
         [r"no password supplied", r"client password must be a string", r"SASL: SCRAM-SERVER-FIRST-MESSAGE: client "
          r"password must be a string"],
         "The connection had no password: the URL has none, or the variable holding it was empty when the code ran.",
         "Enter the password (headless: SUPATUI_DB_PASSWORD / SUPATUI_PRISMA_PASSWORD), or check DATABASE_URL "
         "contains `:<password>@` and is loaded (`import \"dotenv/config\"`).", LIBPQ_URI, DB,
         "fe_sendauth: no password supplied", 3),
    make("url-not-encoded", "The connection string cannot be parsed (P1013)",
         [r"\bP1013\b", r"The provided database string is invalid", r"Error parsing connection string",
          r"Make sure the URL is percent-encoded", r"invalid (?:port|character)[^\n]{0,40}in (?:host|url)",
          r"Cannot read properties of undefined \(reading 'searchParams'\)",  # pg-connection-string on a bad URL
          r"might have illegal characters",
          r"decodeURIComponent\(\w+\.password\)", r"URIError: URI (?:error|malformed)"],  # postgres.js on a raw `%`
         "The URL does not parse, usually because the password has `@ : / # ? %` or spaces unencoded.",
         URL_FIX, URL_CHARS, PRISMA_DB, "Error: P1013: The provided database string is invalid.", 3),
    make("node-invalid-url", "node-postgres: Invalid URL",
         [r"TypeError.*Invalid URL", r"ERR_INVALID_URL"],
         "Node's URL parser rejected DATABASE_URL: `/ # ?` in the password are read as path, fragment or query.",
         URL_FIX, URL_CHARS, ("test",), "TypeError [ERR_INVALID_URL]: Invalid URL", 3),
    make("libpq-bad-percent", "libpq: invalid percent-encoded token / spaces in the URL",
         [r"invalid percent-encoded token", r"unexpected spaces found in"],
         "libpq (psql, psycopg) found `%` not followed by two hex digits, or a space, in the URL's password.",
         URL_FIX, LIBPQ_URI, PRISMA_DB, "invalid percent-encoded token: \"p%ss\"", 3),
    make("libpq-prisma-param", "libpq rejects a Prisma-only parameter",
         [r"invalid URI query parameter: \"(pgbouncer|connection_limit|pool_timeout|schema|socket_timeout)\""],
         "`pgbouncer=true`, `connection_limit` and friends are Prisma's own options; psql and psycopg reject them.",
         "Strip them when using psql/psycopg (supatui does), e.g. `psql \"${DATABASE_URL%%\\?*}\"`; keep them "
         "in DATABASE_URL for Prisma.", LIBPQ_URI, ("connection",), "invalid URI query parameter: \"pgbouncer\"", 4),
    make("dotenv-dollar", "`${…}` in the password was expanded from .env",
         [r"postgres(?:ql)?://[^:\s/@]+:[^@\s]*\$\{[^@\s]*@"],
         "Older Prisma CLIs load .env through dotenv-expand, which replaces `${NAME}` in values, so such a password "
         "arrives changed. (Prisma 7 with `import \"dotenv/config\"` expands nothing; a `$PASSWORD` placeholder is "
         "not a password.)",
         "Write the `$` percent-encoded as %24 in DATABASE_URL (supatui encodes the whole password), then retry.",
         "https://www.prisma.io/docs/orm/more/development-environment/environment-variables", ("connection", "test"),
         "DATABASE_URL=\"postgresql://prisma.abcdefghijklmnopqrst:pa${x}word@host:5432/postgres\"", 2,
         when=_not_prisma7),
    make("api-url-as-db-url", "DATABASE_URL is not a postgresql:// string (most often: the project's API URL)",
         [r"(?:DATABASE_URL|DIRECT_URL)\s*=\s*[\"']?https?://", r"the URL must start with the protocol `?postgres",
          r"must start with the protocol `?postgresql://"],
         "DATABASE_URL holds something other than a Postgres connection string: most often the "
         "https://<ref>.supabase.co address (for supabase-js); also quotes kept inside the value (Docker "
         "`--env-file`, a host's settings page), a `prisma+postgres://` URL left by `prisma init`, or an unexpanded "
         "`${VAR}`.",
         "Set DATABASE_URL to the `postgresql://…` string from the Connect dialog (session pooler), not the "
         "https:// project URL; run `supatui url explain URL` to check it.", SUPA_CONNECT, PRISMA_DB,
         "error: Error validating datasource `db`: the URL must start with the protocol `postgresql://`", 4),
)
