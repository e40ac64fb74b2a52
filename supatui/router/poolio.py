"""The transaction pool's clients, servers and the bytes between them (the loop itself is in pool.py).

Client -> server: frames are tracked (a header may arrive in pieces) to count what gets a ReadyForQuery
(Query, Sync, FunctionCall), to see extended-protocol messages still waiting for their Sync, and to drop
Terminate. Server -> client: ReadyForQuery gives the transaction status, ParameterStatus the varcache;
the replies to the pool's own SETs are swallowed. Everything else passes through as it came.
"""

from __future__ import annotations

import collections
import select
import socket
import struct
import threading
import time

from supatui.router import backend

X, Z, PS, IDLE = 0x58, 0x5A, 0x53, 0x49
COUNTED = frozenset(b"QSF")  # each gets exactly one ReadyForQuery
EXTENDED = frozenset(b"PBEDC")  # extended-protocol messages that wait for a Sync
_unpack = struct.Struct("!i").unpack_from
IN, OUT = select.EPOLLIN, select.EPOLLOUT


class Server:
    __slots__ = ("sock", "fd", "pool", "key", "vars", "client", "skip", "hold", "swallow", "status", "out",
                 "since", "setting")

    def __init__(self, opened: backend.Opened, pool: Pool) -> None:
        self.sock, self.fd, self.pool, self.key = opened.sock, opened.sock.fileno(), pool, opened.key
        self.vars = {name: value for name, value in opened.status if name in backend.TRACKED}
        self.client: Client | None = None
        self.skip, self.hold, self.swallow, self.status = 0, b"", 0, IDLE
        self.out = bytearray()
        self.since = time.monotonic()
        self.setting: dict[str, str] = {}


class Client:
    __slots__ = ("sock", "fd", "pool", "vars", "server", "skip", "hold", "pending", "unsynced", "inbuf", "out",
                 "key", "done", "deadline", "closed", "waiting")

    def __init__(self, sock: socket.socket, pool: Pool, wanted: dict[str, str], key: bytes) -> None:
        self.sock, self.fd, self.pool, self.vars, self.key = sock, sock.fileno(), pool, wanted, key
        self.server: Server | None = None
        self.skip, self.hold, self.pending, self.unsynced = 0, b"", 0, False
        self.inbuf = bytearray()  # read while waiting for a server
        self.out = bytearray()
        self.done = threading.Event()
        self.deadline = 0.0
        self.closed = self.waiting = False


class Pool:
    def __init__(self, login: backend.Login, size: int, checkout_timeout: float, idle_timeout: float) -> None:
        self.login, self.size, self.checkout_timeout, self.idle_timeout = login, size, checkout_timeout, idle_timeout
        self.idle: list[Server] = []
        self.waiting: collections.deque[Client] = collections.deque()
        self.total = 0  # open + opening
        self.status: list[tuple[str, str]] | None = None  # a server's ParameterStatus list, for new clients
        self.canon: dict[tuple[str, str], str] = {}  # (name, value asked) -> value PostgreSQL reported


