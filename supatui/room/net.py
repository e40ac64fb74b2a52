"""The room's sockets: distinct free ports, listen addresses, and waiting for a service to listen."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import subprocess
import time

from supatui.core.errors import InputError, SupatuiError


def _bind(host: str, port: int, what: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SupatuiError(f"The room's {what} port {host}:{port} cannot be used ({exc.strerror}).",
                           "Stop the program using it, or pick another address with --listen.",
                           code="room-port") from None
    sock.listen(128)
    return sock


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class _PortPool:
    """Distinct free ports: each stays bound until the pool closes, so two seats never get the same one."""

    def __init__(self, taken: set[int]) -> None:
        self.taken = set(taken)
        self.held: list[socket.socket] = []

    def take(self, host: str = "127.0.0.1") -> int:
        while True:
            sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
            self.held.append(sock)
            if port not in self.taken:
                self.taken.add(port)
                return port

    def __enter__(self) -> _PortPool:
        return self

    def __exit__(self, *exc: object) -> None:
        for sock in self.held:
            sock.close()


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def forwards_direct(listen: str) -> bool:
    """Clusters listen on 127.0.0.1 only: any other room address reaches them through the service's forwarders."""
    return listen != "127.0.0.1"


def check_listen(host: str) -> None:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise InputError(f"--listen {host!r} is not an IP address.",
                         "Pass this laptop's address on the workshop network, e.g. --listen 192.168.1.20 "
                         "(see `ip addr`), or leave it out for loopback only.", field="listen") from None


def join_string(host: str, port: int, code: str) -> str:
    """What an attendee types after ``supatui --join``: ``HOST:PORT/CODE`` (a bare code works on this laptop)."""
    host_part = f"[{host}]" if ":" in host else host
    return f"{host_part}:{port}/{code}"


def _wait_listening(host: str, port: int, proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SupatuiError("The room service stopped at once.", "See service.log in the room's folder.",
                               code="room-service")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5) as probe:
            probe.sendall(b"GET /health HTTP/1.0\r\n\r\n")  # answered once the service (and its forwarders) run
            if probe.recv(12).startswith(b"HTTP/1.1 200"):
                return
        time.sleep(0.01)
    raise SupatuiError("The room service did not start in time.", "See service.log in the room's folder.",
                       code="room-service")
