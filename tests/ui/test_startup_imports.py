"""The wizard's start: no subcommand module, and nothing the first frame does not show (steps, psycopg,
keyring) before it; `benchmarks/startup.py` measures the effect, these tests keep the structure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from supatui import cli
from supatui.ui.screens.step import StepScreen
from supatui.ui.screens.welcome import WelcomeScreen
from tests.ui.conftest import AppFactory
from tests.ui.helpers import settle


def _modules_after(argv: list[str]) -> set[str]:
    code = ("import sys, supatui.cli as c\n"
            f"words = {argv!r}\n"
            "orig = c.build_parser\n"
            "def stop(with_commands=True):\n"
            "    p = orig(with_commands); p.parse_args(words)\n"
            "    print(' '.join(sorted(m for m in sys.modules if m.startswith('supatui.commands')))); raise SystemExit(0)\n"
            "c.build_parser = stop\n"
            "c.main(words)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return set(out.stdout.split())


def test_wizard_start_imports_no_subcommand() -> None:
    assert _modules_after(["--dir", "/tmp/x", "--sandbox"]) == set()


def test_subcommand_still_registers_all() -> None:
    assert "supatui.commands.url" in _modules_after(["url", "explain", "x"])


@pytest.mark.parametrize("argv", [["foo"], ["--dir", "x", "bogus"]])
def test_unknown_word_still_named_as_an_invalid_command(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == cli.EXIT_USAGE
    assert "invalid choice" in capsys.readouterr().err


def test_help_lists_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "diagnose" in capsys.readouterr().out


# What the wizard must not load before its first frame (issue 11 item 7): they load after it, when needed.
_NOT_BEFORE_FIRST_FRAME = ("psycopg", "keyring", "supatui.core.steps.", "supatui.core.walkthrough",
                           "supatui.ui.screens.step", "supatui.ui.widgets.step_form", "supatui.commands.",
                           "supatui.core.transcript", "supatui.core.result", "dotenv", "secrets")

_FIRST_FRAME_PROBE = '''
import os, sys
import textual.app
import textual.drivers.linux_driver as driver
write = driver.LinuxDriver.write
apps = []
init = textual.app.App.__init__

def remember(self, *args, **kwargs):
    apps.append(self)
    init(self, *args, **kwargs)

def probe(self, data):
    write(self, data)
    if "This guide connects" in data:  # the welcome's first frame
        mounted = [w.id for w in apps[0].screen.query("*") if w.id]
        with open(sys.argv[1], "w") as out:
            out.write(" ".join(sorted(sys.modules)) + "\\n" + " ".join(mounted))
        os._exit(0)

driver.LinuxDriver.write = probe
textual.app.App.__init__ = remember
from supatui.cli import main
main(["--dir", sys.argv[2]])
'''


def _at_first_frame(tmp_path: Path) -> tuple[set[str], set[str]]:
    """(modules loaded, ids of the widgets mounted) when the wizard hands its first frame to the terminal."""
    import pty  # a real terminal: the wizard refuses a pipe

    out = tmp_path / "first-frame.txt"
    env = dict(os.environ, SUPATUI_HOME=str(tmp_path / "home"), TERM="xterm-256color", COLUMNS="100", LINES="30")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the wizard, in the pty
        os.execve(sys.executable, [sys.executable, "-c", _FIRST_FRAME_PROBE, str(out), str(tmp_path / "hp")], env)
    while True:  # drain the pty until the child has gone
        try:
            if not os.read(fd, 65536):
                break
        except OSError:
            break
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0 and out.exists(), "the wizard drew no first frame"
    modules, mounted = out.read_text().split("\n")
    return set(modules.split()), set(mounted.split())


def test_first_frame_loads_no_step_psycopg_or_keyring(tmp_path: Path) -> None:
    modules, mounted = _at_first_frame(tmp_path)
    assert "supatui.ui.screens.welcome" in modules  # the probe did see the welcome
    early = sorted(m for m in modules if m.startswith(_NOT_BEFORE_FIRST_FRAME) or m in ("psycopg", "keyring"))
    assert early == []
    assert "welcome-steps" in mounted and "resume" not in mounted  # the buttons come just after it


async def test_welcome_is_the_base_of_the_screen_stack(make_app: AppFactory) -> None:
    """The welcome is the first screen (no CSS re-parse before the first frame): steps go on it and come off it."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        welcome = app.screen
        assert isinstance(welcome, WelcomeScreen) and app.screen_stack == [welcome]
        app.show_step("role")
        await settle(pilot)
        app.show_step("project")  # one step screen replaces another
        await settle(pilot)
        assert [type(s) for s in app.screen_stack] == [WelcomeScreen, StepScreen]
        await pilot.press("ctrl+t")  # a panel over the step, then straight back to the overview
        await settle(pilot)
        app.action_welcome()
        await settle(pilot)
        assert app.screen_stack == [welcome] and app.state.current is None
        app.show_step("role")
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.screen_stack == [welcome] and app.state.current is None
        await pilot.press("enter")  # the buttons are there now, and Enter still continues
        await settle(pilot)
        assert isinstance(app.screen, StepScreen) and app.screen.step.id == "role"
