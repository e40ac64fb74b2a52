"""Transaction pooling in the router itself, as Supavisor does it (no PgBouncer behind it).

After the router has authenticated a client (session.py), the client gets its own startup replies
(backend.startup_replies: a router-made BackendKeyData) and is handed to one event-loop thread
(``select.epoll``, level-triggered, no asyncio). A pool per (tenant, user, database) holds up to ``size``
server connections; a client is attached to one only while it has work in flight: from its first message
until a ReadyForQuery with status ``I`` answers the last Query/Sync/FunctionCall it sent (pipelined
batches count each one), so a server in a transaction (``T``/``E``) never serves another client.
Framing is tracked on both sides; bytes are otherwise passed on as they come (one recv, one send).
Clients without a free server queue (FIFO) and fail after ``checkout_timeout`` with Supavisor's
``ECHECKOUTTIMEOUT`` text. A client that terminates or disconnects mid-transaction has its server closed
(PostgreSQL rolls back and frees its locks). Named prepared statements are not tracked, so they collide
or vanish between transactions exactly as on Supabase's pooler for a client without ``pgbouncer=true``
(PgBouncer 1.18: ``42P05``/``26000``). Client parameters PgBouncer's varcache keeps are SET on attach
when the server's differ (backend.TRACKED). Nothing is cleaned up between clients: a session advisory lock
(``prisma migrate``'s ``pg_advisory_lock(72707369)`` over 6543) stays on its server, as Supavisor does
(lib/supavisor/db_handler.ex: cleanup "only supported in session mode").
"""

from __future__ import annotations

import collections
import contextlib
import secrets
import select
import socket
import struct
import threading
import time
from collections.abc import Callable

from supatui.router import backend, wire
from supatui.router.once import PerProcess
from supatui.router.poolio import IN, Client, Pool, Server, Traffic

CHUNK = 65536


