"""textual-serve with an access token and only local assets.

textual-serve has no authentication: anyone who reaches the port gets a fresh wizard. Here every
request needs the token, in the URL (``?token=…``, as printed) or in the cookie the page sets
when opened with it (the page's own static files and WebSocket then carry the cookie; the
WebSocket URL cannot carry a query of its own: textual.js appends ``?width=…``). Anything else
gets 403. The page template is textual-serve's with the web-font link replaced by the Roboto Mono
it ships (notes workshop §2.1: fonts.googleapis.com hangs offline pages).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from textual_serve.server import Server

COOKIE = "supatui_serve"
TEMPLATES = Path(__file__).parent / "templates"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def new_token() -> str:
    return secrets.token_urlsafe(18)


class TokenServer(Server):  # type: ignore[misc]
    def __init__(self, command: str, *, host: str, port: int, token: str, title: str) -> None:
        super().__init__(command, host=host, port=port, title=title, templates_path=TEMPLATES)
        self.token = token

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
            return response

        app.middlewares.append(guard)
        return app

    def initialize_logging(self) -> None:
        """No access log: its request lines would carry the token."""
        import logging

        logging.getLogger("aiohttp.access").disabled = True
        logging.basicConfig(level=logging.WARNING, format="%(message)s")

    async def on_startup(self, app: Any) -> None:  # quiet: the command prints the URL itself
        return None
