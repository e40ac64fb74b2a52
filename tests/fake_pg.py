"""A fake PostgreSQL server that asks for a cleartext password and refuses it: it counts login attempts.

Protocol v3 (postgresql.org/docs/current/protocol-flow.html, protocol-message-formats.html):
SSLRequest/GSSENCRequest are answered ``N``; the StartupMessage gets AuthenticationCleartextPassword
(``R``, code 3); the PasswordMessage (``p``) is recorded, then ErrorResponse FATAL 28P01
``password authentication failed for user "<user>"`` and close — what PostgreSQL and Supavisor say.
"""

from __future__ import annotations

import asyncio
import struct
import threading
from dataclasses import dataclass, field


@dataclass
class Attempt:
    user: str
    database: str
    password: str


@dataclass
class FakePostgres:
    host: str = "127.0.0.1"
    port: int = 0
    attempts: list[Attempt] = field(default_factory=list)
    connections: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    def __enter__(self) -> FakePostgres:
        ready = threading.Event()

        def main() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            server = loop.run_until_complete(asyncio.start_server(self._client, self.host, 0))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            server.close()
            loop.run_until_complete(server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=main, name="fake-postgres", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                length = struct.unpack("!I", await reader.readexactly(4))[0]
                body = await reader.readexactly(length - 4)
                code = struct.unpack("!I", body[:4])[0]
                if code in (80877103, 80877104):  # SSLRequest, GSSENCRequest
                    writer.write(b"N")
                    await writer.drain()
                    continue
                break
            parts = body[4:].split(b"\0")
            params = dict(zip(parts[0::2], parts[1::2], strict=False))
            writer.write(b"R" + struct.pack("!II", 8, 3))
            await writer.drain()
            kind = await reader.readexactly(1)
            length = struct.unpack("!I", await reader.readexactly(4))[0]
            payload = await reader.readexactly(length - 4)
            if kind != b"p":
                return
            user = params.get(b"user", b"").decode()
            self.attempts.append(Attempt(user, params.get(b"database", b"").decode(),
                                         payload.rstrip(b"\0").decode("utf-8", "replace")))
            message = f'password authentication failed for user "{user.rsplit(".", 1)[0]}"'
            fields = b"SFATAL\0VFATAL\0C28P01\0M" + message.encode() + b"\0\0"
            writer.write(b"E" + struct.pack("!I", len(fields) + 4) + fields)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