class Loop(Traffic, PerProcess):
    def __init__(self) -> None:
        self.epoll = select.epoll()
        self.objs: dict[int, Client | Server] = {}
        self.masks: dict[int, int] = {}
        self.pools: dict[tuple[str, str, str], Pool] = {}
        self.cancels: dict[bytes, Client] = {}
        self.calls: collections.deque[Callable[[], None]] = collections.deque()
        self.wake_at = float("inf")  # the first waiting client's checkout deadline
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self.epoll.register(self._wake_r.fileno(), select.EPOLLIN)
        threading.Thread(target=self._loop, name="txn-pool", daemon=True).start()

    # -- called from connection threads ------------------------------------------------------------------
    def pool(self, key: tuple[str, str, str], login: backend.Login, size: int, checkout_timeout: float,
             idle_timeout: float) -> Pool:
        with self._guard:
            pool = self.pools.get(key)
            if pool is None:
                pool = self.pools[key] = Pool(login, size, checkout_timeout, idle_timeout)
            else:
                pool.login, pool.size, pool.checkout_timeout = login, size, checkout_timeout
            return pool

    def call(self, func: Callable[[], None]) -> None:
        self.calls.append(func)
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    def serve(self, sock: socket.socket, pool: Pool, wanted: dict[str, str], key: bytes) -> None:
        """Hand an authenticated client (startup replies sent) to the loop; return when it is gone."""
        sock.setblocking(False)
        client = Client(sock, pool, wanted, key)
        self.cancels[key] = client
        self.call(lambda: self._add(client))
        try:
            client.done.wait()
        finally:
            self.cancels.pop(key, None)

    def adopt(self, pool: Pool, opened: backend.Opened) -> None:
        """A server connection opened outside the loop (to learn the startup parameters) joins the pool."""
        self.call(lambda: self._opened(pool, opened, counted=False))

    def cancel(self, key: bytes) -> bool:
        """Forward a CancelRequest with a router-made key to the server running that client's query."""
        client = self.cancels.get(key)
        if client is None:
            return False
        server = client.server
        if server is not None:
            backend.cancel(client.pool.login.target, server.key)
        return True

    # -- the loop ---------------------------------------------------------------------------------------
    def _loop(self) -> None:
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        wake, objs = self._wake_r.fileno(), self.objs
        next_sweep = time.monotonic() + 1
        poll, monotonic = self.epoll.poll, time.monotonic
        flushable, other = select.EPOLLOUT | select.EPOLLHUP | select.EPOLLERR, ~select.EPOLLOUT
        client_readable, server_readable = self._client_readable, self._server_readable
        while True:
            for fd, events in poll(max(0.0, min(next_sweep, self.wake_at) - monotonic())):
                obj = objs.get(fd)
                if obj is None:
                    if fd == wake:
                        with contextlib.suppress(OSError):
                            self._wake_r.recv(4096)
                        while self.calls:
                            self._safely(self.calls.popleft())
                    continue
                try:
                    if obj.out and events & flushable:
                        self._flush(obj)
                        if fd not in objs:
                            continue
                    if events & other:
                        if type(obj) is Client:
                            client_readable(obj, buffer, view, events)
                        else:
                            server_readable(obj, buffer, view)  # type: ignore[arg-type]
                except Exception:  # noqa: BLE001 - OSError or worse: end this client or server, never the loop
                    self._broken(obj)
            now = monotonic()
            if now >= next_sweep or now >= self.wake_at:
                next_sweep = now + 1
                self._sweep(now)

    def _safely(self, func: Callable[[], None]) -> None:
        with contextlib.suppress(Exception):
            func()

    def _sweep(self, now: float) -> None:
        self.wake_at = float("inf")
        for pool in list(self.pools.values()):
            while pool.waiting and (pool.waiting[0].closed or pool.waiting[0].deadline <= now):
                client = pool.waiting.popleft()
                client.waiting = False
                if not client.closed:  # lib/supavisor/errors/checkout_timeout_error.ex
                    self._fail(client, "(ECHECKOUTTIMEOUT) unable to check out connection from the pool after "
                                       f"{round(pool.checkout_timeout * 1000)}ms in Transaction mode")
            if pool.waiting:
                self.wake_at = min(self.wake_at, pool.waiting[0].deadline)
            for server in [s for s in pool.idle if now - s.since > pool.idle_timeout]:
                pool.idle.remove(server)
                self._close_server(server)

    # -- registration -----------------------------------------------------------------------------------
    def _watch(self, obj: Client | Server, mask: int) -> None:
        """Poll obj for mask; nothing to wait for: out of the poll set (EPOLLHUP cannot be masked)."""
        fd = obj.fd
        old = self.masks.get(fd, 0)
        if mask == old or fd not in self.objs:
            return
        if not mask:
            self.epoll.unregister(fd)
        elif not old:
            self.epoll.register(fd, mask)
        else:
            self.epoll.modify(fd, mask)
        self.masks[fd] = mask

    def _update(self, obj: Client | Server) -> None:
        out = select.EPOLLOUT if obj.out else 0
        if isinstance(obj, Client):
            server = obj.server
            if server is not None:
                self._watch(obj, out | (0 if server.out else select.EPOLLIN))
            elif obj.waiting:
                self._watch(obj, out | select.EPOLLRDHUP)  # notice a hang-up, read nothing until attached
            else:
                self._watch(obj, out | select.EPOLLIN)
        else:
            client = obj.client
            self._watch(obj, out | (0 if client is not None and client.out else select.EPOLLIN))

    def _add(self, client: Client) -> None:
        self.objs[client.fd] = client
        self._update(client)

    # -- servers: open, attach, release, close -----------------------------------------------------------
    def _checkout(self, client: Client) -> None:
        pool = client.pool
        if pool.idle:
            self._attach(client, pool.idle.pop())
            return
        pool.waiting.append(client)
        client.waiting = True
        client.deadline = time.monotonic() + pool.checkout_timeout
        self.wake_at = min(self.wake_at, client.deadline)
        if pool.total < pool.size:
            pool.total += 1
            login = pool.login
            threading.Thread(target=self._open, args=(pool, login), daemon=True).start()
        self._update(client)

    def _open(self, pool: Pool, login: backend.Login) -> None:
        try:
            opened = backend.open_server(login)
        except backend.LoginFailed as exc:
            failed = exc
            self.call(lambda: self._open_failed(pool, failed))
            return
        except Exception as exc:  # noqa: BLE001 - the waiting client hears about it
            failed = backend.LoginFailed(wire.error_response(f"cannot reach the tenant's database: {exc}", "08006")[5:])
            self.call(lambda: self._open_failed(pool, failed))
            return
        self.call(lambda: self._opened(pool, opened, counted=True))

    def _open_failed(self, pool: Pool, exc: backend.LoginFailed) -> None:
        pool.total -= 1
        while pool.waiting:  # the same login fails for every client waiting for this pool
            client = pool.waiting.popleft()
            client.waiting = False
            if not client.closed:
                self._fail(client, exc.text, exc.code)

    def _opened(self, pool: Pool, opened: backend.Opened, counted: bool) -> None:
        if pool.status is None:
            pool.status = opened.status
        if not counted:
            if pool.total >= pool.size:
                opened.sock.close()
                return
            pool.total += 1
        server = Server(opened, pool)
        self.objs[server.fd] = server
        self._release(server)

    def _attach(self, client: Client, server: Server) -> None:
        client.server, server.client = server, client
        if client.vars != server.vars:
            self._set_vars(client, server)
        if client.inbuf:
            data, client.inbuf = bytes(client.inbuf), bytearray()
            self._to_server(client, server, data)
        self._update(client)
        self._update(server)

    def _set_vars(self, client: Client, server: Server) -> None:
        """PgBouncer's varcache: SET what differs on the server before the client's own messages."""
        wanted = {name: value for name, value in client.vars.items() if server.vars.get(name) != value}
        if wanted:
            server.setting = wanted
            server.swallow += 1
            self._send(server, backend.set_query(wanted))

    def _release(self, server: Server) -> None:
        """The server is idle (status I, nothing in flight): to the first waiting client, else the idle list."""
        pool = server.pool
        client = server.client
        if client is not None:
            client.server = server.client = None
            if client.out or self.masks.get(client.fd) != IN:
                self._update(client)
        while pool.waiting:
            waiter = pool.waiting.popleft()
            waiter.waiting = False
            if not waiter.closed:
                self._attach(waiter, server)
                return
        server.since = time.monotonic()
        pool.idle.append(server)
        if server.out or self.masks.get(server.fd) != IN:
            self._update(server)

    def _close_server(self, server: Server) -> None:
        pool = server.pool
        if self.objs.pop(server.fd, None) is server:
            self.masks.pop(server.fd, None)
            with contextlib.suppress(OSError, ValueError):
                self.epoll.unregister(server.fd)
            pool.total -= 1
        with contextlib.suppress(OSError):
            server.sock.close()
        client = server.client
        if client is not None:
            server.client = client.server = None
        if server in pool.idle:
            pool.idle.remove(server)
        if pool.waiting and pool.total < pool.size:  # a waiting client gets a fresh one
            waiter = pool.waiting.popleft()
            waiter.waiting = False
            if not waiter.closed:
                self._checkout(waiter)

    # -- clients -------------------------------------------------------------------------------------------
    def _fail(self, client: Client, text: str, code: str = "XX000") -> None:
        self._send(client, wire.error_response(text, code))
        if client.out:  # the client is not reading: give up on the message
            client.out.clear()
        self._close_client(client)

    def _close_client(self, client: Client) -> None:
        if client.closed:
            return
        client.closed = True
        server = client.server
        if server is not None:  # mid-transaction or mid-query: PostgreSQL rolls back when it is closed
            self._close_server(server)
        if self.objs.pop(client.fd, None) is client:
            self.masks.pop(client.fd, None)
            with contextlib.suppress(OSError, ValueError):
                self.epoll.unregister(client.fd)
        with contextlib.suppress(OSError):
            client.sock.shutdown(socket.SHUT_RDWR)
        client.done.set()  # the connection thread closes the socket

    def _broken(self, obj: Client | Server) -> None:
        if isinstance(obj, Client):
            self._close_client(obj)
            return
        client = obj.client
        self._close_server(obj)
        if client is not None:
            self._close_client(client)


def cancel(key: bytes) -> bool:
    """True when the key is one of the pool's (the cancel went to the server running that client's query)."""
    loop = Loop.existing()
    return loop is not None and loop.cancel(key)


def router_key() -> bytes:
    """A BackendKeyData body of the router's own (pid, secret)."""
    return struct.pack("!i", secrets.randbelow(1 << 31)) + secrets.token_bytes(4)
