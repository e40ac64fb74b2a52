"""Regenerate screenshots/*.svg: every screen of the wizard, driven by keys on the sandbox.

    python scripts/screenshots.py [--out screenshots] [--size 110x36]

Runs the whole walkthrough (real npm and Prisma: about a minute with a warm npm cache) in a
private SUPATUI_HOME and keyring file, so neither your sandbox nor your keyring is touched.
Offline machines need a Prisma schema engine: set PRISMA_SCHEMA_ENGINE_BINARY.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _isolate(tmp: Path) -> None:
    """Before anything imports keyring: a throwaway home and keyring file."""
    os.environ["SUPATUI_HOME"] = str(tmp / "home")
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.keyring_backend.FileKeyring"
    os.environ["SUPATUI_TEST_KEYRING"] = str(tmp / "keyring.json")
    os.chmod(tmp, 0o755)  # the sandbox's server user must traverse it when we are root
    sys.path.insert(0, str(ROOT))


async def _wait(pilot: Any, predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await pilot.pause(0.2)
    from textual.worker import WorkerCancelled

    for _ in range(50):  # an exclusive worker replaced by a newer one is cancelled by design
        try:
            await pilot.app.workers.wait_for_complete()
            break
        except WorkerCancelled:
            continue
    await pilot.pause(0.3)
    return True


async def walkthrough(out: Path, size: tuple[int, int], project: Path) -> list[Path]:
    from supatui.core.context import StepContext, WalkthroughConfig
    from supatui.ui.app import SupatuiApp
    from supatui.ui.screens.failure import FailureScreen
    from supatui.ui.state import Status

    saved: list[Path] = []

    def shot(app: SupatuiApp, name: str) -> None:
        saved.append(Path(app.save_screenshot(filename=f"{name}.svg", path=str(out))))

    app = SupatuiApp(StepContext(WalkthroughConfig(project_dir=project, sandbox=True)), sandbox=True)
    async with app.run_test(size=size) as pilot:
        await _wait(pilot, lambda: app.state.sandbox_status in ("ready", "failed"), 90)
        await _wait(pilot, lambda: all(s.status is not Status.CHECKING for s in app.state.steps.values()), 60)
        shot(app, "01-welcome")
        await pilot.press("enter")
        for number, step_id in enumerate(app.state.step_ids, start=1):
            await _wait(pilot, lambda: getattr(app.screen, "errors", None) == {}, 30)
            shot(app, f"{number + 1:02d}-{step_id}-plan")
            await pilot.press("ctrl+r")
            await _wait(pilot, lambda: app.state.running is None, 300)
            await pilot.pause(6)  # let the toast fade
            if isinstance(app.screen, FailureScreen):
                shot(app, f"{number + 1:02d}-{step_id}-failed")
                return saved
            app.screen.query_one("#checks").scroll_visible(animate=False)
            await pilot.pause(0.3)
            shot(app, f"{number + 1:02d}-{step_id}-done")
            if step_id != "test":
                await pilot.press("ctrl+n")
        await pilot.press("ctrl+t")
        await pilot.pause(0.5)
        shot(app, "08-transcript")
        await pilot.press("escape", "ctrl+n")
        await pilot.pause(0.5)
        shot(app, "09-all-done")
    return saved


async def failure(out: Path, size: tuple[int, int], project: Path) -> Path:
    """The failure panel, for real: the sandbox's project with a wrong postgres password."""
    from supatui.core.context import Secrets, StepContext, WalkthroughConfig
    from supatui.sandbox import Sandbox
    from supatui.ui.app import SupatuiApp

    info = Sandbox().start()
    ctx = StepContext(WalkthroughConfig(project_dir=project, target=info.target),
                      Secrets(admin_password="not-the-password"))
    app = SupatuiApp(ctx, sandbox=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause(1)
        await pilot.press("enter")
        await _wait(pilot, lambda: getattr(app.screen, "errors", None) == {}, 30)
        await pilot.press("ctrl+r")
        await _wait(pilot, lambda: app.state.running is None, 60)
        await pilot.pause(1)
        return Path(app.save_screenshot(filename="10-failure.svg", path=str(out)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--size", default="110x36", help="terminal size, COLSxROWS")
    args = parser.parse_args()
    cols, rows = (int(part) for part in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="supatui-shots-") as tmp_name:
        tmp = Path(tmp_name)
        _isolate(tmp)
        from supatui.sandbox import Sandbox

        Sandbox(tmp / "home", ports="auto").start()
        try:
            saved = asyncio.run(walkthrough(args.out, (cols, rows), tmp / "hello-prisma"))
            saved.append(asyncio.run(failure(args.out, (cols, rows), tmp / "other")))
        finally:
            Sandbox(tmp / "home").stop()
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
