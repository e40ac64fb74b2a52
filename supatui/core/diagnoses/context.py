"""Read a pasted error the way a person does: clean the noise off, then note what it says around the error.

``normalise`` undoes what pasting does to an error (JSON escapes, ANSI colours, npm/pnpm/CI line prefixes,
stack frames, typographic quotes). ``read_context`` notes the facts that decide between causes with the same
wording: the port and kind of host (Prisma prints ``Datasource "db": … at "host:6543"`` above its errors),
whether Migrate or the client ran, the Prisma major, Windows paths, IPv6 literals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ANSI = re.compile(r"(?:\x1b|\\u001b|\\x1b|\\033)\[[0-9;?]*[A-Za-z]")
_PREFIXES = re.compile(
    r"^(?:\s*(?:npm (?:ERR!|error|warn)|ERR_PNPM_\w+|\u2502|│|>|\|)\s?"  # npm, pnpm boxes, quotes
    r"|\s*\[?\d{4}-\d\d-\d\d[T ][\d:.]+Z?\]?\s*"  # ISO timestamps
    r"|\s*\d\d:\d\d:\d\d(?:\.\d+)?\s*(?:\||#\d+\s+[\d.]+)?\s*"  # CI timestamps (Vercel, docker build)
    r"|\s*#\d+\s+[\d.]+\s+"  # docker build step prefixes
    r"|\s*@?[\w./-]+:[\w:-]+:\s(?=\S)"  # turbo/yarn workspace prefixes (@my/db:db-push: …)
    r")+", re.M)
_FRAME = re.compile(r"^[ \t]*at [^\n]*(?::\d+(?::\d+)?\)?|\((?:index \d+|native|<anonymous>)\))[ \t]*$", re.M)
_PORT = re.compile(r"(?<![\w.])(?:[a-z0-9*\[\]{}<>$_-]+\.)+[a-z*\]}>-]+[`'\"]?:[`'\"]?(\d{4,5})\b|\bport (\d{4,5})\b",
                   re.I)
_DIRECT = re.compile(r"\bdb\.(?:[a-z]{20}|[^\s.`'\"/:@]{1,40})\.supabase\.co\b", re.I)
_POOLER = re.compile(r"\b[a-z0-9-]*pooler\.supabase\.com\b", re.I)
_LOCAL = re.compile(r"\b(?:localhost|127\.0\.0\.1)\b|\[::1\]")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-f]{1,4}:){2,7}[0-9a-f:]{0,4}(?![\w:])|\[[0-9a-fx:]{6,}\]|"
                   r"\(2[0-9a-f]{3}:[0-9a-fx:]+\)", re.I)
_MIGRATE = re.compile(r"\bprisma(?:\s+\S+)?\s+(?:migrate|db\s+(?:push|pull|execute)|introspect)\b|Schema engine error|"
                      r"Migration engine error|migration[_-](?:core|engine)|sql_migration_connector|schema_engine|"
                      r"Introspecting based on datasource|migrations? found in prisma/migrations|Applying migration|"
                      r"\bmigrate (?:dev|deploy|reset|status|resolve)\b|\bdb (?:push|pull)\b|"
                      r"^Datasource \"\w+\": \w+ database", re.I | re.M)  # the CLI prints it, the client never does
_CLIENT = re.compile(r"invocation|ConnectorError|PrismaClient\w*Error|prisma:(?:query|error)|\bprisma\.\w+\.\w+\(", re.I)
_PRISMA_MAJOR = re.compile(r"Prisma CLI Version\s*:\s*(\d+)|\bprisma\s*:\s*(\d+)\.\d|\bprisma@\^?(\d+)\.|"
                           r"clientVersion:\s*'(\d+)\.|@prisma/client\"?\s*:\s*\"\^?(\d+)\.", re.I)


# A connection URL whose password part still holds `@` or `#`: everything up to the last `@` before the host is the
# password, so a second `@` (or a `#`, which starts a URL fragment) in it was never percent-encoded. GitHub's
# `[x@host](mailto:x@host)` rewriting of pasted URLs is not a password.
_URL_RAW_PASSWORD = re.compile(r"postgres(?:ql)?://[^\s:/@'\"`\[]+:(?P<pw>[^\s'\"`]*?[@#][^\s'\"`]*)@"
                               r"[\w.\[\]:-]+(?=[/:?\s'\"`]|$)", re.I)


def _raw_password_in_url(text: str) -> bool:
    return any("](mailto:" not in m.group("pw") for m in _URL_RAW_PASSWORD.finditer(text))


_QUOTES = str.maketrans("\u2018\u2019\u201c\u201d\u00a0", "''\"\" ")


def _json_strings(text: str) -> str:
    """Undo JSON string escapes (``\\n``, ``\\"``, ``\\\\``) in error text pasted from logs or API output.

    A ``\\n`` followed by a lower-case letter is left alone: it is a Windows path (``…\\node_modules``).
    """
    if '\\"' not in text and not re.search(r"\\n(?![a-z_.-])", text):
        return text
    text = text.replace('\\"', '"')
    text = re.sub(r"\\n(?![a-z_.-])", "\n", text)
    return text.replace("\\\\", "\\")


def normalise(text: str) -> str:
    """The paste with its noise removed, one finding per line."""
    text = _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _json_strings(text)
    text = text.translate(_QUOTES)
    text = _FRAME.sub("", text)
    text = _PREFIXES.sub("", text)
    return re.sub(r"\n{3,}", "\n\n", text)


@dataclass(frozen=True)
class Context:
    """What the paste (and the caller) says around the error; diagnoses read it in ``when``/``boost``."""

    text: str
    step: str | None = None
    command: str = ""
    ports: frozenset[int] = field(default_factory=frozenset)
    direct_host: bool = False  # db.<anything>.supabase.co, redacted refs included
    pooler_host: bool = False
    local_host: bool = False
    ipv6_literal: bool = False
    migrating: bool = False  # Prisma Migrate / db push / introspection ran
    client: bool = False  # Prisma Client queries ran
    prisma_major: int | None = None
    windows: bool = False
    raw_url_password: bool = False  # a URL in sight has `@` or `#` unencoded in its password

    @property
    def tx_pooler(self) -> bool:
        """The transaction pooler (6543) was in use."""
        return 6543 in self.ports

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.text, re.I) is not None


def read_context(text: str, step: str | None = None, command: str | None = None, url: str | None = None,
                 prisma_major: int | None = None) -> Context:
    """The context of a normalised paste, plus what the caller knows (step, command, URL, Prisma major)."""
    seen = "\n".join(part for part in (command, url, text) if part)
    ports = frozenset(int(a or b) for a, b in _PORT.findall(seen))
    major = prisma_major
    if major is None:
        found = _PRISMA_MAJOR.search(seen)
        major = int(next(g for g in found.groups() if g)) if found else None
    migrating = bool(_MIGRATE.search(command or "")) or bool(_MIGRATE.search(text)) or step == "migrations"
    return Context(
        text=text, step=step, command=command or "", ports=ports,
        direct_host=bool(_DIRECT.search(seen)), pooler_host=bool(_POOLER.search(seen)),
        local_host=bool(_LOCAL.search(seen)), ipv6_literal=bool(_IPV6.search(text)),
        migrating=migrating, client=bool(_CLIENT.search(text)), prisma_major=major,
        windows=bool(re.search(r"\b[A-Z]:\\|\bwindows\b|\.exe\b|\.dll\b", seen, re.I)),
        raw_url_password=_raw_password_in_url(seen),
    )
