"""The .env writer: double-quoted values every parser reads alike, nothing else lost."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from dotenv import dotenv_values

from supatui.core.envfile import EnvValueError, compute_update, format_line, mask_text, read_values, write_env
from supatui.core.events import Event, EventKind
from supatui.core.redact import register_secret

URL = "postgresql://prisma.abcdefghijklmnopqrst:p%40ss%23%24%27%22@aws-1-eu-west-1.pooler.supabase.com:5432/postgres"


def test_new_file_is_0600_and_parses(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    result = write_env(path, {"DATABASE_URL": URL}, header="written by supatui")
    assert result.changed and result.backup is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == f'# written by supatui\nDATABASE_URL="{URL}"\n'
    assert dotenv_values(path) == {"DATABASE_URL": URL}
    assert read_values(path) == {"DATABASE_URL": URL}


def test_keeps_other_keys_comments_order_and_backs_up(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    original = ('# my app\nexport SECRET_KEY=abc # inline\n\nDATABASE_URL="prisma+postgres://localhost:51213/?api_key=x"\n'
                'MULTI="one\ntwo"\nLAST=1')
    path.write_text(original)
    os.chmod(path, 0o640)
    events: list[Event] = []
    result = write_env(path, {"DATABASE_URL": URL, "DIRECT_URL": URL}, emit=events.append, step="connection")
    text = path.read_text()
    assert text == ('# my app\nexport SECRET_KEY=abc # inline\n\n'
                    f'DATABASE_URL="{URL}"\nDIRECT_URL="{URL}"\nMULTI="one\ntwo"\nLAST=1')
    assert result.backup == tmp_path / ".env.bak"
    assert result.backup.read_text() == original
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # private whatever it was (issue 10, defect 5)
    assert dotenv_values(path) == {"SECRET_KEY": "abc", "DATABASE_URL": URL, "DIRECT_URL": URL,
                                   "MULTI": "one\ntwo", "LAST": "1"}
    assert [e.kind for e in events] == [EventKind.FILE_WRITTEN] * 2  # .gitignore first, then .env
    assert events[0].data["path"] == str(tmp_path / ".gitignore")
    # Unchanged second write: no file touched, no new backup.
    again = write_env(path, {"DATABASE_URL": URL, "DIRECT_URL": URL})
    assert not again.changed and not (tmp_path / ".env.bak.1").exists()
    # A further change keeps the first backup and adds .env.bak.1.
    write_env(path, {"DATABASE_URL": URL + "?x=1"})
    assert (tmp_path / ".env.bak.1").exists() and result.backup.read_text() == original


def test_export_prefix_crlf_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_bytes(b"export DATABASE_URL=old\r\nA=1\r\nDATABASE_URL=older\r\n")
    write_env(path, {"DATABASE_URL": URL})
    assert path.read_bytes() == f'export DATABASE_URL="{URL}"\r\nA=1\r\nDATABASE_URL="{URL}"\r\n'.encode()


def test_unparseable_lines_kept_and_reported(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("A=1\n\nthis is not a line\nB=2\n")
    events: list[Event] = []
    result = write_env(path, {"DATABASE_URL": URL}, emit=events.append)
    assert "this is not a line\n" in path.read_text()
    assert result.backup is not None and result.backup.read_text() == "A=1\n\nthis is not a line\nB=2\n"
    assert any(e.kind == EventKind.WARNING and "line(s) 3" in e.text for e in events)


def test_binary_file_is_backed_up_not_lost(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    garbage = b"\xff\xfe\x00A=1\x00\x9c"
    path.write_bytes(garbage)
    events: list[Event] = []
    result = write_env(path, {"DATABASE_URL": URL}, emit=events.append)
    assert result.backup is not None and result.backup.read_bytes() == garbage
    assert read_values(path) == {"DATABASE_URL": URL}
    assert any(e.kind == EventKind.WARNING and "not UTF-8" in e.text for e in events)


def test_symlinked_env_edits_the_target(tmp_path: Path) -> None:
    real = tmp_path / "shared.env"
    real.write_text("A=1\n")
    (tmp_path / ".env").symlink_to(real)
    write_env(tmp_path / ".env", {"DATABASE_URL": URL})
    assert (tmp_path / ".env").is_symlink()
    assert read_values(real) == {"A": "1", "DATABASE_URL": URL}


@pytest.mark.parametrize("value", ['a"b', "a\\b", "a\nb", "a$HOME"])
def test_unsafe_values_refused(value: str) -> None:
    with pytest.raises(EnvValueError):
        format_line("K", value)


def test_diff_is_masked(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text('DATABASE_URL="postgresql://prisma.x:oldsecret@h:5432/postgres"\n')
    register_secret("n3wS3cretValue")
    update = compute_update(path, {"DATABASE_URL": "postgresql://prisma.x:n3wS3cretValue@h:6543/postgres"})
    diff = update.diff()
    assert "oldsecret" not in diff and "n3wS3cretValue" not in diff
    assert "-DATABASE_URL=\"postgresql://prisma.x:****@h:5432" in diff
    assert "+DATABASE_URL=\"postgresql://prisma.x:****@h:6543" in diff
    assert mask_text("x postgres://u:p@ss@h/db y") == "x postgres://u:****@h/db y"
