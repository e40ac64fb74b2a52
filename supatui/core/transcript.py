"""The record of a run: ``supatui-transcript.md`` to read, ``supatui-replay.sh`` to repeat.

A person should be able to audit what supatui did and do it again without supatui, so every
event (already redacted) is written down in order, and the same actions become a bash script.
The script never holds a secret: SQL runs through psql with ``PGPASSWORD`` taken from
``SUPATUI_DB_PASSWORD``, the prisma password comes from ``SUPATUI_PRISMA_PASSWORD`` (psql
``\\getenv``; percent-encoded by python3 for ``.env``). Both files are rewritten atomically;
each run is appended under its own header.
"""

from __future__ import annotations

import re
import shlex
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from supatui import __version__
from supatui.core.connstr import admin_mode
from supatui.core.context import WalkthroughConfig
from supatui.core.events import Event, EventKind
from supatui.core.files import atomic_write
from supatui.core.plan import Plan
from supatui.core.redact import MASK, redact

TRANSCRIPT_NAME = "supatui-transcript.md"
REPLAY_NAME = "supatui-replay.sh"
MAX_FILE_BYTES = 64 * 1024  # larger files (lockfiles) are left to the commands that make them
FENCE = "`````"
_URL_BEFORE_MASK = re.compile(r"://[^\s@/\"']*:$")

REPLAY_PROLOGUE = """#!/usr/bin/env bash
# supatui replay: the steps supatui ran, as a script you can read and run again.
# Secrets are never in this file. Set them in the environment first:
#   SUPATUI_DB_PASSWORD      the password of the database user in PGUSER (psql reads it as PGPASSWORD)
#   SUPATUI_PRISMA_PASSWORD  the password of the prisma role (used in SQL and written into .env)
# Connection: PGHOST / PGPORT / PGUSER / PGDATABASE (defaults below, per run). Each run is appended below.
set -euo pipefail
PROJECT_DIR="${SUPATUI_PROJECT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
supatui_prisma_pw_enc() {
  python3 -c 'import os, sys, urllib.parse as u; sys.stdout.write(u.quote(os.environ["SUPATUI_PRISMA_PASSWORD"], safe=""))'
}
"""


@dataclass(frozen=True)
class DbTarget:
    """Where the run's SQL went (no password): becomes PGHOST/PGPORT/PGUSER/PGDATABASE defaults."""

    host: str
    port: int
    user: str
    database: str = "postgres"


def _fence(text: str) -> str:
    return text.replace(FENCE, "` ` ` ` `")


