"""The room's data: what is kept on disk (RoomState, no secrets), what a seat's attendee needs
(JoinInfo), what `room start --json` prints (RoomInfo), what `room status` reads (SeatProgress).

Layout under ``$SUPATUI_HOME/room``: ``room.json`` (ports, pids, seats; no secret),
``secrets.json`` (each seat's ``postgres`` password and join code; mode 0600), ``router.json``,
``logins.jsonl`` (the router's login log), ``messages/seat-N.json`` (the attendees' opt-in status
messages, written by the room service). Clusters live in ``clusters/`` (or, as root when the
servers' user cannot reach that folder, under /var/lib/supatui/rooms/<hash>).
"""

from __future__ import annotations

import json
import os
import secrets as _random
import string
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from supatui.core.connstr import ConnectionTarget
from supatui.core.errors import InputError, SupatuiError

STEPS = ("role", "project", "connection", "migrations", "client", "test")
FROM_DATABASE = ("role", "connection", "migrations", "test")  # read from the seat's database / router
FROM_ATTENDEE = ("project", "client")  # only the attendee's laptop knows: opt-in status messages
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read out loud, typed from a card
RESET_HINT = "Run `supatui room stop` and `supatui room start` again; `supatui room reset SEAT` renews one seat."


def room_home() -> Path:
    from supatui.sandbox.model import sandbox_home

    return sandbox_home() / "room"


def generate_ref() -> str:
    return "".join(_random.choice(string.ascii_lowercase) for _ in range(20))


def generate_code() -> str:
    """A join code like ``K7QX-M2PA`` (40 bits): it opens one seat, so it is a secret."""
    raw = "".join(_random.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else text.strip().upper()


@dataclass
class Seat:
    """One attendee's project: its ref, its cluster and ports (no secret)."""

    seat: int
    ref: str
    cluster_dir: str
    pg_port: int  # the cluster's own port (loopback)
    direct_port: int  # what attendees use as the direct port (== pg_port unless the room listens on a LAN address)
    pgbouncer_port: int = 0  # a seat made by an older supatui: its PgBouncer (stopped with the seat, never started)


@dataclass
class RoomState:
    """What ``room.json`` keeps between commands."""

    listen: str
    session_port: int
    transaction_port: int
    service_port: int
    seats: list[Seat] = field(default_factory=list)
    router_pid: int = 0
    service_pid: int = 0
    started_at: float = 0.0

    @classmethod
    def load(cls, path: Path) -> RoomState | None:
        try:
            raw = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            raise SupatuiError(f"The room's state file {path} is damaged.", RESET_HINT, code="room-corrupt") from None
        try:
            known = {f.name for f in fields(cls)}
            data = {key: value for key, value in raw.items() if key in known}
            data["seats"] = [Seat(**seat) for seat in raw.get("seats", [])]
            return cls(**data)
        except (TypeError, AttributeError):
            raise SupatuiError(f"The room's state file {path} is damaged.", RESET_HINT, code="room-corrupt") from None

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2) + "\n")
        os.replace(tmp, path)

    def seat(self, number: int) -> Seat:
        for seat in self.seats:
            if seat.seat == number:
                return seat
        raise InputError(f"The room has no seat {number} (seats 1-{len(self.seats)}).",
                         "Pick a seat number from `supatui room status`.", field="seat")


def load_secrets(path: Path) -> dict[str, dict[str, str]]:
    """``{"1": {"postgres_password": …, "join": …}, …}``; empty when the file is missing."""
    from supatui.core.redact import register_secret

    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        raise SupatuiError(f"The room's secrets file {path} is damaged.", RESET_HINT, code="room-corrupt") from None
    for entry in data.values():
        register_secret(entry.get("postgres_password"))
        register_secret(entry.get("join"))
    return {str(key): dict(value) for key, value in data.items()}


def save_secrets(path: Path, data: dict[str, dict[str, str]]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


@dataclass(frozen=True)
class JoinInfo:
    """What ``GET /join/<code>`` answers: everything an attendee's supatui needs for one seat."""

    seat: int
    ref: str
    pooler_host: str
    session_port: int
    transaction_port: int
    direct_host: str
    direct_port: int
    postgres_password: str = field(repr=False)

    @property
    def target(self) -> ConnectionTarget:
        return ConnectionTarget(self.ref, self.pooler_host, self.session_port, self.transaction_port,
                                direct_host=self.direct_host, direct_port=self.direct_port)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JoinInfo:
        try:
            return cls(int(data["seat"]), str(data["ref"]), str(data["pooler_host"]), int(data["session_port"]),
                       int(data["transaction_port"]), str(data["direct_host"]), int(data["direct_port"]),
                       str(data["postgres_password"]))
        except (KeyError, TypeError, ValueError):
            raise SupatuiError("The room answered the join code with something supatui does not understand.",
                               "Check that the instructor's supatui and yours are the same version.") from None


@dataclass(frozen=True)
class SeatInfo:
    """One seat as `room start --json` prints it (the password included, as asked for)."""

    join_info: JoinInfo = field(repr=False)
    join: str = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        info, target = self.join_info, self.join_info.target
        password = info.postgres_password
        return {"seat": info.seat, "ref": info.ref, "postgres_password": password,
                "session_url": target.url("postgres", password, "session"),
                "transaction_url": target.url("postgres", password, "transaction"),
                "direct_url": target.url("postgres", password, "direct"),
                "join": self.join}


@dataclass(frozen=True)
class RoomInfo:
    host: str
    session_port: int
    transaction_port: int
    service_port: int
    seats: list[SeatInfo]
    transaction_pooling: bool
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"host": self.host, "session_port": self.session_port, "transaction_port": self.transaction_port,
                "service_port": self.service_port, "transaction_pooling": self.transaction_pooling,
                "seats": [seat.to_json() for seat in self.seats]}


@dataclass
class SeatProgress:
    """One seat's progress, as `room status --json` prints it."""

    seat: int
    ref: str
    steps: dict[str, bool]
    running: bool = True
    current: str | None = None  # the step the attendee is on (their status messages)
    failure: dict[str, Any] | None = None  # {"step", "diagnosis", "at"} of the last failure reported
    hand: bool = False
    seen_at: float | None = None  # when the attendee's supatui last sent a message
    errors: list[str] = field(default_factory=list)  # why some steps could not be read

    @property
    def done(self) -> int:
        return sum(1 for value in self.steps.values() if value)

    @property
    def finished(self) -> bool:
        return all(self.steps.get(step) for step in STEPS)

    @property
    def now(self) -> str:
        """What the seat is doing, one word for the board and `room status`: the last step an attendee
        reported stays their "current" one after it is done, so a seat with all six reads as finished."""
        if not self.running:
            return "stopped"
        return "finished" if self.finished else self.current or ""

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "now": self.now}
