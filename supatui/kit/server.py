"""`supatui kit serve`: the kit over HTTP — engine mirror, npm registry view, pip simple index.

Routes (read-only, GET/HEAD):
- ``/manifest.json``
- ``/engines/all_commits/…``: static files, so ``PRISMA_ENGINES_MIRROR=http://HOST:PORT/engines``
- ``/npm/<name>`` (``@scope%2fname`` or ``@scope/name``): the packument, with ``dist.tarball`` made absolute
  for the address the client used (Host header), so it works on loopback and across the LAN alike;
  ``/npm/tarballs/<file>``: the tarballs. ``npm_config_registry=http://HOST:PORT/npm/``
- ``/simple/`` and ``/simple/<project>/`` (PEP 503, with ``#sha256=`` fragments), ``/wheels/<file>``

A well-kept registry server (verdaccio) would serve npm as well, but it is itself an npm install
of ~60 packages and serves neither Prisma's engines nor wheels; one stdlib server keeps the kit to
"the instructor's laptop and nothing else".
"""

from __future__ import annotations

import html
import json
import re
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from supatui.kit.manifest import MANIFEST, load
from supatui.kit.npm import packument_file

CHUNK = 1 << 16


def _normalize(project: str) -> str:
    return re.sub(r"[-_.]+", "-", project).lower()


class KitHandler(BaseHTTPRequestHandler):
    server_version = "supatui-kit/1"
    kit: Path  # set on the subclass made by make_server
    wheels: dict[str, list[tuple[str, str]]]  # normalized project -> [(file, sha256)]
    quiet: bool = True

    def log_message(self, fmt: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(fmt, *args)

    def do_HEAD(self) -> None:
        self._route(head=True)

    def do_GET(self) -> None:
        self._route(head=False)

    def _base(self) -> str:
        host = self.headers.get("Host") or self.server.server_address_text  # type: ignore[attr-defined]
        return f"http://{host}"

    def _route(self, *, head: bool) -> None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if ".." in path.split("/"):
            return self._error(HTTPStatus.BAD_REQUEST, "bad path")
        if path == f"/{MANIFEST}":
            return self._file(self.kit / MANIFEST, "application/json", head)
        if path.startswith("/engines/"):
            return self._file(self.kit / path.lstrip("/"), "application/octet-stream", head)
        if path.startswith("/npm/tarballs/"):
            return self._file(self.kit / "npm" / "tarballs" / path.rsplit("/", 1)[-1], "application/octet-stream", head)
        if path.startswith("/npm/"):
            return self._packument(path.removeprefix("/npm/"), head)
        if path.startswith("/wheels/"):
            return self._file(self.kit / "wheels" / path.rsplit("/", 1)[-1], "application/octet-stream", head)
        if path in ("/simple", "/simple/"):
            links = "".join(f'<a href="/simple/{p}/">{p}</a><br>\n' for p in sorted(self.wheels))
            return self._html("Simple index", links, head)
        if path.startswith("/simple/"):
            project = _normalize(path.removeprefix("/simple/").strip("/"))
            files = self.wheels.get(project)
            if files is None:
                return self._error(HTTPStatus.NOT_FOUND, f"no wheels of {project} in this kit")
            links = "".join(f'<a href="/wheels/{html.escape(f)}#sha256={s}">{html.escape(f)}</a><br>\n' for f, s in files)
            return self._html(f"Links for {project}", links, head)
        if path == "/":
            links = '<a href="/manifest.json">manifest.json</a> · <a href="/simple/">simple</a>'
            return self._html("supatui kit", links, head)
        return self._error(HTTPStatus.NOT_FOUND, "not in this kit")

    def _packument(self, name: str, head: bool) -> None:
        name = name.strip("/")
        file = self.kit / "npm" / "packuments" / packument_file(name)
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return self._error(HTTPStatus.NOT_FOUND, f"{name} is not in this kit")
        base = self._base()
        for version in doc.get("versions", {}).values():
            dist = version.get("dist", {})
            if isinstance(dist.get("tarball"), str) and not dist["tarball"].startswith("http"):
                dist["tarball"] = f"{base}/npm/{dist['tarball']}"
        self._bytes(json.dumps(doc).encode(), "application/json", head)

    def _html(self, title: str, body: str, head: bool) -> None:
        page = f"<!DOCTYPE html><html><head><title>{title}</title></head><body>\n{body}</body></html>\n"
        self._bytes(page.encode(), "text/html; charset=utf-8", head)

    def _bytes(self, data: bytes, ctype: str, head: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _file(self, path: Path, ctype: str, head: bool) -> None:
        try:
            resolved = path.resolve()
            resolved.relative_to(self.kit)
            size = resolved.stat().st_size
            if not resolved.is_file():
                raise FileNotFoundError
        except (OSError, ValueError):
            return self._error(HTTPStatus.NOT_FOUND, "not in this kit (a platform left out when it was built?)")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if head:
            return
        with resolved.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                self.wfile.write(chunk)

    def _error(self, status: HTTPStatus, text: str) -> None:
        data = json.dumps({"error": text}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _wheel_index(kit: Path) -> dict[str, list[tuple[str, str]]]:
    index: dict[str, list[tuple[str, str]]] = {}
    for wheel in load(kit).wheels:
        index.setdefault(_normalize(wheel.file.split("-", 1)[0]), []).append((wheel.file, wheel.sha256))
    return index


class KitServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    @property
    def server_address_text(self) -> str:
        host, port = str(self.server_address[0]), int(self.server_address[1])
        return f"{'[' + host + ']' if ':' in host else host}:{port}"

    @property
    def url(self) -> str:
        return f"http://{self.server_address_text}"

    def start_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="supatui-kit-server", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def make_server(kit: Path, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True) -> KitServer:
    """A server for ``kit`` bound to host:port (0: any free port); raises KitError for a non-kit folder."""
    kit = kit.resolve()
    handler = type("BoundKitHandler", (KitHandler,), {"kit": kit, "wheels": _wheel_index(kit), "quiet": quiet})
    return KitServer((host, port), handler)
