"""`supatui serve`: the wizard in a real browser (Debian's headless Chromium via playwright-core),
every asset from this laptop, and nothing without the token."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from supatui.core.steps import STEP_IDS, TITLES
from tests.conftest import IN_CI, ROOT, require_tool

HERE = Path(__file__).parent
STEP_WORDS = [f"{n}. {TITLES[step]}" for n, step in enumerate(STEP_IDS, 1)]  # the welcome screen's list


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    pytest.importorskip("textual_serve")
    project = tmp_path_factory.mktemp("served") / "hello-prisma"
    proc = subprocess.Popen([sys.executable, "-m", "supatui", "serve", "--port", str(_free_port()), "--json",
                             "--dir", str(project)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, stdin=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else ""
        info = json.loads(line)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(info["url"], timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield info
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _status(url: str, cookie: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_requests_without_the_token_are_refused(served: dict[str, str]) -> None:
    base = served["public_url"]
    assert served["url"].startswith(base + "/?token=")
    for path in ("/", "/static/js/textual.js", "/ws", "/?token=wrong"):
        assert _status(base + path) == 403, path
    assert _status(served["url"]) == 200
    assert _status(base + "/static/js/textual.js", f"supatui_serve={served['token']}") == 200


def test_the_page_links_only_local_assets(served: dict[str, str]) -> None:
    import re

    with urllib.request.urlopen(served["url"], timeout=5) as answer:
        page = answer.read().decode()
    links = re.findall(r'(?:src|href)="([^"]+)"', page) + re.findall(r'url\("([^"]+)"\)', page)
    assert links and all(link.startswith(served["public_url"] + "/static/") for link in links), links
    assert "googleapis" not in page and "https://" not in page


@pytest.mark.slow
def test_a_real_browser_shows_the_wizards_six_steps(served: dict[str, str], tmp_path: Path) -> None:
    require_tool("node")
    if not Path("/usr/bin/chromium").exists():
        if IN_CI:
            pytest.fail("/usr/bin/chromium is missing, and CI must run this test (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "package.json").write_text('{"name": "probe", "private": true, "type": "module"}\n')
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "playwright-core@1"], cwd=probe, check=True,
                   capture_output=True, timeout=300)
    shutil.copy(HERE / "browser_probe.mjs", probe / "probe.mjs")
    shot = tmp_path / "wizard.png"
    result = subprocess.run(["node", "probe.mjs", served["url"], str(shot), *STEP_WORDS], cwd=probe,
                            capture_output=True, text=True, timeout=180, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["error"] is None, report
    assert report["missing"] == [], report
    assert report["firstByte"] is True  # textual.js wrote the app's output into xterm.js
    origin = served["public_url"].replace("http://", "ws://")
    assert all(url.startswith((served["public_url"], origin)) for url in report["requests"]), report["requests"]
    assert shot.stat().st_size > 10_000