class TranscriptWriter:
    """An ``Emit`` listener (call it with each Event) plus :meth:`record_plan`; thread-safe."""

    def __init__(self, project_dir: Path, *, mode: str = "tui", database: DbTarget | None = None,
                 version: str = __version__) -> None:
        self.project_dir = Path(project_dir).resolve()
        self.path = self.project_dir / TRANSCRIPT_NAME
        self.replay_path = self.project_dir / REPLAY_NAME
        self.database = database
        self._lock = threading.RLock()
        self._started = datetime.now(UTC)
        stamp = self._started.strftime("%Y-%m-%d %H:%M:%S UTC")
        self._md: list[str] = [f"\n## Run {stamp} · supatui {version} · mode {mode}\n"]
        self._sh: list[str] = [f"\n# ==== run {stamp} · supatui {version} · mode {mode} ====\n"]
        self._prev: tuple[str, str] | None = None
        self._in_output = False
        self._sql_pending: list[str] = []
        self._db_announced = False
        self._step_output: list[str] = []
        self._last_flush = 0.0
        self.count = 0
        self._recorded = False  # nothing ran: closing writes nothing (opening the wizard leaves the folder alone)

    # --- listener -------------------------------------------------------------------------------------------
    def __call__(self, event: Event) -> None:
        with self._lock:
            self.count += 1
            self._recorded = True
            self._md_event(event)
            self._sh_event(event)
            if event.kind is not EventKind.OUTPUT or time.monotonic() - self._last_flush > 1.0:
                self.flush()

    def record_plan(self, plan: Plan) -> None:
        """Note what a step is about to do (the same preview the user saw)."""
        with self._lock:
            self._recorded = True
            self._close_output()
            text = redact(plan.render_text()).strip() or "(nothing to do)"
            self._md.append(f"\n#### Plan for step {plan.step}\n\n{FENCE}text\n{_fence(text)}\n{FENCE}\n")
            self.flush()

    def set_database(self, database: DbTarget) -> None:
        with self._lock:
            self.database = database
            self._db_announced = False

    # --- markdown ---------------------------------------------------------------------------------------------
    def _close_output(self) -> None:
        if self._in_output:
            self._md.append(f"{FENCE}\n")
            self._in_output = False

    def _md_event(self, event: Event) -> None:
        kind, text = event.kind, redact(event.text)
        clock = datetime.fromtimestamp(event.at, UTC).strftime("%H:%M:%S")
        if kind is EventKind.OUTPUT:
            if not self._in_output:
                self._md.append(f"{FENCE}text\n")
                self._in_output = True
            self._md.append(_fence(text) + "\n")
            self._step_output = (self._step_output + [text])[-200:]
            return
        self._close_output()
        if kind is EventKind.STEP_STARTED:
            self._step_output = []
            self._md.append(f"\n### Step {event.step}: {text} ({clock})\n\n")
        elif kind is EventKind.SQL:
            self._md.append(f"{FENCE}sql\n{_fence(text)}\n{FENCE}\n")
        elif kind is EventKind.SQL_DONE:
            notices = [redact(str(n)) for n in event.data.get("notices", []) or []]
            self._md.append(f"→ `{text}`\n" + "".join(f"  - {n}\n" for n in notices) + "\n")
        elif kind is EventKind.COMMAND:
            cwd = event.data.get("cwd", "")
            env = event.data.get("env_names") or []
            extra = f" (env: {', '.join(map(str, env))})" if env else ""
            self._md.append(f"`{text}` in `{cwd}`{extra}\n\n")
        elif kind is EventKind.COMMAND_EXIT:
            self._md.append(f"\n{text}\n\n")
        elif kind is EventKind.FILE_WRITTEN:
            self._md.append(f"- file: {text}\n")
        elif kind is EventKind.WARNING:
            self._md.append(f"- **warning:** {text}\n")
        elif kind is EventKind.CHECK:
            mark = "✓" if event.data.get("ok") else "✗"
            self._md.append(f"- {mark} {text}\n")
        elif kind is EventKind.STEP_FAILED:
            self._md.append(f"\n**Step {event.step} FAILED ({clock}):** {text}\n")
            self._md.append(self._diagnosis(event.step, text))
        elif kind is EventKind.STEP_DONE:
            self._md.append(f"\n**Step {event.step} done ({clock}).** {text}\n")
        elif kind is EventKind.STEP_SKIPPED:
            self._md.append(f"\n### Step {event.step}: skipped ({clock}) — {text}\n")
        else:
            self._md.append(f"- {text}\n")

    def _diagnosis(self, step: str, text: str) -> str:
        from supatui.core.diagnoses import diagnose

        matches = diagnose("\n".join([*self._step_output, text]), step)
        if not matches:
            return "\nNo known problem matched; `supatui diagnose supatui-transcript.md` after a fix, or report it.\n"
        d = matches[0].diagnosis
        return f"\n> **Likely cause — {d.title}:** {d.cause}\n>\n> **Fix:** {d.fix}\n>\n> Source: {d.doc}\n"

    # --- replay script ----------------------------------------------------------------------------------------
    def _rel(self, path: str) -> str:
        """A path as the script writes it: under ``$PROJECT_DIR`` when inside the project."""
        try:
            rel = Path(path).resolve().relative_to(self.project_dir)
        except ValueError:
            return shlex.quote(path)
        return '"$PROJECT_DIR"' + ("/" + shlex.quote(str(rel)) if str(rel) != "." else "")

    def _sh_event(self, event: Event) -> None:
        kind = event.kind
        if kind not in (EventKind.SQL, EventKind.SQL_DONE):
            self._flush_sql()
        if kind is EventKind.SQL:
            self._sql_pending.append(redact(event.text))
        elif kind is EventKind.STEP_STARTED:
            self._sh.append(f"\n# --- step {event.step}: {redact(event.text)}\n")
        elif kind is EventKind.COMMAND:
            self._sh.append(self._command(event))
        elif kind is EventKind.FILE_WRITTEN and event.data.get("path"):
            self._sh.append(self._file(str(event.data["path"])))
        elif kind is EventKind.STEP_FAILED:
            reason = redact(event.text).replace("\n", " ")
            self._sh.append(f"# step {event.step} failed here: {reason}\n")

    def _command(self, event: Event) -> str:
        argv = [str(a) for a in event.data.get("argv") or []]
        if not argv:
            return f"# (not replayable: {redact(event.text)})\n"
        line = shlex.join(argv)
        if MASK in line:
            return f"# (a command whose arguments held a secret is not replayed: {line})\n"
        cwd = self._rel(str(event.data.get("cwd") or self.project_dir))
        env = [str(n) for n in event.data.get("env_names") or []]
        note = f"  # supatui also passed: {', '.join(env)}" if env else ""
        return f'(cd {cwd} && {line}){note}\n'

    def _announce_db(self) -> list[str]:
        if self._db_announced:
            return []
        self._db_announced = True
        db = self.database
        if db is None:
            return [': "${PGHOST:?set PGHOST, PGPORT, PGUSER and PGDATABASE for the SQL below}"\n']
        return [f'export PGHOST="${{PGHOST:-{db.host}}}" PGPORT="${{PGPORT:-{db.port}}}" '
                f'PGUSER="${{PGUSER:-{db.user}}}" PGDATABASE="${{PGDATABASE:-{db.database}}}"\n']

    def _flush_sql(self) -> None:
        if not self._sql_pending:
            return
        statements, self._sql_pending = self._sql_pending, []
        body: list[str] = []
        needs_prisma = False
        for statement in statements:
            if f"'{MASK}'" in statement:
                statement = statement.replace(f"'{MASK}'", ":'prisma_pw'")
                needs_prisma = True
            if MASK in statement:
                body.append("-- (a statement holding a secret in another form is not replayed)")
                continue
            body.append(statement.rstrip().rstrip(";") + ";")
        delimiter = "SUPATUI_SQL"
        while any(delimiter in line for line in body):
            delimiter += "_"
        out = self._announce_db()
        out.append(': "${SUPATUI_DB_PASSWORD:?set SUPATUI_DB_PASSWORD to the password of $PGUSER}"\n')
        if needs_prisma:
            out.append(': "${SUPATUI_PRISMA_PASSWORD:?set SUPATUI_PRISMA_PASSWORD to the prisma role password}"\n')
            body.insert(0, "\\getenv prisma_pw SUPATUI_PRISMA_PASSWORD")
        out.append(f'PGPASSWORD="$SUPATUI_DB_PASSWORD" psql -X -q -v ON_ERROR_STOP=1 <<\'{delimiter}\'\n')
        out.append("\n".join(body) + f"\n{delimiter}\n")
        self._sh.append("".join(out))

    def _file(self, path: str) -> str:
        target = self._rel(path)
        try:
            raw = Path(path).read_bytes()
        except OSError:
            return f"# (file {path} was not readable when recorded; not replayed)\n"
        if len(raw) > MAX_FILE_BYTES or b"\0" in raw:
            return f"# ({path}: {len(raw)} bytes, made by the commands above; not copied here)\n"
        text = raw.decode("utf-8", errors="replace")
        masked = redact(text)
        ends_nl = text.endswith("\n")
        if masked == text:
            delimiter = "SUPATUI_FILE"
            while delimiter in text:
                delimiter += "_"
            head = f"mkdir -p \"$(dirname {target})\"\n"
            if ends_nl:
                return f"{head}cat > {target} <<'{delimiter}'\n{text}{delimiter}\n"
            return f"{head}printf '%s' \"$(cat <<'{delimiter}'\n{text}\n{delimiter}\n)\" > {target}\n"
        return self._secret_file(target, masked, ends_nl)

    @staticmethod
    def _secret_file(target: str, masked: str, ends_nl: bool) -> str:
        """A file that held a secret: rebuilt line by line with the password from the environment."""
        lines = masked.split("\n")
        if ends_nl:
            lines = lines[:-1]
        out = [': "${SUPATUI_PRISMA_PASSWORD:?set SUPATUI_PRISMA_PASSWORD to the prisma role password}"\n',
               'SUPATUI_PW_ENC="$(supatui_prisma_pw_enc)"\n', f'mkdir -p "$(dirname {target})"\n',
               "(umask 077; {\n"]
        for index, line in enumerate(lines):
            parts = line.split(MASK)
            arg = shlex.quote(parts[0]) if parts[0] else "''"
            for before, part in zip(parts, parts[1:], strict=False):
                value = '"$SUPATUI_PW_ENC"' if _URL_BEFORE_MASK.search(before) else '"$SUPATUI_PRISMA_PASSWORD"'
                arg += value + (shlex.quote(part) if part else "")
            newline = "\\n" if ends_nl or index < len(lines) - 1 else ""
            out.append(f"  printf '%s{newline}' {arg}\n")
        out.append(f"}} > {target})\n")
        return "".join(out)

    # --- files ---------------------------------------------------------------------------------------------
    def _render(self) -> tuple[str, str]:
        if self._prev is None:
            md = self.path.read_text(encoding="utf-8") if self.path.exists() else "# supatui transcript\n"
            sh = self.replay_path.read_text(encoding="utf-8") if self.replay_path.exists() else REPLAY_PROLOGUE
            self._prev = (md, sh)
        md_prev, sh_prev = self._prev
        md = md_prev + "".join(self._md) + (f"{FENCE}\n" if self._in_output else "")
        pending = self._sql_pending
        sh_tail = ""
        if pending:  # show pending SQL without consuming it
            saved_sh, saved_announced = list(self._sh), self._db_announced
            self._flush_sql()
            sh_tail = "".join(self._sh[len(saved_sh):])
            self._sh, self._sql_pending, self._db_announced = saved_sh, pending, saved_announced
        sh = sh_prev + "".join(self._sh) + sh_tail
        return redact(md), redact(sh)

    def flush(self) -> None:
        """Write both files now (when the project folder exists; until then they wait in memory)."""
        with self._lock:
            if not self.project_dir.is_dir():
                return
            md, sh = self._render()
            atomic_write(self.path, md, new_mode=0o644, durable=False)  # rewritten at every event: no fsync
            atomic_write(self.replay_path, sh, new_mode=0o755, durable=False)
            self._last_flush = time.monotonic()

    def close(self) -> None:
        with self._lock:
            if not self._recorded:
                return
            self._close_output()
            self._flush_sql()
            self.flush()

    def __enter__(self) -> TranscriptWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


__all__: Sequence[str] = ("DbTarget", "TranscriptWriter", "TRANSCRIPT_NAME", "REPLAY_NAME", "database_for", "transcript_for")


def database_for(config: WalkthroughConfig) -> DbTarget | None:
    """Where step 1's SQL goes, as the role step connects (no password), for the replay script."""
    target = config.target
    if target is None:
        return None
    mode = admin_mode(target)
    host, port = target.endpoint(mode)
    return DbTarget(host, port, target.user_for(config.admin_user, mode), target.database)


def transcript_for(config: WalkthroughConfig, mode: str) -> TranscriptWriter:
    """The writer for this project, told where its SQL goes (the wizard updates it once inputs change)."""
    return TranscriptWriter(config.project_dir, mode=mode, database=database_for(config))