class Traffic:
    """The byte paths of pool.Loop (a mixin: the loop provides the methods declared here)."""

    masks: dict[int, int]

    def _update(self, obj: Client | Server) -> None:
        raise NotImplementedError

    def _checkout(self, client: Client) -> None:
        raise NotImplementedError

    def _set_vars(self, client: Client, server: Server) -> None:
        raise NotImplementedError

    def _release(self, server: Server) -> None:
        raise NotImplementedError

    def _close_client(self, client: Client) -> None:
        raise NotImplementedError

    def _broken(self, obj: Client | Server) -> None:
        raise NotImplementedError

    def _send(self, obj: Client | Server, data: bytes | memoryview) -> None:
        if obj.out:
            obj.out += data
            return
        try:
            sent = obj.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        if sent < len(data):
            obj.out += data[sent:]
            self._update(obj)
            partner = obj.client if isinstance(obj, Server) else obj.server
            if partner is not None:
                self._update(partner)

    def _flush(self, obj: Client | Server) -> None:
        try:
            sent = obj.sock.send(obj.out)
        except (BlockingIOError, InterruptedError):
            return
        del obj.out[:sent]
        if not obj.out:
            self._update(obj)
            partner = obj.client if isinstance(obj, Server) else obj.server
            if partner is not None:
                self._update(partner)

    def _client_readable(self, client: Client, buffer: bytearray, view: memoryview, events: int) -> None:
        if client.waiting:
            if events & (select.EPOLLRDHUP | select.EPOLLHUP | select.EPOLLERR):
                client.pool.waiting.remove(client)
                client.waiting = False
                self._close_client(client)
            return
        n = client.sock.recv_into(buffer)
        if not n:
            self._close_client(client)
            return
        server = client.server
        if server is None:
            if buffer[0] == X and not client.inbuf:  # Terminate with no server: nothing to do
                self._close_client(client)
                return
            idle = client.pool.idle
            if not idle or client.inbuf:
                client.inbuf += view[:n]
                self._checkout(client)
                return
            server = idle.pop()  # the hot path of _checkout/_attach
            client.server, server.client = server, client
            if client.vars != server.vars:
                self._set_vars(client, server)
            if client.out or server.out or self.masks.get(server.fd) != IN:
                self._update(client)
                self._update(server)
        if not client.hold and not client.skip and n >= 5 and _unpack(buffer, 1)[0] + 1 == n and buffer[0] in COUNTED:
            client.pending += 1  # the hot path of _to_server: one whole Query (or Sync)
            client.unsynced = False
            # Traffic._send inlined on purpose: folded, 3 paired runs gave 0.67x of PgBouncer against 0.90x (load 14)
            if server.out:
                server.out += view[:n]
                return
            try:
                sent = server.sock.send(view[:n])
            except (BlockingIOError, InterruptedError):
                sent = 0
            if sent < n:
                server.out += view[sent:n]
                self._update(server)
                self._update(client)
            return
        self._to_server(client, server, view[:n])

    def _to_server(self, client: Client, server: Server, data: bytes | memoryview) -> None:
        """Frame the client's bytes: count what gets a ReadyForQuery, drop Terminate, pass the rest on."""
        if client.hold:
            data = client.hold + bytes(data)
            client.hold = b""
        n = len(data)
        off = client.skip
        if off >= n:
            client.skip = off - n
            self._send(server, data)
            return
        end = n
        while off < n:
            if n - off < 5:
                client.hold = bytes(data[off:])
                end = off
                break
            tag = data[off]
            length = _unpack(data, off + 1)[0]
            if length < 4:
                raise ConnectionError("bad message length")
            if tag in COUNTED:
                client.pending += 1
                client.unsynced = False
            elif tag in EXTENDED:
                client.unsynced = True
            elif tag == X:
                if off:
                    self._send(server, data[:off])
                self._close_client(client)
                return
            off += 1 + length
        client.skip = max(0, off - n)
        self._send(server, data[:end] if end < n else data)

    def _server_readable(self, server: Server, buffer: bytearray, view: memoryview) -> None:
        n = server.sock.recv_into(buffer)
        if not n:
            self._broken(server)
            return
        client = server.client
        if client is None:
            if not server.swallow:  # an idle server talking (a notice, or FATAL before closing)
                return
        elif not server.hold and not server.swallow and not server.skip:  # the hot path: whole messages
            off, unpack, pending, last = 0, _unpack, client.pending, n - 5
            while off < last:
                tag = buffer[off]
                if tag == Z:
                    server.status = buffer[off + 5]
                    pending -= 1
                elif tag == PS:
                    break
                off += 1 + unpack(buffer, off + 1)[0]
            else:
                if off == last and unpack(buffer, off + 1)[0] == 4:  # a body-less message (BindComplete, ...) ends it
                    off = n
                if off == n:  # the chunk ends with a whole message: pass it on as it is
                    client.pending = pending
                    if client.out:  # Traffic._send inlined on purpose (the hot path; see the Query case above)
                        client.out += view[:n]
                    else:
                        try:
                            sent = client.sock.send(view[:n])
                        except (BlockingIOError, InterruptedError):
                            sent = 0
                        if sent < n:
                            client.out += view[sent:n]
                            self._update(client)
                            self._update(server)
                    if (not pending and server.status == IDLE and not client.unsynced and not client.hold
                            and not client.skip and server.client is client):
                        self._release(server)
                    return
        data: bytes | memoryview = view[:n]
        if server.hold:
            data = server.hold + bytes(data)
            server.hold = b""
            n = len(data)
        off = server.skip
        if off >= n and not server.swallow:
            server.skip = off - n
            if client is not None:
                self._send(client, data)
            return
        start = 0
        while off < n:
            if n - off < 5:
                break
            tag = data[off]
            end = off + 1 + _unpack(data, off + 1)[0]
            if server.swallow or tag in (Z, PS):
                if end > n:
                    break
                if server.swallow:
                    if client is not None and off > start:
                        self._send(client, data[start:off])
                    start = end
                if tag == Z:
                    server.status = data[off + 5]
                    if server.swallow:
                        server.swallow -= 1
                        if not server.swallow:
                            self._settled(server)
                    elif client is not None:
                        client.pending -= 1
                elif tag == PS:
                    name, value = backend.parameter(bytes(data[off + 5:end]))
                    if name in backend.TRACKED:
                        server.vars[name] = value
                        if client is not None and not server.swallow:
                            client.vars[name] = value
            off = end
        if off > n:
            server.skip, stop = off - n, n
        else:
            server.skip, stop = 0, off
            if off < n:
                server.hold = bytes(data[off:])
        if client is not None and stop > start:
            self._send(client, data[start:stop] if (start, stop) != (0, len(data)) else data)
        if (client is not None and not client.pending and server.status == IDLE and not client.unsynced
                and not client.skip and not client.hold and not server.swallow and server.client is client):
            self._release(server)

    def _settled(self, server: Server) -> None:
        """The replies to our own SET are in: remember how PostgreSQL spelled each value."""
        client, pool = server.client, server.pool
        for name, asked in server.setting.items():
            got = server.vars.get(name, asked)
            pool.canon[(name, asked)] = got
            if client is not None:
                client.vars[name] = got
        server.setting = {}
