"""What people really paste instead of a finished connection string, said in their words.

Real pastes, as they show up in issue threads:
- the Dashboard's placeholder left in: ``postgresql://postgres.<ref>:[YOUR-PASSWORD]@aws-0-ap-south-1.pooler.supabase.com:6543/…``
  (github.com/prisma/orm/issues/13807), ``[YOUR PASSWORD]`` (prisma/orm#23353), ``[YOUR_PASSWORD]`` and
  ``db.[PROJECT_REF].supabase.co`` (prisma/orm#24913), a bare ``YOUR_PASSWORD`` (virgoone/next-money#7);
- the guide's own template: ``postgres://[DB-USER].[PROJECT-REF]:[PRISMA-PASSWORD]@[DB-REGION].pooler.supabase.com:5432/postgres``
  (supabase.com/docs/guides/database/prisma);
- the project's API URL ``https://<ref>.supabase.co`` where Prisma needs the database string (Prisma answers P1012
  "the URL must start with the protocol `postgresql://`", e.g. n4ze3m/dialoqbase#53).

``[`` and ``]`` themselves are harmless in a password: WHATWG URL parsers (node, Prisma's engines) percent-encode
them and libpq reads them as is (checked with node 20 ``new URL`` and psycopg's ``conninfo_to_dict``), so only the
placeholder is a problem, not its brackets. This module never imports the URL parser (connstr imports it).
"""

from __future__ import annotations

import ipaddress
import re

# Words a template placeholder is made of; ``[abc]`` in a real password is left alone.
_PLACEHOLDER_WORDS = ("PASSWORD", "PASS", "PWD", "REF", "USER", "REGION", "PROJECT", "HOST", "SECRET", "ID")
_BRACKETED = re.compile(r"\[([A-Za-z][A-Za-z0-9 _-]*)\]|<([A-Za-z][A-Za-z0-9 _-]*)>")
_BARE_PASSWORD = re.compile(r"(?i)(your|db|database|prisma)[-_ ]?password")
MAX_HOST = 253  # RFC 1035: a name of at most 253 characters, labels of at most 63
_LABEL = re.compile(r"[\w-]{1,63}")
_API_URL = re.compile(r"(?i)https?://([a-z0-9]+)\.supabase\.(?:co|in)/?(?:rest/v1/?|auth/v1/?)?")
_DASHBOARD_URL = re.compile(r"(?i)https?://(?:app\.)?supabase\.com/dashboard/project/([a-z0-9]+)\S*")
_DIRECT_HOST = re.compile(r"db\.([a-z]{20})\.supabase\.co")

# ``DATABASE_URL="postgresql://…"`` as the Connect dialog's ORM tab shows it; also ``export X=…`` and ``X: …`` (YAML).
_ASSIGNMENT = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:=|:\s)\s*(.*)")  # not `jdbc:postgresql://`
_QUOTES = ("\"", "'", "`")
_PREFERRED_NAMES = ("DATABASE_URL", "POSTGRES_PRISMA_URL", "POSTGRES_URL", "DIRECT_URL")

PASSWORD_HINT = ("replace it, brackets included, with the database password (Project Settings → Database; "
                 "reset it there if you do not know it)")


def shown(text: str, limit: int = 60) -> str:
    """``text`` fit for one line of an error: control characters escaped, long text cut in the middle."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    if len(text) > limit:
        half = (limit - 1) // 2
        text = f"{text[:half]}…{text[-half:]} ({len(text)} characters)"
    return text


def _is_placeholder_word(word: str) -> bool:
    parts = re.split(r"[-_ ]", word.upper())
    return any(part in _PLACEHOLDER_WORDS for part in parts)


def placeholders(text: str) -> list[str]:
    """The template placeholders in ``text``, as written: ``[YOUR-PASSWORD]``, ``<ref>``, ``[DB-REGION]``…"""
    found = [m.group(0) for m in _BRACKETED.finditer(text) if _is_placeholder_word(m.group(1) or m.group(2))]
    return list(dict.fromkeys(found))


def is_placeholder_password(password: str) -> bool:
    """The Dashboard's ``[YOUR-PASSWORD]`` (or a sibling) instead of a password: never to be tried."""
    text = password.strip()
    if _BARE_PASSWORD.fullmatch(text):
        return True
    match = _BRACKETED.fullmatch(text)
    return bool(match and _is_placeholder_word(match.group(1) or match.group(2)))


