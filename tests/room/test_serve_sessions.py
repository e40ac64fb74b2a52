"""`supatui serve`: each browser session gets its own project folder under the serve root.

Two browsers (two cookie jars, each opening the page with the token and then the page's WebSocket,
as textual.js does) drive two real wizards on the sandbox: the first runs step 1, which writes its
transcript and state; the second gets another folder, never the first's, nor one left by an
earlier serve, and its own run leaves the first's files as they were.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.room.test_serve import _free_port

aiohttp = pytest.importorskip("aiohttp")
CTRL_N, CTRL_R, CTRL_Q = "\x0e", "\x12", "\x11"
DONE = "Step done"


class Served:
    def __init__(self, root: Path, home: Path) -> None:
        env = {**os.environ, "SUPATUI_HOME": str(home), "SUPATUI_SANDBOX_PORTS": "auto",
               "SUPATUI_TEST_KEYRING": str(home.parent / "keyring.json")}
        env.pop("SUPATUI_DB_PASSWORD", None)
        self.env = env
        self.proc = subprocess.Popen([sys.executable, "-m", "supatui", "serve", "--sandbox", "--json", "--port",
                                      str(_free_port()), "--dir", str(root)], cwd=ROOT, env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.info = json.loads(self.next_line())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the URL is printed just before the server listens
            try:
                urllib.request.urlopen(self.info["url"], timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def next_line(self, timeout: float = 30) -> str:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("supatui serve printed nothing more") from None


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    pytest.importorskip("textual_serve")
    root = tmp_path / "served"
    (root / "session-1").mkdir(parents=True)  # left by an earlier serve: never handed out again
    (root / "session-1" / "package.json").write_text('{"name": "earlier"}\n')
    server = Served(root, tmp_path / "home")
    try:
        yield server
    finally:
        server.proc.terminate()
        server.proc.wait(timeout=20)
        subprocess.run([sys.executable, "-m", "supatui", "sandbox", "stop"], env=server.env, cwd=ROOT,
                       capture_output=True, timeout=60, check=False)


async def _browser(served: Served, script: list[tuple[str, str]], until: str) -> dict[str, Any]:
    """One browser: the page (its cookies), its WebSocket, then each key once its screen shows its text."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(served.info["url"]) as page:
            assert page.status == 200
        socket_url = served.info["public_url"].replace("http://", "ws://") + "/ws?width=100&height=30"
        async with http.ws_connect(socket_url) as ws:
            session: dict[str, Any] = json.loads(await asyncio.to_thread(served.next_line))
            screen, steps = "", [*script, (until, "")]
            deadline = time.monotonic() + 120
            while steps and time.monotonic() < deadline:
                try:
                    message = await ws.receive(timeout=1)
                except TimeoutError:
                    continue
                if message.type == aiohttp.WSMsgType.BINARY:
                    screen += re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", message.data.decode(errors="replace"))
                while steps and steps[0][0] in screen:
                    _, key = steps.pop(0)
                    screen = ""  # the next text must come after this key
                    if key:
                        await ws.send_str(json.dumps(["stdin", key]))
            assert not steps, f"never saw {steps[0][0]!r}: {screen[-1500:]}"
            await ws.send_str(json.dumps(["stdin", CTRL_Q]))
            quit_by = time.monotonic() + 30  # the wizard quits: its session's socket closes (was a fixed 1 s)
            while not ws.closed and time.monotonic() < quit_by:
                message = await ws.receive(timeout=quit_by - time.monotonic())
                if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                    break
            assert time.monotonic() < quit_by, "the wizard did not quit on ctrl+q"
    return session


STEP_1 = [("Sandbox: ready", CTRL_N), ("Do it myself", CTRL_R)]


@pytest.mark.slow
def test_two_browser_sessions_get_two_project_folders(served: Served, tmp_path: Path) -> None:
    root = tmp_path / "served"
    first = asyncio.run(_browser(served, STEP_1, DONE))
    first_dir = Path(first["dir"])
    assert first_dir.parent == root and first_dir.name != "session-1", first
    state = first_dir / ".supatui" / "state.json"
    assert json.loads(state.read_text())["steps"]["role"]["status"] == "done"
    before = {path: path.read_bytes() for path in first_dir.rglob("*") if path.is_file()}

    second = asyncio.run(_browser(served, STEP_1, DONE))
    second_dir = Path(second["dir"])
    assert second_dir.parent == root and second_dir not in (first_dir, root / "session-1"), second
    assert (second_dir / ".supatui" / "state.json").exists()  # its own run wrote here
    assert {path: path.read_bytes() for path in first_dir.rglob("*") if path.is_file()} == before
    assert (root / "session-1" / "package.json").read_text() == '{"name": "earlier"}\n'
    assert sorted(path.name for path in root.iterdir()) == sorted(["session-1", first_dir.name, second_dir.name])
