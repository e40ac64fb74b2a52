"""Moving bytes after the startup phase, at close to the kernel's speed.

Plaintext: one thread per direction doing blocking ``recv``/``sendall`` (the GIL is released in both; measured
faster here than asyncio, uvloop or os.splice: benchmarks/router.py). TLS: one thread with ``select``, because
an SSL object must not be used by two threads at once.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import threading

CHUNK = 65536


def _pump(src: socket.socket, dst: socket.socket) -> None:
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    recv_into, sendall = src.recv_into, dst.sendall
    try:
        while True:
            n = recv_into(buffer)
            if not n:
                break
            sendall(view[:n])
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


def relay(client: socket.socket, upstream: socket.socket) -> None:
    """Pipe both ways until both sides are done, then close both."""
    client.settimeout(None)
    upstream.settimeout(None)
    try:
        if isinstance(client, ssl.SSLSocket):
            _relay_tls(client, upstream)
            return
        other = threading.Thread(target=_pump, args=(client, upstream), daemon=True)
        other.start()
        _pump(upstream, client)
        # The server side is done: nothing more will come for the client; unblock the other direction.
        with contextlib.suppress(OSError):
            upstream.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            client.shutdown(socket.SHUT_RDWR)
        other.join(5)
    finally:
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.close()


def _relay_tls(client: ssl.SSLSocket, upstream: socket.socket) -> None:
    while True:
        readable: list[socket.socket]
        if client.pending():
            readable = [client]
        else:
            readable, _, _ = select.select([client, upstream], [], [])
        for sock in readable:
            try:
                data = sock.recv(CHUNK)
            except ssl.SSLWantReadError:
                continue
            except OSError:
                return
            if not data:
                return
            try:
                (upstream if sock is client else client).sendall(data)
            except OSError:
                return
