"""A tiny npm registry on 127.0.0.1 whose packages can gain versions mid-test, for real npm runs.

It answers like a registry that sends no cache headers (as this machine's does): packuments as JSON, tarballs
by name. Each package is a one-file tarball (``package/package.json``).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote


def _tgz(name: str, version: str) -> bytes:
    data = json.dumps({"name": name, "version": version}).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("package/package.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class TinyRegistry:
    def __init__(self) -> None:
        self.versions: dict[str, list[str]] = {}
        self.tarballs: dict[str, bytes] = {}
        self.packument_requests = 0
        self.url = ""

    def publish(self, name: str, version: str) -> None:
        self.versions.setdefault(name, []).append(version)
        self.tarballs[f"{name.replace('/', '__')}-{version}.tgz"] = _tgz(name, version)

    def packument(self, name: str) -> dict[str, object] | None:
        if name not in self.versions:
            return None
        docs = {}
        for version in self.versions[name]:
            data = self.tarballs[f"{name.replace('/', '__')}-{version}.tgz"]
            docs[version] = {"name": name, "version": version, "dist": {
                "tarball": f"{self.url}-/{name.replace('/', '__')}-{version}.tgz",
                "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()}}
        return {"name": name, "dist-tags": {"latest": self.versions[name][-1]}, "versions": docs}


@contextmanager
def tiny_registry() -> Iterator[TinyRegistry]:
    registry = TinyRegistry()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = unquote(self.path.lstrip("/"))
            if path.startswith("-/"):
                body = registry.tarballs.get(path[2:])
                kind = "application/octet-stream"
            else:
                registry.packument_requests += 1
                doc = registry.packument(path)
                body = None if doc is None else json.dumps(doc).encode()
                kind = "application/json"
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    registry.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield registry
    finally:
        server.shutdown()
        server.server_close()
