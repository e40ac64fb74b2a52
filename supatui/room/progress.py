"""Each seat's progress, read from the world, never from what the attendee says it did.

- role: the ``prisma`` role with the guide's attributes, membership and grants (the role step's
  own catalog queries, ``supatui.core.rolesql``), read as ``supabase_admin`` over the seat's
  private socket in a read-only transaction;
- connection: ``prisma.<ref>`` logged in through the router (its ``login_log``, one JSON line
  per login), or, with a router that does not write one, a ``prisma`` login in the seat's own
  server log (``log_connections = on``);
- migrations: a finished row in ``public._prisma_migrations``;
- test: rows in the guide's ``public."User"`` table.
The project and client steps happen only on the attendee's laptop: they come from the opt-in
status messages (``messages/seat-N.json``), as do the current step, the last failure and hands.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from supatui.core.rolesql import DEFAULT_ACL_KINDS, DEFAULT_ACL_NEEDS, DEFAULT_PRIVS, MEMBERSHIP, ROLE_ATTRS, SCHEMA_PRIVS
from supatui.room.model import FROM_ATTENDEE, STEPS, RoomState, Seat, SeatProgress
from supatui.sandbox.cluster import pid_alive, socket_dir

ROLE, ADMIN, TABLE = "prisma", "postgres", "User"
LOG_TAIL = 4 * 1024 * 1024  # bytes of a seat's server log scanned for the fallback login check


def role_done(conn: Any, role: str = ROLE, admin: str = ADMIN) -> bool:
    attrs = conn.execute(ROLE_ATTRS, (role,)).fetchone()
    if attrs is None or not all(attrs):
        return False
    members = conn.execute(MEMBERSHIP, (role, admin)).fetchone()
    if not members or int(members[0]) == 0:
        return False
    row = conn.execute(SCHEMA_PRIVS, (role,)).fetchone()
    if {"USAGE", "CREATE"} - set(row[0] if row else ()):
        return False
    defaults = {str(kind): set(privs) for kind, privs in conn.execute(DEFAULT_PRIVS, (admin, role)).fetchall()}
    return all(not (DEFAULT_ACL_NEEDS[kind] - defaults.get(kind, set())) for kind in DEFAULT_ACL_KINDS)


def migrations_done(conn: Any) -> bool:
    if conn.execute("select to_regclass('public._prisma_migrations') is not null").fetchone()[0] is not True:
        return False
    row = conn.execute("select count(*) from public._prisma_migrations "
                       "where finished_at is not null and rolled_back_at is null").fetchone()
    return bool(row and row[0])


def test_done(conn: Any) -> bool:
    if conn.execute("select to_regclass('public.\"User\"') is not null").fetchone()[0] is not True:
        return False
    row = conn.execute('select exists (select 1 from public."User")').fetchone()
    return bool(row and row[0])


def read_database(seat: Seat) -> tuple[dict[str, bool], list[str]]:
    """role / migrations / test for one seat; a seat that cannot be read reads as not done, with why."""
    import psycopg

    found = {"role": False, "migrations": False, "test": False}
    try:
        with psycopg.connect(host=str(socket_dir(Path(seat.cluster_dir), seat.pg_port)), port=seat.pg_port,
                             user="supabase_admin", dbname="postgres", connect_timeout=3,
                             options="-c default_transaction_read_only=on -c statement_timeout=3000") as conn:
            conn.read_only = True
            found["role"] = role_done(conn)
            found["migrations"] = migrations_done(conn)
            found["test"] = test_done(conn)
    except psycopg.Error as exc:
        return found, [f"seat {seat.seat}: database not readable ({str(exc).strip().splitlines()[0][:120]})"]
    return found, []


def router_logins(login_log: Path) -> set[str]:
    """Refs that saw a ``prisma`` login through the router (its JSON-lines login log)."""
    refs: set[str] = set()
    try:
        lines = login_log.read_text(errors="replace").splitlines()
    except OSError:
        return refs
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("user") == ROLE and isinstance(entry.get("ref"), str):
            refs.add(entry["ref"])
    return refs


def server_log_login(seat: Seat) -> bool:
    """Fallback: the seat's server log has a ``prisma`` login (log_connections = on)."""
    log = Path(seat.cluster_dir) / "postgres.log"
    try:
        with open(log, "rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - LOG_TAIL))
            text = handle.read()
    except OSError:
        return False
    return f"connection authorized: user={ROLE} ".encode() in text


def read_messages(messages: Path, seat: int) -> dict[str, Any]:
    try:
        data = json.loads((messages / f"seat-{seat}.json").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def seat_progress(seat: Seat, logins: set[str], messages: Path, login_log_exists: bool) -> SeatProgress:
    steps, errors = read_database(seat)
    steps["connection"] = seat.ref in logins or (not login_log_exists and server_log_login(seat))
    said = read_messages(messages, seat.seat)
    raw = said.get("steps")
    reported: dict[str, Any] = raw if isinstance(raw, dict) else {}
    for step in FROM_ATTENDEE:
        steps[step] = reported.get(step) in ("done", "skipped")
    running = _postmaster_alive(seat)
    return SeatProgress(seat.seat, seat.ref, {step: bool(steps.get(step)) for step in STEPS}, running,
                        current=said.get("current") if said.get("current") in STEPS else None,
                        failure=said.get("failure") if isinstance(said.get("failure"), dict) else None,
                        hand=bool(said.get("hand")), seen_at=said.get("seen_at"), errors=errors)


def room_progress(state: RoomState, room_dir: Path, seats: Iterable[int] | None = None) -> list[SeatProgress]:
    """Every seat's progress (in seat order), read in parallel."""
    login_log = room_dir / "logins.jsonl"
    logins = router_logins(login_log)
    # Until the router writes its login log, fall back to the seats' own server logs.
    log_exists = login_log.exists() and login_log.stat().st_size > 0
    chosen = [seat for seat in state.seats if seats is None or seat.seat in set(seats)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda seat: seat_progress(seat, logins, room_dir / "messages", log_exists), chosen))


def _postmaster_alive(seat: Seat) -> bool:
    try:
        pid = int((Path(seat.cluster_dir) / "data" / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return False
    return pid_alive(pid)
