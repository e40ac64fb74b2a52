"""Safe file writes: diff, backup before change, atomic replace, nothing silent."""

from __future__ import annotations

import os
from pathlib import Path

from supatui.core.envfile import write_env
from supatui.core.events import Event, EventKind
from supatui.core.files import (
    Snapshot,
    backup_path,
    ensure_gitignored,
    one_backup_per_run,
    plan_write,
    unified_diff,
    write_file,
)


def test_new_file_is_written_without_backup(tmp_path: Path) -> None:
    events: list[Event] = []
    result = write_file(tmp_path / "a" / "x.txt", "hello\n", step="t", emit=events.append)
    assert result.changed and result.backup is None
    assert (tmp_path / "a" / "x.txt").read_text() == "hello\n"
    assert [e.kind for e in events] == [EventKind.FILE_WRITTEN]


def test_changed_file_is_backed_up_first_and_numbered(tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    path.write_text("one\n")
    os.chmod(path, 0o640)
    first = write_file(path, "two\n")
    second = write_file(path, "three\n")
    assert first.backup == tmp_path / "package.json.bak" and first.backup.read_text() == "one\n"
    assert second.backup == tmp_path / "package.json.bak.1" and second.backup.read_text() == "two\n"
    assert path.read_text() == "three\n"
    assert path.stat().st_mode & 0o777 == 0o640  # mode kept through the atomic replace
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_unchanged_content_touches_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_text("same\n")
    events: list[Event] = []
    assert not write_file(path, "same\n", emit=events.append).changed
    assert events == [] and backup_path(path).name == "x.bak" and not backup_path(path).exists()


def test_plan_shows_a_unified_diff_and_the_backup_name(tmp_path: Path) -> None:
    path = tmp_path / "schema.prisma"
    path.write_text("a\nb\n")
    action = plan_write(path, "a\nc\n", "schema")
    assert "-b\n" in action.diff and "+c\n" in action.diff and action.diff.startswith("--- a/schema.prisma")
    assert action.backup == tmp_path / "schema.prisma.bak"
    assert plan_write(path, "a\nb\n").diff == "" and plan_write(path, "a\nb\n").backup is None
    assert unified_diff(tmp_path / "new.ts", "x").startswith("--- /dev/null")
    assert path.read_text() == "a\nb\n"  # planning writes nothing


def test_snapshot_keeps_a_backup_only_when_a_command_changed_the_file(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("KEEP=1\n")
    untouched = Snapshot(path)
    assert untouched.settle() is None and not (tmp_path / ".env.bak").exists()
    changed = Snapshot(path)
    path.write_text("KEEP=1\nDATABASE_URL=x\n")
    saved = changed.settle()
    assert saved == tmp_path / ".env.bak" and saved.read_text() == "KEEP=1\n"
    assert Snapshot(tmp_path / "absent").settle() is None


def test_one_run_backs_a_file_up_once_from_its_original(tmp_path: Path) -> None:
    """A command changes package.json, a step rewrites it, the role step writes .env twice: one backup each, of the
    user's version; a .gitignore that only gains lines gets none (its old text is still all there)."""
    package = tmp_path / "package.json"
    package.write_text('{"name": "mine"}\n')
    gitignore = tmp_path / ".gitignore"
    gitignore.write_text("mine\n")
    (tmp_path / ".env").write_text("KEEP=1\n")
    with one_backup_per_run():
        snap = Snapshot(package)
        package.write_text('{"name": "mine", "devDependencies": {}}\n')  # the command (npm install) rewrites it
        first = snap.settle()
        second = write_file(package, '{"name": "mine", "devDependencies": {"prisma": "^7"}}\n').backup
        snap = Snapshot(gitignore)
        gitignore.write_text("mine\n.env\n")  # prisma init appends
        assert snap.settle() is None
        assert ensure_gitignored(tmp_path)
        write_env(tmp_path / ".env", {"DATABASE_URL": "postgresql://prisma.x:pw@h:5432/postgres"})
        write_env(tmp_path / ".env", {"DATABASE_URL": "postgresql://prisma.x:pw2@h:5432/postgres"})
    assert first == second == tmp_path / "package.json.bak"
    assert sorted(p.name for p in tmp_path.glob("*.bak*")) == [".env.bak", "package.json.bak"]
    assert (tmp_path / "package.json.bak").read_text() == '{"name": "mine"}\n'
    assert gitignore.read_text().startswith("mine\n.env\n")
    assert (tmp_path / ".env.bak").read_text() == "KEEP=1\n"  # not the run's first .env: the one before the run
    assert "pw2@h" in (tmp_path / ".env").read_text()


def test_a_file_the_user_changed_during_the_run_is_backed_up_again(tmp_path: Path) -> None:
    path = tmp_path / "schema.prisma"
    path.write_text("one\n")
    with one_backup_per_run():
        write_file(path, "two\n")
        path.write_text("edited by hand\n")  # not what this run wrote: it must survive too
        again = write_file(path, "three\n").backup
    assert again == tmp_path / "schema.prisma.bak.1" and again.read_text() == "edited by hand\n"
    assert (tmp_path / "schema.prisma.bak").read_text() == "one\n"


def test_a_file_this_run_created_gets_no_backup_of_itself(tmp_path: Path) -> None:
    path = tmp_path / "index.ts"
    with one_backup_per_run():
        write_file(path, "a\n")
        assert write_file(path, "b\n").backup is None
    assert not list(tmp_path.glob("*.bak*"))


def test_lines_added_to_gitignore_leave_no_backup(tmp_path: Path) -> None:
    """A full run in a fresh folder left .gitignore.bak and .gitignore.bak.1: copies of the .gitignore step 1
    wrote minutes before, taken when prisma init and step 2 appended lines. Lines only added lose nothing."""
    ignore = tmp_path / ".gitignore"
    ignore.write_text("dist/\n*.log")  # the person's own, without a final newline
    snap = Snapshot(ignore)
    ignore.write_text("dist/\n*.log\n.env\n")  # what prisma init does
    assert snap.settle() is None
    assert write_file(ignore, "dist/\n*.log\n.env\nnode_modules\n").backup is None
    assert not list(tmp_path.glob(".gitignore.bak*"))
    changed = write_file(ignore, "node_modules\n")  # a line removed: that is kept
    assert changed.backup is not None and changed.backup.read_text() == "dist/\n*.log\n.env\nnode_modules\n"


def test_an_appended_gitignore_rewritten_later_in_the_run_is_backed_up(tmp_path: Path) -> None:
    """An append (no backup needed) must not mark the file as the run's own: a later change in the same run that
    drops the user's lines keeps them in a backup (it was recorded as 'created by the run' and got none)."""
    gitignore = tmp_path / ".gitignore"
    gitignore.write_text("mine\n")
    with one_backup_per_run():
        assert write_file(gitignore, "mine\n.env\n").backup is None  # appended: nothing lost
        snap = Snapshot(gitignore)
        gitignore.write_text("mine\n.env\nnode_modules\n")  # a command appends too
        assert snap.settle() is None
        rewritten = write_file(gitignore, ".env\n").backup  # the user's line dropped
    assert rewritten is not None and "mine\n" in rewritten.read_text()


def test_an_appended_gitignore_then_rewritten_by_a_step_is_backed_up(tmp_path: Path) -> None:
    gitignore = tmp_path / ".gitignore"
    gitignore.write_text("mine\n")
    with one_backup_per_run():
        assert write_file(gitignore, "mine\n.env\n").backup is None  # appended: nothing lost
        rewritten = write_file(gitignore, ".env\n").backup  # the user's line dropped in the same run
    assert rewritten is not None and rewritten.read_text() == "mine\n.env\n"
