from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from supatui.core.errors import Cancelled, SupatuiError
from supatui.core.events import Event, EventKind
from supatui.core.redact import forget_secrets, register_secret
from supatui.core.runner import CancelToken, run_command


def test_streams_lines_and_exit_code(tmp_path: Path) -> None:
    seen: list[Event] = []
    result = run_command([sys.executable, "-c", "print('one'); import sys; print('two', file=sys.stderr); sys.exit(3)"],
                         cwd=tmp_path, step="t", emit=seen.append)
    assert result.returncode == 3
    assert result.output == ["one", "two"] or sorted(result.output) == ["one", "two"]
    kinds = [e.kind for e in seen]
    assert kinds[0] is EventKind.COMMAND and kinds[-1] is EventKind.COMMAND_EXIT
    assert seen[-1].data["returncode"] == 3


def test_secret_goes_through_env_and_is_redacted(tmp_path: Path) -> None:
    forget_secrets()
    register_secret("s3cr3t-value")
    seen: list[Event] = []
    result = run_command([sys.executable, "-c", "import os; print(os.environ['PW'])"], cwd=tmp_path,
                         emit=seen.append, env={"PW": "s3cr3t-value"})
    assert result.output == ["****"]
    assert seen[0].data["env_names"] == ["PW"]
    assert all("s3cr3t-value" not in repr(e) for e in seen)


def test_cancel_kills_the_child_and_its_children(tmp_path: Path) -> None:
    token = CancelToken()
    script = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); " \
             "print('started', flush=True); time.sleep(60)"
    threading.Timer(1.0, token.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        run_command([sys.executable, "-c", script], cwd=tmp_path, cancel=token)
    assert time.monotonic() - started < 20


def test_missing_program_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(SupatuiError, match="not installed"):
        run_command(["supatui-no-such-program"], cwd=tmp_path)
    with pytest.raises(SupatuiError, match="does not exist"):
        run_command([sys.executable, "-V"], cwd=tmp_path / "nope")
