"""The bad-input table for the CLI: what a person types wrong, and what supatui must answer.

Each case is run as `python -m supatui …` in a fresh workspace with stdin closed. Expected:
the exit code (2 bad usage/input, 1 a runtime failure), exactly one stderr line naming the
problem (``expect``) and saying what to do next, no traceback, every file there before kept
byte for byte or backed up, and no ``forbid`` text (a password typed in a flag) echoed.

Placeholders in argv and env: {ref} a well-formed ref, {dir} the project folder, {file} a
plain file, {closed} a loopback port nothing listens on, {sbx_ref}/{sbx_port} the session
sandbox, {pybin} a PATH with only python, {nodebin} python + node + npm (no npx), {ws} the workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REF = "abcdefghijklmnopqrst"
POOLER = "aws-0-eu-west-1.pooler.supabase.com"
TYPED_PW = "Typed-S3cret-in-a-flag"  # a password someone put in a URL or a host flag: never echoed


def _write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)


def setup_common(ws: Path) -> None:
    """Files every case starts with: something precious next to and inside the project folder."""
    _write(ws / "precious.txt", "do not lose me\n")
    _write(ws / "proj" / "notes.md", "# my notes\nkeep these\n")
    _write(ws / "afile", "I am a file, not a folder\n")
    _write(ws / "afile.bin", bytes(range(256)) * 8)
    _write(ws / "unknown.txt", "the quick brown fox jumps over the lazy dog\n")


def setup_existing_project(ws: Path) -> None:
    _write(ws / "proj" / "package.json",
           '{\n  "name": "mine",\n  "version": "1.2.3",\n  "private": true,\n  "scripts": {"start": "node app.js"}\n}\n')
    _write(ws / "proj" / "app.js", "console.log('my app');\n")
    _write(ws / "proj" / ".env", "# mine\nSTRIPE_KEY=sk_test_keep_me\nDATABASE_URL=postgresql://old@localhost/old\n")


def setup_corrupt_env_binary(ws: Path) -> None:
    _write(ws / "proj" / ".env", bytes(range(256)) * 3 + b"\nKEEP_ME=1\n\xff\xfe\x00")


def setup_state_wrong_types(ws: Path) -> None:
    _write(ws / "proj" / ".supatui" / "state.json",
           '{"config": {"target": {"ref": 5, "session_port": "5432"}}, "steps": {"role": "done"}}\n')


def setup_corrupt_env_quotes(ws: Path) -> None:
    _write(ws / "proj" / ".env", "OTHER=\"unterminated\nDATABASE_URL='postgresql://x\nKEEP_ME=yes # trailing\n")


SETUPS: dict[str, Callable[[Path], None]] = {
    "existing-project": setup_existing_project,
    "corrupt-env-binary": setup_corrupt_env_binary,
    "corrupt-env-quotes": setup_corrupt_env_quotes,
    "state-wrong-types": setup_state_wrong_types,
}


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]
    expect: str  # regex the one stderr line must match
    code: int = 2
    env: dict[str, str | None] = field(default_factory=dict)
    setup: str = ""
    sandbox: bool = False  # uses the session sandbox (and the session keyring)
    forbid: tuple[str, ...] = ()
    timeout: float = 60


def _raw(id: str, argv: tuple[str, ...], expect: str, code: int = 2, **kw: object) -> Case:  # noqa: A002
    return Case(id, argv, expect, code, **kw)  # type: ignore[arg-type]


RUN = ("run", "--yes", "--dir", "{dir}")
PW = {"SUPATUI_DB_PASSWORD": "not-the-real-one"}

CASES: list[Case] = [
    # -- malformed URLs ------------------------------------------------------------------------
    _raw("url-no-scheme", (*RUN, "--url", f"postgres.{REF}:pw@{POOLER}:5432/postgres"), r"postgresql://"),
    _raw("url-http-scheme", (*RUN, "--url", f"http://{POOLER}/postgres"), r"postgresql://"),
    _raw("url-empty", (*RUN, "--url", ""), r"url|connection string|database"),
    _raw("url-only-scheme", (*RUN, "--url", "postgresql://"), r"host"),
    _raw("url-no-host", (*RUN, "--url", f"postgresql://postgres.{REF}:pw@/postgres"), r"host"),
    _raw("url-port-99999", (*RUN, "--url", f"postgresql://postgres.{REF}@{POOLER}:99999/postgres"), r"99999.*port"),
    _raw("url-port-abc", (*RUN, "--url", f"postgresql://postgres.{REF}@{POOLER}:abc/postgres"), r"abc.*port"),
    _raw("url-no-ref-user", (*RUN, "--url", f"postgresql://postgres:pw@{POOLER}:5432/postgres"), r"ref"),
    _raw("url-password-placeholder",
         (*RUN, "--url", f"postgresql://postgres.{REF}:[YOUR-PASSWORD]@{POOLER}:5432/postgres"),
         r"placeholder \[YOUR-PASSWORD\].*SUPATUI_DB_PASSWORD"),
    # -- what people really paste (tests/core/test_pasted.py cites the threads) ------------------------
    _raw("url-placeholder-your-password-space",
         (*RUN, "--url", f"postgres://postgres.{REF}:[YOUR PASSWORD]@{POOLER}:6543/postgres?pgbouncer=true"),
         r"placeholder \[YOUR PASSWORD\]"),
    _raw("url-guide-template", (*RUN, "--url", "postgres://[DB-USER].[PROJECT-REF]:[PRISMA-PASSWORD]@[DB-REGION]"
                                ".pooler.supabase.com:5432/postgres"), r"\[DB-USER\].*\[DB-REGION\].*Connect"),
    _raw("url-direct-placeholder-ref",
         (*RUN, "--url", "postgresql://postgres:[YOUR_PASSWORD]@db.[PROJECT_REF].supabase.co:5432/postgres"),
         r"\[PROJECT_REF\]"),
    _raw("url-is-the-api-url", (*RUN, "--url", f"https://{REF}.supabase.co"), r"API URL.*Session pooler"),
    _raw("url-is-the-dashboard", (*RUN, "--url", f"https://supabase.com/dashboard/project/{REF}"), r"dashboard page"),
    _raw("url-newline-in-path", (*RUN, "--url", f"postgresql://postgres.{REF}@{POOLER}:5432/post\ngres"),
         r"line break"),
    _raw("url-nul-in-path", (*RUN, "--url", f"postgresql://postgres.{REF}@{POOLER}:5432/post%00gres"),
         r"control character"),
    _raw("url-host-100k", (*RUN, "--url", f"postgresql://postgres.{REF}@{'a' * 100_000}:5432/postgres"),
         r"longer than a host name"),
    _raw("url-garbage-spaces", (*RUN, "--url", "postgresql://a b c"), r"ref|host|connection string"),
    _raw("url-typed-password-not-echoed",
         (*RUN, "--url", f"postgresql://postgres.{REF}:{TYPED_PW}@{POOLER}:7x/postgres"), r"port",
         forbid=(TYPED_PW,)),
    # -- wrong ports, unreachable hosts (loopback only) ------------------------------------------
    _raw("url-closed-port", (*RUN, "--url", f"postgresql://postgres.{REF}@127.0.0.1:{{closed}}/postgres"),
         r"connect|refused|reach", 1, env=PW),
    _raw("flags-closed-session-port",
         (*RUN, "--ref", REF, "--pooler-host", "127.0.0.1", "--session-port", "{closed}"),
         r"connect|refused|reach", 1, env=PW),
    _raw("direct-closed-port",
         (*RUN, "--ref", REF, "--mode", "direct", "--direct-host", "127.0.0.1", "--direct-port", "{closed}"),
         r"connect|refused|reach", 1, env=PW),
    _raw("session-port-negative", (*RUN, "--ref", REF, "--pooler-host", "127.0.0.1", "--session-port", "-1"),
         r"port", env=PW),
    _raw("session-port-too-big", (*RUN, "--ref", REF, "--pooler-host", "127.0.0.1", "--session-port", "70000"),
         r"port", env=PW),
    _raw("session-port-abc", (*RUN, "--ref", REF, "--pooler-host", "127.0.0.1", "--session-port", "abc"),
         r"port"),
    # -- refs with bad characters ------------------------------------------------------------------
    _raw("ref-uppercase", (*RUN, "--ref", REF.upper(), "--pooler-host", POOLER), r"ref"),
    _raw("ref-19-chars", (*RUN, "--ref", REF[:19], "--pooler-host", POOLER), r"ref"),
    _raw("ref-digits", (*RUN, "--ref", "abcdefghij0123456789", "--pooler-host", POOLER), r"ref"),
    _raw("ref-dotdot", (*RUN, "--ref", "../../../etc/passwd", "--pooler-host", POOLER), r"ref"),
    _raw("ref-empty", (*RUN, "--ref", "", "--pooler-host", POOLER), r"ref"),
    _raw("ref-without-host", (*RUN, "--ref", REF), r"host"),
    _raw("ref-trailing-newline", (*RUN, "--ref", REF + "\n", "--pooler-host", POOLER), r"line break"),
    _raw("ref-placeholder", (*RUN, "--ref", "[PROJECT-REF]", "--pooler-host", POOLER), r"placeholder"),
    _raw("host-with-port", (*RUN, "--ref", REF, "--pooler-host", "127.0.0.1:5432"), r"includes a port.*--session-port"),
    _raw("host-with-newline", (*RUN, "--ref", REF, "--pooler-host", "127.0.0.1\n"), r"line break"),
    _raw("host-100k", (*RUN, "--ref", REF, "--pooler-host", "a" * 100_000), r"longer than a host name", env=PW),
    # -- pooler host given as a URL ------------------------------------------------------------------
    _raw("host-is-a-url", (*RUN, "--ref", REF, "--pooler-host",
                           f"postgresql://postgres.{REF}:{TYPED_PW}@{POOLER}:5432/postgres"),
         r"host", forbid=(TYPED_PW,)),
    _raw("host-with-https", (*RUN, "--ref", REF, "--pooler-host", f"https://{POOLER}/"), r"host"),
    # -- no database, a non-Supabase URL, no terminal -------------------------------------------------
    _raw("no-database-given", RUN, r"database|--url|--sandbox"),
    _raw("non-supabase-url", (*RUN, "--url", "postgresql://postgres@127.0.0.1:5432/postgres"), r"ref"),
    _raw("run-without-yes-no-terminal", ("run", "--dir", "{dir}", "--sandbox"), r"--yes"),
    _raw("no-admin-password", (*RUN, "--ref", REF, "--pooler-host", "127.0.0.1", "--session-port", "{closed}"),
         r"password"),
    _raw("bad-role-name", (*RUN, "--ref", REF, "--pooler-host", "127.0.0.1", "--session-port", "{closed}",
                           "--role", 'bad"name; drop'), r"role", env=PW),
    # -- wrong admin password, against the real sandbox --------------------------------------------------
    _raw("wrong-admin-password",
         (*RUN, "--ref", "{sbx_ref}", "--pooler-host", "127.0.0.1", "--session-port", "{sbx_port}"),
         r"password", 1, env={"SUPATUI_DB_PASSWORD": "definitely-wrong-pw"}, sandbox=True,
         forbid=("definitely-wrong-pw",)),
    _raw("wrong-ref-on-sandbox-pooler",
         (*RUN, "--ref", "zzzzzzzzzzzzzzzzzzzz", "--pooler-host", "127.0.0.1", "--session-port", "{sbx_port}"),
         r"tenant|ref|not found|password", 1, env=PW, sandbox=True),
    # -- folders -------------------------------------------------------------------------------------
    _raw("dir-is-a-file", ("run", "--yes", "--sandbox", "--dir", "{file}"), r"file|folder"),
    _raw("dir-under-a-file", ("run", "--yes", "--sandbox", "--dir", "{file}/sub"), r"folder|create"),
    _raw("wizard-dir-is-a-file", ("--dir", "{file}"), r"file|folder"),
    _raw("dir-empty", ("run", "--yes", "--sandbox", "--dir", ""), r"--dir is empty"),
    _raw("wizard-dir-empty", ("--dir", ""), r"--dir is empty"),
    _raw("dir-5000-chars", ("run", "--yes", "--sandbox", "--dir", "{ws}/" + "d" * 5000), r"too long"),
    _raw("dir-unknown-user", ("run", "--yes", "--sandbox", "--dir", "~no_such_user_here/proj"), r"no user"),
    _raw("state-json-wrong-types", ("run", "--yes", "--sandbox", "--dir", "{dir}"), r"state\.json is damaged",
         setup="state-wrong-types"),
    # -- the environment, not supatui (never "a bug in supatui") ---------------------------------------
    _raw("supatui-home-is-a-file", ("sandbox", "status"), r"is a file.*SUPATUI_HOME", 1,
         env={"SUPATUI_HOME": "{file}"}),
    _raw("run-sandbox-home-is-a-file", ("run", "--yes", "--sandbox", "--dir", "{dir}"), r"is a file.*SUPATUI_HOME", 1,
         env={"SUPATUI_HOME": "{file}"}),
    _raw("sandbox-ports-out-of-range", ("sandbox", "start"), r"SUPATUI_SANDBOX_PORTS.*65535", 1,
         env={"SUPATUI_SANDBOX_PORTS": "70000,70001,70002"}),
    _raw("sandbox-ports-the-same", ("sandbox", "start"), r"SUPATUI_SANDBOX_PORTS.*differ", 1,
         env={"SUPATUI_SANDBOX_PORTS": "55432,55432,55433"}),
    # -- no terminal: the wizard says how to run headless -----------------------------------------------
    _raw("wizard-no-terminal", ("--dir", "{dir}"), r"needs a terminal.*supatui run --yes"),
    _raw("wizard-sandbox-no-terminal", ("--sandbox", "--dir", "{dir}"), r"needs a terminal.*run --yes --sandbox"),
    # -- --sandbox with a real project's inputs ----------------------------------------------------------
    _raw("sandbox-with-url", ("run", "--yes", "--sandbox", "--dir", "{dir}", "--url",
                              f"postgresql://postgres.{REF}@{POOLER}:5432/postgres"), r"--sandbox.*--url"),
    _raw("top-sandbox-with-run-ref", ("--sandbox", "run", "--yes", "--dir", "{dir}", "--ref", REF, "--pooler-host",
                                      POOLER), r"--sandbox.*--ref --pooler-host"),
    # -- keyrings -------------------------------------------------------------------------------------
    _raw("keyring-locked-no-password",
         (*RUN, "--ref", REF, "--pooler-host", "127.0.0.1", "--session-port", "{closed}"),
         r"password", env={"SUPATUI_TEST_KEYRING_LOCKED": "1"}),
    _raw("keyring-locked-with-password",
         (*RUN, "--ref", REF, "--pooler-host", "127.0.0.1", "--session-port", "{closed}"),
         r"connect|refused|reach", 1, env={"SUPATUI_TEST_KEYRING_LOCKED": "1", **PW}),
    _raw("keyring-fail-backend",
         (*RUN, "--ref", REF, "--pooler-host", "127.0.0.1", "--session-port", "{closed}"),
         r"password", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}),
    _raw("keyring-backend-missing-module",
         (*RUN, "--ref", REF, "--pooler-host", "127.0.0.1", "--session-port", "{closed}"),
         r"connect|refused|reach", 1, env={"PYTHON_KEYRING_BACKEND": "no_such_module.Keyring", **PW}),
    # -- npm / package managers missing (step 2 against the session sandbox) -------------------------------
    _raw("npm-missing", ("run", "--yes", "--sandbox", "--from", "project", "--dir", "{dir}"),
         r"node\.?js|npm", 1, env={"PATH": "{pybin}"}, sandbox=True),
    _raw("pm-bun-missing", ("run", "--yes", "--sandbox", "--from", "project", "--pm", "bun", "--dir", "{dir}"),
         r"bun|node\.?js", 1, env={"PATH": "{pybin}"}, sandbox=True),
    _raw("pm-pnpm-without-npx", ("run", "--yes", "--sandbox", "--from", "project", "--pm", "pnpm", "--dir", "{dir}"),
         r"pnpm|npx", 1, env={"PATH": "{nodebin}"}, sandbox=True),
    _raw("keyring-locked-sandbox", ("run", "--yes", "--sandbox", "--from", "project", "--dir", "{dir}"),
         r"keyring|node\.?js|npm", 1, env={"PATH": "{pybin}", "SUPATUI_TEST_KEYRING_LOCKED": "1"}, sandbox=True),
    # -- an existing project and a corrupt .env (kept or backed up) -----------------------------------------
    _raw("existing-project-kept", ("run", "--yes", "--sandbox", "--from", "project", "--dir", "{dir}"),
         r"node\.?js|npm", 1, env={"PATH": "{pybin}"}, setup="existing-project", sandbox=True),
    _raw("corrupt-env-binary", ("run", "--yes", "--sandbox", "--from", "connection", "--dir", "{dir}"),
         r"connection|password|step", 1, setup="corrupt-env-binary", sandbox=True,
         env={"SUPATUI_PRISMA_PASSWORD": "wrong-prisma-pw"}),
    _raw("corrupt-env-binary-no-password", ("run", "--yes", "--sandbox", "--from", "connection", "--role",
                                            "nobody_here", "--dir", "{dir}"),
         r"password|role|step", 1, setup="corrupt-env-binary", sandbox=True),
    _raw("corrupt-env-quotes", ("run", "--yes", "--sandbox", "--from", "connection", "--dir", "{dir}"),
         r"connection|password|step", 1, setup="corrupt-env-quotes", sandbox=True,
         env={"SUPATUI_PRISMA_PASSWORD": "wrong-prisma-pw"}),
    # -- usage mistakes --------------------------------------------------------------------------------
    _raw("unknown-from-step", ("run", "--yes", "--sandbox", "--from", "bogus", "--dir", "{dir}"), r"bogus|from"),
    _raw("unknown-redo-step", ("run", "--yes", "--sandbox", "--redo", "nope", "--dir", "{dir}"), r"nope|redo"),
    _raw("bad-mode", (*RUN, "--mode", "turbo"), r"turbo|mode"),
    _raw("bad-prisma-major", (*RUN, "--prisma", "5"), r"prisma|5"),
    _raw("unknown-command", ("frobnicate",), r"frobnicate|command"),
    _raw("unknown-top-flag", ("--frob",), r"frob|argument"),
    # -- url explain, diagnose, sandbox ---------------------------------------------------------------------
    _raw("url-explain-garbage", ("url", "explain", "not a url at all"), r"url|connection string"),
    _raw("url-explain-empty", ("url", "explain", ""), r"empty|url|connection string"),
    _raw("url-explain-bad-port", ("url", "explain", f"postgresql://postgres.{REF}:{TYPED_PW}@{POOLER}:99999/x"),
         r"port", forbid=(TYPED_PW,)),
    _raw("url-without-action", ("url",), r"explain|action"),
    _raw("url-unknown-action", ("url", "parse", "x"), r"parse|action|explain"),
    _raw("diagnose-unknown-text", ("diagnose", "{ws}/unknown.txt"), r"no known problem|report", 1),
    _raw("diagnose-empty-stdin", ("diagnose", "-"), r"empty|no error text|paste|report|pass"),
    _raw("diagnose-missing-file", ("diagnose", "{ws}/missing.txt"), r"no such file|missing"),
    _raw("diagnose-a-folder", ("diagnose", "{ws}"), r"folder"),
    _raw("diagnose-binary-file", ("diagnose", "{ws}/afile.bin"), r"no known problem|report|text", 1),
    _raw("diagnose-endless-file", ("diagnose", "/dev/zero"), r"more than 1 MB"),
    _raw("url-explain-unclosed-bracket", ("url", "explain", "postgresql://u@[::1:1"), r"without closing"),
    _raw("url-explain-nul-in-path", ("url", "explain", "postgresql://u@localhost:5432/x%00y"), r"control character"),
    _raw("url-explain-newline-in-path", ("url", "explain", "postgresql://u@localhost:5432/x\ny"), r"line break"),
    _raw("url-explain-api-url", ("url", "explain", f"https://{REF}.supabase.co"), r"API URL"),
    _raw("sandbox-unknown-action", ("sandbox", "frob"), r"frob|action"),
    _raw("sandbox-no-action", ("sandbox",), r"start|action"),
    _raw("sandbox-start-bad-flag", ("sandbox", "start", "--bogus"), r"bogus|argument"),
]
