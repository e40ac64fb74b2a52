"""Supavisor's protections, with short configurable windows: the auth circuit breaker and the secrets cache.

Circuit breaker (lib/supavisor/circuit_breaker.ex, operation ``:auth_error``): failures are counted per
``{tenant, peer_ip}`` in a sliding window (Supavisor: 10 in 150 s), then new connections from that address are
refused for ``block_seconds`` (Supavisor: 120 s). Checked before authentication (client_handler.ex).

Secrets cache (lib/supavisor/client_authentication.ex): the role's verifier from auth_query is cached
(Supavisor: 24 h); a wrong password re-fetches it (``handle_wrong_password``, at most 3 refreshes per minute
per pool: client_authentication/refresh_limiter.ex), and when it changed the cache is updated, so after a
password change the first login with the new password fails and the next one works.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class CircuitBreaker:
    def __init__(self, max_failures: int = 10, window: float = 150, block: float = 120) -> None:
        self.max_failures, self.window, self.block = max_failures, window, block
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._blocked: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def is_open(self, key: tuple[str, str]) -> bool:
        if self.max_failures <= 0:
            return False
        with self._lock:
            until = self._blocked.get(key, 0.0)
            if until and until <= time.monotonic():
                del self._blocked[key]
                return False
            return bool(until)

    def record_failure(self, key: tuple[str, str]) -> None:
        if self.max_failures <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if self._blocked.get(key, 0.0) > now:
                return
            failures = self._failures[key]
            failures.append(now)
            while failures and failures[0] < now - self.window:
                failures.popleft()
            if len(failures) >= self.max_failures:
                self._blocked[key] = now + self.block
                failures.clear()


Fetch = Callable[[], "str | None"]


class SecretsCache:
    """(ref, role) -> (verifier text or None, fetched at); ``ttl`` <= 0 turns caching off."""

    REFRESH_LIMIT, REFRESH_PERIOD = 3, 60.0

    def __init__(self, ttl: float = 0) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[str, str], tuple[str, float]] = {}
        self._refreshes: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], fetch: Fetch) -> str | None:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now - entry[1] < self.ttl:
            return entry[0]
        secret = fetch()
        if secret is not None and self.ttl > 0:  # only found roles are cached (a role made later works at once)
            with self._lock:
                self._entries[key] = (secret, now)
        return secret

    def wrong_password(self, key: tuple[str, str], fetch: Fetch) -> None:
        """After a failed login: re-fetch (rate-limited) and keep the new verifier when it changed."""
        if self.ttl <= 0:
            return
        now = time.monotonic()
        with self._lock:
            stamps = self._refreshes[key]
            while stamps and stamps[0] < now - self.REFRESH_PERIOD:
                stamps.popleft()
            if len(stamps) >= self.REFRESH_LIMIT:
                return
            stamps.append(now)
        secret = fetch()
        with self._lock:
            if secret is None:
                self._entries.pop(key, None)
            elif self._entries.get(key, ("", 0.0))[0] != secret:
                self._entries[key] = (secret, now)
