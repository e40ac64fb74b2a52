"""The room service: join codes, the attendees' opt-in status messages, direct-port forwarders.

Run by `supatui room start` as ``python -m supatui.room.service ROOM_DIR`` (stdlib asyncio only).
HTTP, one request per connection:

- ``GET /join/<code>`` → the seat's JoinInfo as JSON (its ``postgres`` password included: the
  code is the seat's key). Unknown codes get 404; more than ``MAX_BAD`` bad codes from one
  address in a minute get 429, so codes cannot be guessed from the room's wifi.
- ``POST /status/<code>`` with ``{"step", "status", "diagnosis", "hand"}`` → stored for the board
  as ``messages/seat-N.json``. Only ids and flags are kept, never free text or output.
- ``GET /health`` → ``ok``.

When the room listens on a LAN address, each seat's direct port is a plain TCP forwarder from
that address to the seat's cluster on loopback (clusters never listen beyond loopback). SIGHUP
re-reads the seats (``room add``/``reset``); SIGTERM stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from supatui.room.model import STEPS, JoinInfo, RoomState, load_secrets, normalise_code

MAX_BAD = 20
STATUSES = ("started", "done", "skipped", "failed", "cancelled")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class Service:
    def __init__(self, room_dir: Path) -> None:
        self.dir = room_dir
        self.state: RoomState | None = None
        self.codes: dict[str, int] = {}
        self.passwords: dict[int, str] = {}
        self.bad: dict[str, list[float]] = {}
        self.forwarders: dict[int, asyncio.Server] = {}
        self.reload()

    def reload(self) -> None:
        self.state = RoomState.load(self.dir / "room.json")
        store = load_secrets(self.dir / "secrets.json")
        self.codes = {normalise_code(entry["join"]): int(seat) for seat, entry in store.items() if entry.get("join")}
        self.passwords = {int(seat): entry.get("postgres_password", "") for seat, entry in store.items()}

    # -- HTTP --------------------------------------------------------------------------------------
    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, body = await asyncio.wait_for(self._answer(reader, writer), timeout=10)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, ValueError, UnicodeError):
            status, body = 400, {"error": "bad request"}
        payload = json.dumps(body).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
                  429: "Too Many Requests"}.get(status, "Error")
        with contextlib.suppress(ConnectionError, OSError):
            writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                         f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload)
            await writer.drain()
        writer.close()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[int, dict[str, Any]]:
        request_line = (await reader.readline()).decode("latin-1").strip()
        method, path, _ = request_line.split(" ", 2)
        length = 0
        while True:
            line = (await reader.readline()).decode("latin-1").strip()
            if not line:
                break
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if length > 4096:
            return 400, {"error": "too large"}
        body = await reader.readexactly(length) if length else b""
        peer = str((writer.get_extra_info("peername") or ("?",))[0])
        parts = [part for part in path.split("?", 1)[0].split("/") if part]
        if parts == ["health"]:
            return 200, {"ok": True}
        if len(parts) != 2 or parts[0] not in ("join", "status"):
            return 404, {"error": "not found"}
        if self._blocked(peer):
            return 429, {"error": "too many wrong codes; wait a minute"}
        seat = self.codes.get(normalise_code(parts[1]))
        if seat is None or self.state is None:
            self.bad.setdefault(peer, []).append(time.monotonic())
            return 404, {"error": "unknown join code"}
        if parts[0] == "join":
            if method != "GET":
                return 405, {"error": "use GET"}
            return 200, self._join(seat).to_json()
        if method != "POST":
            return 405, {"error": "use POST"}
        return self._status(seat, json.loads(body.decode() or "{}"))

    def _blocked(self, peer: str) -> bool:
        now = time.monotonic()
        recent = [at for at in self.bad.get(peer, []) if now - at < 60]
        self.bad[peer] = recent
        return len(recent) >= MAX_BAD

    def _join(self, number: int) -> JoinInfo:
        assert self.state is not None
        seat = self.state.seat(number)
        host = self.state.listen
        return JoinInfo(number, seat.ref, host, self.state.session_port, self.state.transaction_port, host,
                        seat.direct_port, self.passwords.get(number, ""))

    def _status(self, seat: int, data: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(data, dict):
            return 400, {"error": "expected a JSON object"}
        path = self.dir / "messages" / f"seat-{seat}.json"
        try:
            record: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError):
            record = {}
        record.setdefault("steps", {})
        step, status, diagnosis = data.get("step"), data.get("status"), data.get("diagnosis")
        if step is not None:
            if step not in STEPS or status not in STATUSES:
                return 400, {"error": f"step must be one of {', '.join(STEPS)}; status one of {', '.join(STATUSES)}"}
            record["steps"][step] = status
            record["current"] = step
            if status == "failed":
                record["failure"] = {"step": step, "at": time.time(),
                                     "diagnosis": diagnosis if isinstance(diagnosis, str) and _ID.match(diagnosis)
                                     else None}
            elif status in ("done", "skipped") and (record.get("failure") or {}).get("step") == step:
                record["failure"] = None
        if "hand" in data:
            record["hand"] = bool(data["hand"])
        record["seen_at"] = time.time()
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record))
        os.replace(tmp, path)
        return 200, {"ok": True}

    # -- direct-port forwarders (LAN rooms only) -------------------------------------------------
    async def sync_forwarders(self) -> None:
        from supatui.room.net import forwards_direct

        wanted: dict[int, int] = {}
        if self.state is not None and forwards_direct(self.state.listen):
            wanted = {seat.direct_port: seat.pg_port for seat in self.state.seats}
        for port in [port for port in self.forwarders if port not in wanted]:
            self.forwarders.pop(port).close()
        for port, target in wanted.items():
            if port in self.forwarders or self.state is None:
                continue

            async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: int = target) -> None:
                await _forward(reader, writer, target)

            with contextlib.suppress(OSError):
                self.forwarders[port] = await asyncio.start_server(forward, self.state.listen, port)


async def _forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: int) -> None:
    try:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target)
    except OSError:
        writer.close()
        return

    async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                dst.close()

    await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def serve(room_dir: Path, fd: int) -> None:
    service = Service(room_dir)
    sock = socket.socket(fileno=fd)
    sock.setblocking(False)
    await service.sync_forwarders()  # before answering /health: `room start` waits on it
    server = await asyncio.start_server(service.handle, sock=sock)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)

    def on_hup() -> None:
        try:
            service.reload()
        except Exception as exc:  # keep serving the old seats
            print(f"room service: reload failed: {exc}", file=sys.stderr, flush=True)
        loop.create_task(service.sync_forwarders())

    loop.add_signal_handler(signal.SIGHUP, on_hup)
    await stop.wait()
    server.close()
    for forwarder in service.forwarders.values():
        forwarder.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    fd = os.environ.get("SUPATUI_ROOM_SERVICE_FD")
    if len(args) != 1 or not fd:
        print("usage: SUPATUI_ROOM_SERVICE_FD=N python -m supatui.room.service ROOM_DIR", file=sys.stderr)
        return 2
    asyncio.run(serve(Path(args[0]), int(fd)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
