"""textual-serve with an access token and only local assets.

textual-serve has no authentication: anyone who reaches the port gets a fresh wizard. Here every
request needs the token, in the URL (``?token=…``, as printed) or in the cookie the page sets
when opened with it (the page's own static files and WebSocket then carry the cookie; the
WebSocket URL cannot carry a query of its own: textual.js appends ``?width=…``). Anything else
gets 403. The page template is textual-serve's with the web-font link replaced by the Roboto Mono
it ships (notes workshop §2.1: fonts.googleapis.com hangs offline pages).

textual-serve starts one process per WebSocket, all with the same command: served as is, every
attendee's wizard would write into the same project folder. With ``sessions``, each browser (a
cookie set with the page) gets a folder of its own under the serve root, kept across reloads.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

COOKIE = "supatui_serve"
BROWSER = "supatui_browser"  # which browser a WebSocket comes from: its project folder
TEMPLATES = Path(__file__).parent / "templates"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def new_token() -> str:
    return secrets.token_urlsafe(18)


class SessionFolders:
    """One project folder per browser under ``root``: ``session-1``, ``session-2``, … in the order they
    open, never one that exists already (an earlier serve's), never one a live wizard is using."""

    def __init__(self, root: Path, command: Callable[[Path], str], announce: Callable[[Path], None]) -> None:
        self.root, self.command, self.announce = root, command, announce
        self.by_browser: dict[str, Path] = {}
        self.live: set[Path] = set()

    def open(self, browser: str | None) -> Path:
        folder = self.by_browser.get(browser or "")
        if folder is None or folder in self.live:  # new, or a second tab: never two wizards in one folder
            folder = self._new()
            if browser and browser not in self.by_browser:
                self.by_browser[browser] = folder
            self.announce(folder)
        self.live.add(folder)
        return folder

    def close(self, folder: Path) -> None:
        self.live.discard(folder)

    def _new(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        taken = [int(match[1]) for path in self.root.iterdir() if (match := re.fullmatch(r"session-(\d+)", path.name))]
        number = max(taken, default=0) + 1
        while True:
            try:
                (self.root / f"session-{number}").mkdir()
                return self.root / f"session-{number}"
            except FileExistsError:
                number += 1


class TokenServer(Server):  # type: ignore[misc]
    def __init__(self, command: str, *, host: str, port: int, token: str, title: str,
                 sessions: SessionFolders | None = None) -> None:
        super().__init__(command, host=host, port=port, title=title, templates_path=TEMPLATES)
        self.token = token
        self.sessions = sessions

    @property
    def url(self) -> str:
        return f"{self.public_url}/?token={self.token}"

    def allowed(self, request: web.Request) -> bool:
        given = request.query.get("token") or request.cookies.get(COOKIE) or ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    async def _make_app(self) -> web.Application:
        app: web.Application = await super()._make_app()

        @web.middleware
        async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
            if not self.allowed(request):
                return web.Response(status=403, text="supatui serve: this page needs the link with its token.\n")
            response = await handler(request)
            if request.path == "/" and request.query.get("token") and not response.prepared:
                response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
            if request.path == "/" and not request.cookies.get(BROWSER) and not response.prepared:
                response.set_cookie(BROWSER, secrets.token_urlsafe(12), httponly=True, samesite="Strict")
            return response

        app.middlewares.append(guard)
        return app

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve 1.1's handler, with the command of this browser's own project folder."""
        if self.sessions is None:
            return await super().handle_websocket(request)
        folder = self.sessions.open(request.cookies.get(BROWSER))
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)
            app_service = AppService(self.sessions.command(folder), write_bytes=websocket.send_bytes,
                                     write_str=websocket.send_str, close=websocket.close,  # type: ignore[arg-type]
                                     download_manager=self.download_manager, debug=self.debug)
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:
            logging.getLogger("textual-serve").exception(error)
        finally:
            if app_service is not None:
                await app_service.stop()
            self.sessions.close(folder)
        return websocket

    def initialize_logging(self) -> None:
        """No access log: its request lines would carry the token."""
        import logging

        logging.getLogger("aiohttp.access").disabled = True
        logging.basicConfig(level=logging.WARNING, format="%(message)s")

    async def on_startup(self, app: Any) -> None:  # quiet: the command prints the URL itself
        return None
