"""The router's entry point as a script (``python -I -S supatui/sandbox/router.py CONFIG.json``, a fast start).

The router itself is the stdlib-only package :mod:`supatui.router` (server.py, session.py, wire.py, ...);
this file stays so the sandbox can run it by path, and re-exports what callers used from here.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # run by path: make the package importable without site-packages
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from supatui.router.server import main  # noqa: E402
from supatui.router.wire import error_response, parse_params, route, startup_message  # noqa: E402

__all__ = ["error_response", "main", "parse_params", "route", "startup_message"]

if __name__ == "__main__":
    raise SystemExit(main())
