"""Logging in right after a password was set: a few patient retries, never a hammering.

Supavisor caches role secrets (Cachex, notes supabase §4), so for a short while after ``alter user
… password`` the pooler may still check logins against the old one and answer "password
authentication failed" (Supabase's troubleshooting page on that error shortly after a change).
Repeated failed logins trip its circuit breaker (``Circuit breaker open … too many authentication
failures``) and can get the client's IP banned, so: only after *we* changed the password, only
on an auth failure, at most ``attempts`` logins with growing pauses, saying why each time. Any
other failure stops at once. Generic: it knows nothing about the pooler beyond the error code.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from supatui.core.errors import SupatuiError
from supatui.core.events import Emit, Event, EventKind, discard

ATTEMPTS = 4
FIRST_PAUSE = 2.0  # seconds; then 4, 8 (14 s in all, well under Supavisor's 2-minute ban)


def login_after_password_change(login: Callable[[], None], *, step: str, what: str, emit: Emit = discard,
                                attempts: int = ATTEMPTS, first_pause: float = FIRST_PAUSE,
                                sleep: Callable[[float], None] = time.sleep,
                                cancelled: Callable[[], bool] = lambda: False) -> int:
    """Call ``login`` until it succeeds; retry only auth failures. Returns the number of attempts."""
    pause = first_pause
    for attempt in range(1, attempts + 1):
        try:
            login()
            return attempt
        except SupatuiError as exc:
            if exc.code != "auth-failed" or attempt == attempts or cancelled():
                raise
            emit(Event(step, EventKind.WARNING, f"{what}: the login was refused right after the password change. "
                       "The pooler may still be checking logins against the old password for a short while; "
                       f"trying again in {pause:.0f} s (attempt {attempt + 1} of {attempts}).",
                       {"attempt": attempt, "pause": pause}))
            sleep(pause)
            pause *= 2
    raise AssertionError("unreachable")  # pragma: no cover
