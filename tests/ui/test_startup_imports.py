"""The wizard's start imports no subcommand module (they cost ~10% of its first paint), and the
subcommands still parse: `benchmarks/startup.py` measures the effect, these tests keep it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from supatui import cli


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
