"""The epoll relay (supatui/router/relay.py) with real sockets: no busy loop, no lost bytes.

A Unix socket whose peer has closed reports EPOLLHUP on every epoll_wait, whatever the event mask says.
When that side's bytes are still waiting for a client that does not read (yet), the loop must neither spin
on the hang-up nor drop what is still to be delivered.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from supatui.router import relay

pytestmark = pytest.mark.skipif(not hasattr(__import__("select"), "epoll"), reason="the epoll loop is Linux-only")

PAYLOAD = os.urandom(300_000)  # more than the client socket holds, less than both sockets plus the loop's buffer


def _loop_cpu_seconds() -> float:
    """CPU time (user + system) of the relay loop thread so far, from /proc/self/task/<tid>/stat."""
    thread = next(t for t in threading.enumerate() if t.name == "relay")
    fields = Path(f"/proc/self/task/{thread.native_id}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _receive_all(sock: socket.socket) -> bytes:
    chunks = []
    sock.settimeout(10)
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_closed_upstream_with_bytes_waiting_for_a_slow_client_neither_spins_nor_loses_bytes() -> None:
    client_app, client_end = socket.socketpair()  # the application and the router's client socket
    upstream_end, server = socket.socketpair()  # the router's upstream socket and the "server"
    relaying = threading.Thread(target=relay.relay, args=(client_end, upstream_end), daemon=True)
    relaying.start()
    time.sleep(0.05)  # the loop thread exists now
    server.settimeout(5)
    server.sendall(PAYLOAD)  # fits in the buffers on the way, so the server can finish and hang up
    server.close()  # EPOLLHUP on upstream_end from now on, with bytes still waiting for the client
    before = _loop_cpu_seconds()
    time.sleep(1.0)  # the client is busy and does not read
    spent = _loop_cpu_seconds() - before
    received = _receive_all(client_app)
    relaying.join(5)
    client_app.close()
    assert received == PAYLOAD, f"{len(PAYLOAD) - len(received)} bytes lost"
    assert not relaying.is_alive()
    assert spent < 0.2, f"the relay loop burnt {spent:.2f} s of CPU in 1 s while waiting for a slow client"


def test_a_client_that_hangs_up_while_bytes_wait_for_it_ends_the_pair() -> None:
    client_app, client_end = socket.socketpair()
    upstream_end, server = socket.socketpair()
    relaying = threading.Thread(target=relay.relay, args=(client_end, upstream_end), daemon=True)
    relaying.start()
    server.settimeout(5)
    server.sendall(PAYLOAD)
    time.sleep(0.1)
    client_app.close()  # nothing can reach it any more: the pair ends and the server sees its end
    relaying.join(5)
    assert not relaying.is_alive()
    with pytest.raises(ConnectionResetError):  # closed with the server's bytes unread, as TCP would say too
        _receive_all(server)
    server.close()