def placeholder_message(found: list[str], where: str = "The connection string") -> str:
    """One sentence for placeholders found outside the password (user, host, ref)."""
    names = ", ".join(found)
    many = len(found) > 1
    return (f"{where} still holds the template's placeholder{'s' if many else ''} {names}: copy the string "
            "from your project's Connect dialog (Dashboard → Connect → Session pooler), which has "
            f"{'them' if many else 'it'} filled in.")


def not_a_postgres_url(text: str) -> str | None:
    """A specific sentence for a well-known non-database string (API URL, dashboard page, bare host), else None."""
    text = text.strip()
    copy = ("Prisma needs the database connection string: in the dashboard click Connect and copy the Session "
            "pooler string (postgresql://postgres.<ref>:[YOUR-PASSWORD]@aws-…pooler.supabase.com:5432/postgres).")
    if match := _API_URL.fullmatch(text):
        return (f"https://{match.group(1)}.supabase.co is the project's API URL (for supabase-js and the REST API), "
                f"not its database. {copy}")
    if match := _DASHBOARD_URL.fullmatch(text):
        return f"That is the dashboard page of project {match.group(1)}, not a connection string. {copy}"
    if text.lower().startswith("jdbc:"):
        return "That is the JDBC form of the string; Prisma needs the URI form (postgresql://…) from the same dialog."
    if _DIRECT_HOST.fullmatch(text) or text.endswith(".pooler.supabase.com"):
        return f"{shown(text)} is a host name alone. {copy}"
    if text.startswith("eyJ"):
        return f"That looks like an API key (a JWT), not a connection string. {copy}"
    return None


def host_problem(host: str) -> str | None:
    """Why ``host`` cannot be a host name (too long, a port or a line break in it), else None."""
    if not host:
        return "The host is empty."
    if any(not ch.isprintable() or ch.isspace() for ch in host):
        return f"The host '{shown(host)}' contains a space, tab or line break: paste only the host name."
    if len(host) > MAX_HOST:
        return f"The host '{shown(host)}' is longer than a host name can be ({MAX_HOST} characters)."
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            name, _, port = host.rpartition(":")
            if port.isdigit() and name and ":" not in name:
                return (f"'{shown(host)}' includes a port: enter only the host, {shown(name)} (the port "
                        "is set separately).")
            return f"'{shown(host)}' is not a host name or an IPv6 address."
        return None
    labels = host.rstrip(".").split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        return f"'{shown(host)}' is not a host name (letters, digits, dots and hyphens, at most 63 between dots)."
    return None


def direct_host_note(host: str, port: int) -> str | None:
    """What the direct (or dedicated-pooler) host is and which string to copy instead, for IPv4 networks."""
    if not _DIRECT_HOST.fullmatch(host.lower()):
        return None
    what = "the dedicated pooler (PgBouncer)" if port == 6543 else "the direct connection to Postgres"
    return (f"{host} is {what}: it is IPv6-only unless the project has the IPv4 add-on, so from an IPv4-only "
            "network (many home ISPs, Docker, GitHub Actions, Vercel) it cannot be reached; there, copy the Session "
            "pooler string from the Connect dialog instead.")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in _QUOTES:
        return value[1:-1]
    return value


def env_urls(text: str) -> dict[str, str]:
    """The connection strings in a pasted ``.env`` line or block, by variable name (comments and blanks skipped)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _ASSIGNMENT.fullmatch(line)
        if match and "://" in match.group(2):
            found.setdefault(match.group(1), _unquote(match.group(2)))
    return found


def pasted_url(text: str) -> str:
    """The one connection string in what was pasted: the value of ``DATABASE_URL=…`` (quotes off), the
    DATABASE_URL of a pasted ``.env`` block (else its only URL), or the text itself, stripped."""
    stripped = text.strip()
    urls = env_urls(stripped)
    if not urls:
        return _unquote(stripped)
    for name in _PREFERRED_NAMES:
        if name in urls:
            return urls[name]
    values = set(urls.values())
    return values.pop() if len(values) == 1 else stripped
