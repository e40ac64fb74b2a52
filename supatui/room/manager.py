"""`Room`: start, stop, status, reset and grow a room of seats behind one router.

The router is the sandbox's (``supatui.sandbox.router``), run with a config of one tenant per seat
(``role.<ref>`` → that seat's cluster on the session port, and the router's own transaction pool in front of
that cluster on the transaction port, as on the sandbox);
``room add`` and ``room reset`` rewrite the config and SIGHUP it. The room service
(``supatui.room.service``) answers join codes and takes the attendees' status messages.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from supatui.core import secrets
from supatui.core.errors import InputError, SupatuiError
from supatui.room.model import (
    JoinInfo,
    RoomInfo,
    RoomState,
    Seat,
    SeatInfo,
    generate_code,
    generate_ref,
    load_secrets,
    room_home,
    save_secrets,
)
from supatui.room.net import (  # noqa: F401  (re-exported for the commands and the service)
    _bind,
    _PortPool,
    _wait_listening,
    check_listen,
    forwards_direct,
    free_port,
    is_loopback,
    join_string,
    port_free,
)
from supatui.room.seats import SeatCluster, ensure_template
from supatui.sandbox import routercfg, runas
from supatui.sandbox.cluster import pid_alive, socket_dir, wait_gone


def _tenant(seat: Seat) -> dict[str, object]:
    """A seat as the router's tenant: SCRAM checked against the seat's own verifiers (auth_query over its private,
    trusted socket) and a transaction pool of the router's own, as routercfg builds the sandbox's."""
    run_dir = str(socket_dir(Path(seat.cluster_dir), seat.pg_port))
    return {"session": ["127.0.0.1", seat.pg_port], "transaction": None,
            "auth_query": {"socket_dir": run_dir, "port": seat.pg_port, "user": "supabase_admin"},
            "pool": {"socket_dir": run_dir, "port": seat.pg_port, "size": routercfg.POOL_SIZE,
                     "idle_timeout": routercfg.IDLE_TIMEOUT}}


MAX_SEATS = 200
PARALLEL = 4  # seats set up at once (copy + start): 2 cores, and the rest of the laptop
DEFAULT_PORTS = (5432, 6543, 8632)  # session, transaction, service: Supabase's own pooler ports when free


class Room:
    def __init__(self, home: Path | None = None, *, ports: str | None = None) -> None:
        self.dir = Path(home) if home is not None else room_home()
        self.state_path = self.dir / "room.json"
        self.secrets_path = self.dir / "secrets.json"
        self.router_config = self.dir / "router.json"
        self.login_log = self.dir / "logins.jsonl"
        self.messages = self.dir / "messages"
        self._ports = ports if ports is not None else os.environ.get("SUPATUI_ROOM_PORTS") or None

    # -- paths ---------------------------------------------------------------------------------
    def clusters_dir(self, who: runas.RunAs) -> Path:
        base = self.dir / "clusters"
        if runas.can_traverse(self.dir, who):
            return base
        key = hashlib.sha256(str(self.dir.resolve()).encode()).hexdigest()[:16]
        return runas.STAGE_ROOT / "rooms" / key

    def state(self) -> RoomState | None:
        return RoomState.load(self.state_path)

    def _tools(self) -> tuple[runas.RunAs, Path]:
        who = runas.current()
        return who, runas.stage_bin_dir(runas.find_bin_dir(), who)

    # -- start ---------------------------------------------------------------------------------
    def start(self, seats: int, listen: str | None = None) -> RoomInfo:
        """Start a room of ``seats`` seats (or resume a stopped one; its seat count and address are kept).

        ``listen`` None: the room's own address (loopback for a new room); another one than the room's is
        refused, running or not (the join strings name the room's address).
        """
        if listen is not None:
            check_listen(listen)
        if not 1 <= seats <= MAX_SEATS:
            raise InputError(f"--seats {seats} is out of range.", f"Pick 1 to {MAX_SEATS} seats.", field="seats")
        started = time.monotonic()
        with self._lock():
            state = self.state()
            if state is not None and listen is not None and state.listen != listen:
                raise InputError(f"The room was made for {state.listen}, not {listen}.",
                                 f"Run `supatui room start` (it keeps {state.listen}), or `supatui room stop --delete` "
                                 "first to make a new room.", field="listen")
            if state is not None and self._router_alive(state):
                return self._info(state, time.monotonic() - started)
            who, bin_dir = self._tools()
            fresh = state is None
            if state is None:
                state = self._new_state(listen or "127.0.0.1")
            listeners = [_bind(state.listen, state.session_port, "session"),
                         _bind(state.listen, state.transaction_port, "transaction"),
                         _bind(state.listen, state.service_port, "service")]
            try:
                base = self.clusters_dir(who)
                base.mkdir(parents=True, exist_ok=True)
                os.chmod(base, 0o755)
                scram = ensure_template(base / "template", bin_dir, who, free_port())
                if fresh:
                    self._add_seats(state, seats, base, who, bin_dir, scram)
                else:
                    self._run_all(state, who, bin_dir, scram, base)
                state.started_at = time.time()
                state.save(self.state_path)
                self._write_router_config(state)
                self._spawn(state, listeners)
                state.save(self.state_path)
            except BaseException:
                self._stop(state)
                raise
            finally:
                for sock in listeners:
                    sock.close()
            return self._info(state, time.monotonic() - started)

    def _new_state(self, listen: str) -> RoomState:
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o755 if runas.is_root() else 0o700)
        self.messages.mkdir(exist_ok=True)
        pref = self._ports
        if pref and pref != "auto":
            try:
                session, transaction, service = (int(part) for part in pref.split(","))
            except ValueError:
                raise InputError(f"SUPATUI_ROOM_PORTS={pref!r} is not 'auto' or three ports 'S,T,SERVICE'.",
                                 "Example: SUPATUI_ROOM_PORTS=5432,6543,8632") from None
        elif pref is None and all(port_free(listen, port) for port in DEFAULT_PORTS):
            session, transaction, service = DEFAULT_PORTS
        else:
            with _PortPool(set()) as pool:
                session, transaction, service = pool.take(listen), pool.take(listen), pool.take(listen)
        return RoomState(listen=listen, session_port=session, transaction_port=transaction, service_port=service)

    def _add_seats(self, state: RoomState, count: int, base: Path, who: runas.RunAs, bin_dir: Path,
                   scram: str) -> list[Seat]:
        store = load_secrets(self.secrets_path)
        first = max((seat.seat for seat in state.seats), default=0) + 1
        added: list[Seat] = []
        taken = {port for seat in state.seats for port in (seat.pg_port, seat.direct_port, seat.pgbouncer_port)}
        with _PortPool(taken) as ports:
            for number in range(first, first + count):
                pg_port = ports.take()
                direct = ports.take(state.listen) if forwards_direct(state.listen) else pg_port
                seat = Seat(number, generate_ref(), str(base / f"seat-{number}"), pg_port, direct)
                store[str(number)] = {"postgres_password": secrets.generate_password(32), "join": generate_code()}
                added.append(seat)
        save_secrets(self.secrets_path, store)

        def make(seat: Seat) -> None:
            unit = SeatCluster(seat, bin_dir, who)
            unit.create(base / "template", scram)
            unit.start(store[str(seat.seat)]["postgres_password"])

        try:
            self._parallel(make, added)
        finally:
            state.seats.extend(added)
            state.save(self.state_path)
        return added

    def _run_all(self, state: RoomState, who: runas.RunAs, bin_dir: Path, scram: str, base: Path) -> None:
        store = load_secrets(self.secrets_path)

        def resume(seat: Seat) -> None:
            unit = SeatCluster(seat, bin_dir, who)
            if not (Path(seat.cluster_dir) / "data" / "PG_VERSION").exists():
                unit.create(base / "template", scram)
            elif seat.pgbouncer_port and not unit.bouncer.userlist.exists():
                unit.bouncer.configure(scram)
            unit.start(store.get(str(seat.seat), {}).get("postgres_password"))

        self._parallel(resume, state.seats)

    @staticmethod
    def _parallel(work: object, seats: list[Seat]) -> None:
        assert callable(work)
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            for future in [pool.submit(work, seat) for seat in seats]:
                future.result()

    def _write_router_config(self, state: RoomState, listeners: list[socket.socket] | None = None) -> None:
        tenants = {seat.ref: _tenant(seat) for seat in state.seats}
        config: dict[str, object] = {"listeners": [], "tenants": tenants, "login_log": str(self.login_log)}
        if listeners is not None:
            config["listeners"] = [{"kind": "session", "fd": listeners[0].fileno()},
                                   {"kind": "transaction", "fd": listeners[1].fileno()}]
        elif self.router_config.exists():
            with contextlib.suppress(OSError, ValueError):
                config["listeners"] = json.loads(self.router_config.read_text()).get("listeners", [])
        tmp = self.router_config.with_suffix(".tmp")
        tmp.write_text(json.dumps(config, indent=2) + "\n")
        os.replace(tmp, self.router_config)

    def _spawn(self, state: RoomState, listeners: list[socket.socket]) -> None:
        from supatui.sandbox import router

        self._write_router_config(state, listeners)
        log = open(self.dir / "router.log", "ab")  # noqa: SIM115 - handed to the child
        try:
            proc = subprocess.Popen([sys.executable, "-I", "-S", router.__file__, str(self.router_config)],
                                    cwd=self.dir, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                    pass_fds=[listeners[0].fileno(), listeners[1].fileno()], start_new_session=True)
        finally:
            log.close()
        state.router_pid = proc.pid
        log = open(self.dir / "service.log", "ab")  # noqa: SIM115
        try:
            env = dict(os.environ, SUPATUI_ROOM_SERVICE_FD=str(listeners[2].fileno()))
            proc = subprocess.Popen([sys.executable, "-m", "supatui.room.service", str(self.dir)], cwd=self.dir,
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                    pass_fds=[listeners[2].fileno()], start_new_session=True)
        finally:
            log.close()
        state.service_pid = proc.pid
        _wait_listening(state.listen, state.service_port, proc)

    # -- grow / renew ----------------------------------------------------------------------------
    def add(self, count: int) -> RoomInfo:
        if not 1 <= count <= MAX_SEATS:
            raise InputError(f"room add {count} is out of range.", f"Add 1 to {MAX_SEATS} seats.", field="seats")
        with self._lock():
            state = self._running_state()
            if len(state.seats) + count > MAX_SEATS:
                raise InputError(f"A room holds at most {MAX_SEATS} seats.", "Add fewer seats.", field="seats")
            who, bin_dir = self._tools()
            base = self.clusters_dir(who)
            scram = ensure_template(base / "template", bin_dir, who, free_port())
            self._add_seats(state, count, base, who, bin_dir, scram)
            self._reload(state)
            return self._info(state, 0.0)

    def reset(self, number: int) -> SeatInfo:
        """A fresh copy of the template for one seat; its ref, password and join code stay."""
        with self._lock():
            state = self._running_state()
            seat = state.seat(number)
            who, bin_dir = self._tools()
            base = self.clusters_dir(who)
            scram = ensure_template(base / "template", bin_dir, who, free_port())
            unit = SeatCluster(seat, bin_dir, who)
            unit.remove()
            unit.create(base / "template", scram)
            unit.start(load_secrets(self.secrets_path)[str(number)]["postgres_password"])
            (self.messages / f"seat-{number}.json").unlink(missing_ok=True)
            self._forget_logins(seat.ref)
            self._reload(state)
            return self._info(state, 0.0).seats[number - 1]

    def _forget_logins(self, ref: str) -> None:
        if not self.login_log.exists():
            return
        kept = [line for line in self.login_log.read_text().splitlines() if f'"{ref}"' not in line]
        tmp = self.login_log.with_suffix(".tmp")
        tmp.write_text("".join(line + "\n" for line in kept))
        os.replace(tmp, self.login_log)

    def _reload(self, state: RoomState) -> None:
        state.save(self.state_path)
        self._write_router_config(state)
        for pid in (state.router_pid, state.service_pid):
            if pid and pid_alive(pid):
                os.kill(pid, signal.SIGHUP)

    def _running_state(self) -> RoomState:
        state = self.state()
        if state is None or not self._router_alive(state):
            raise SupatuiError("No room is running.", "Start one with `supatui room start --seats N`.",
                               code="room-not-running")
        return state

    # -- stop / inspect --------------------------------------------------------------------------
    def stop(self, *, delete: bool = False) -> bool:
        with self._lock():
            state = self.state()
            if state is None:
                return False
            was = self._stop(state)
            if delete:
                self._delete(state)
            return was

    def _stop(self, state: RoomState) -> bool:
        was = False
        for pid in (state.router_pid, state.service_pid):
            if pid and pid_alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
                if not wait_gone(pid, 5):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                was = True
        nobody = runas.RunAs("", 0, 0, False)
        units = [SeatCluster(seat, Path(), nobody) for seat in state.seats]
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda unit: unit.stop(), units))
        state.router_pid = state.service_pid = 0
        with contextlib.suppress(OSError):
            state.save(self.state_path)
        return was or any(results)

    def _delete(self, state: RoomState) -> None:
        nobody = runas.RunAs("", 0, 0, False)
        for seat in state.seats:
            SeatCluster(seat, Path(), nobody).remove()
        if state.seats:  # the clusters' folder, template included
            shutil.rmtree(Path(state.seats[0].cluster_dir).parent, ignore_errors=True)
        for name in ("room.json", "secrets.json", "router.json", "logins.jsonl", "router.log", "service.log"):
            (self.dir / name).unlink(missing_ok=True)
        shutil.rmtree(self.messages, ignore_errors=True)

    def running(self) -> bool:
        state = self.state()
        return state is not None and self._router_alive(state)

    def seat_pids(self, state: RoomState) -> list[int]:
        nobody = runas.RunAs("", 0, 0, False)
        return [pid for seat in state.seats for pid in SeatCluster(seat, Path(), nobody).pids()]

    def info(self) -> RoomInfo:
        return self._info(self._running_state(), 0.0)

    def _info(self, state: RoomState, seconds: float) -> RoomInfo:
        store = load_secrets(self.secrets_path)
        host = state.listen
        seats = []
        for seat in state.seats:
            entry = store.get(str(seat.seat), {})
            join = JoinInfo(seat.seat, seat.ref, host, state.session_port, state.transaction_port, host,
                            seat.direct_port, entry.get("postgres_password", ""))
            seats.append(SeatInfo(join, join_string(host, state.service_port, entry.get("join", ""))))
        pooling = True  # the router pools the transaction port itself, on every machine
        return RoomInfo(host, state.session_port, state.transaction_port, state.service_port, seats, pooling, seconds)

    def _router_alive(self, state: RoomState) -> bool:
        pid = state.router_pid
        if not pid or not pid_alive(pid):
            return False
        with contextlib.suppress(OSError):
            return b"router.py" in Path(f"/proc/{pid}/cmdline").read_bytes()
        return True

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        import fcntl

        with open(self.dir / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
