"""The attendee's side: `supatui --join CODE` and the opt-in status messages.

A join string is ``HOST:PORT/CODE``, ``http://HOST:PORT/join/CODE``, or a bare ``CODE`` for a room
on this laptop. Joining asks the room service for the seat (ref, host, ports, ``postgres``
password) and turns it into the inputs the normal launch path resumes from: the project
folder's saved config (``.supatui/state.json``: ref, pooler host, ports; no secret) and the
``postgres`` password in the OS keyring (else, for this process only, ``SUPATUI_DB_PASSWORD``).
The room's address and code go to ``.supatui/room.json`` (0600: the code opens the seat).

With ``--share`` the attendee's supatui also sends the room what only the laptop knows: the
current step, done/failed, and the diagnosis id of a failure (never output, never a secret).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supatui.core.errors import InputError, SupatuiError
from supatui.core.events import Event, EventKind
from supatui.core.redact import register_secret
from supatui.room.model import JoinInfo, RoomState, normalise_code, room_home

ROOM_FILE = "room.json"  # in the project's .supatui folder
_JOIN = re.compile(r"^(?:https?://)?(?P<host>\[[0-9a-fA-F:]+\]|[^/:\s]+):(?P<port>\d{1,5})(?:/join)?/(?P<code>[A-Za-z0-9-]+)/?$")
_CODE = re.compile(r"^[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}$")
TIMEOUT = 5.0


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    code: str

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def parse_join(text: str) -> Endpoint:
    text = text.strip()
    match = _JOIN.match(text)
    if match:
        port = int(match.group("port"))
        if not 0 < port < 65536:
            raise InputError(f"{port} is not a port number.", "Copy the join code again from the instructor's screen.",
                             field="join")
        return Endpoint(match.group("host").strip("[]"), port, normalise_code(match.group("code")))
    if _CODE.match(text):
        state = RoomState.load(room_home() / "room.json")
        if state is None:
            raise InputError("A bare join code works only on the laptop that runs the room.",
                             "Use the whole join string the instructor shows, like 192.168.1.20:8632/K7QX-M2PA.",
                             field="join")
        host = "127.0.0.1" if state.listen in ("0.0.0.0", "::") else state.listen
        return Endpoint(host, state.service_port, normalise_code(text))
    raise InputError("That is not a join code.",
                     "Type it as the instructor shows it, like 192.168.1.20:8632/K7QX-M2PA.", field="join")


def _request(url: str, data: dict[str, Any] | None = None, timeout: float = TIMEOUT) -> dict[str, Any]:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method="POST" if data is not None else "GET",
                                     headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the room is on the LAN: never a proxy
    with opener.open(request, timeout=timeout) as answer:
        result = json.loads(answer.read().decode())
    return result if isinstance(result, dict) else {}


def fetch(endpoint: Endpoint) -> JoinInfo:
    try:
        data = _request(f"{endpoint.base}/join/{endpoint.code}")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise InputError(f"The room at {endpoint.host}:{endpoint.port} does not know the code {endpoint.code}.",
                             "Check the code on your card (letters and digits, no 0/O or 1/I), or ask the instructor.",
                             field="join") from None
        if exc.code == 429:
            raise SupatuiError("The room refused: too many wrong codes from this laptop.",
                               "Wait a minute, then type the code carefully.") from None
        raise SupatuiError(f"The room answered HTTP {exc.code}.", "Ask the instructor to check `supatui room status`.") \
            from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SupatuiError(f"Cannot reach the room at {endpoint.host}:{endpoint.port} ({reason}).",
                           "Check that you are on the workshop network and the instructor's room is running; venue "
                           "wifi that isolates clients blocks this (then use your own sandbox: supatui --sandbox).",
                           code="room-unreachable") from None
    info = JoinInfo.from_json(data)
    register_secret(info.postgres_password)
    return info


def apply(info: JoinInfo, endpoint: Endpoint, project_dir: Path, *, share: bool) -> bool:
    """Save the seat as the project folder's inputs; True when the password is in the keyring."""
    from supatui.core import secrets
    from supatui.core.context import WalkthroughConfig
    from supatui.core.state import config_from_saved, config_to_dict, load_state, save_state

    saved = load_state(project_dir)
    config = config_from_saved(project_dir, saved.config) if saved.config else WalkthroughConfig(project_dir)
    if config.target is not None and config.target.ref != info.ref:
        saved.steps = {}  # another project: its recorded steps do not apply to this seat
    config.target, config.sandbox = info.target, False
    saved.config = config_to_dict(config)
    save_state(project_dir, saved)
    path = project_dir / ".supatui" / ROOM_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"host": endpoint.host, "port": endpoint.port, "code": endpoint.code, "seat": info.seat,
                   "share": share}, handle)
    try:
        secrets.set_password(info.ref, "postgres", info.postgres_password)
        if secrets.get_password(info.ref, "postgres") == info.postgres_password:  # a null keyring keeps nothing
            return True
    except secrets.KeyringUnavailable:
        pass
    os.environ["SUPATUI_DB_PASSWORD"] = info.postgres_password  # this process (and its steps) only
    return False


def join(text: str, project_dir: Path, *, share: bool = False) -> JoinInfo:
    endpoint = parse_join(text)
    info = fetch(endpoint)  # a code the room does not know is shown back (to compare with the card)
    register_secret(endpoint.code)  # a working one opens the seat: masked from here on
    apply(info, endpoint, project_dir, share=share)
    return info


# -- status messages ----------------------------------------------------------------------------
class Reporter:
    """Sends step events to the room from one background thread, in order; a room that is away never
    slows a step (each message gets 2 s, then is dropped)."""

    def __init__(self, endpoint: Endpoint) -> None:
        import queue

        self.endpoint = endpoint
        self.queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._drain, name="room-status", daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        while (message := self.queue.get()) is not None:
            # opt-in and best effort: the walkthrough goes on without the room
            with contextlib.suppress(urllib.error.URLError, OSError, ValueError):
                _request(f"{self.endpoint.base}/status/{self.endpoint.code}", message, timeout=2)

    def send(self, message: dict[str, Any]) -> None:
        self.queue.put(message)

    def __call__(self, event: Event) -> None:
        kinds = {EventKind.STEP_STARTED: "started", EventKind.STEP_DONE: "done", EventKind.STEP_SKIPPED: "skipped",
                 EventKind.STEP_FAILED: "failed"}
        status = kinds.get(event.kind)
        if status is None:
            return
        message: dict[str, Any] = {"step": event.step, "status": status}
        if status == "failed":
            message["diagnosis"] = _diagnosis_id(event)
        self.send(message)

    def flush(self, timeout: float = 5) -> None:
        self.queue.put(None)
        self.thread.join(timeout)


def _diagnosis_id(event: Event) -> str | None:
    from supatui.core.diagnoses import diagnose

    text = f"{event.text}\n{event.data.get('output', '') if isinstance(event.data, dict) else ''}"
    matches = diagnose(text, event.step)
    return str(matches[0].diagnosis.id) if matches else None


def reporter_for(project_dir: Path) -> Reporter | None:
    """The reporter when this folder joined a room with --share, else None."""
    try:
        data = json.loads((Path(project_dir) / ".supatui" / ROOM_FILE).read_text())
        if not data.get("share"):
            return None
        return Reporter(Endpoint(str(data["host"]), int(data["port"]), str(data["code"])))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def raise_hand(project_dir: Path, up: bool = True) -> None:
    reporter = reporter_for(project_dir)
    if reporter is None:
        raise InputError("This folder has not joined a room with --share.",
                         "Join with `supatui --join CODE --share` first (in this folder, or pass --dir).", field="dir")
    try:
        _request(f"{reporter.endpoint.base}/status/{reporter.endpoint.code}", {"hand": up})
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise SupatuiError(f"Cannot reach the room ({getattr(exc, 'reason', exc)}).",
                           "Check the workshop network, or raise your real hand.") from None


def rejoin_from_args(args: Any) -> JoinInfo | None:
    """A folder that joined a room, run again without --join, on a laptop with no usable keyring: the seat's
    ``postgres`` password was kept nowhere (the attendee never saw it), so ask the room again with the saved
    code, for this process only. None (and the usual "no password" line later) when anything is missing."""
    from supatui.core import projectdir, secrets
    from supatui.core.state import load_state

    if getattr(args, "sandbox", False) or getattr(args, "url", None) or getattr(args, "ref", None) \
            or os.environ.get("SUPATUI_DB_PASSWORD"):
        return None
    try:
        project_dir = projectdir.resolve(getattr(args, "dir", None))
        data = json.loads((project_dir / ".supatui" / ROOM_FILE).read_text())
        endpoint = Endpoint(str(data["host"]), int(data["port"]), str(data["code"]))
        target = load_state(project_dir).config.get("target") or {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, SupatuiError):
        return None
    register_secret(endpoint.code)
    if secrets.keyring_status().usable:  # the join stored it there (read later, where a locked keyring is handled)
        return None
    try:
        info = fetch(endpoint)
    except SupatuiError:
        return None
    if info.ref != target.get("ref"):  # the folder was pointed elsewhere since: not this seat's password
        return None
    os.environ["SUPATUI_DB_PASSWORD"] = info.postgres_password  # this process (and its steps) only
    import sys

    print(f"supatui: seat {info.seat}'s password came from the room again (this laptop has no usable keyring).",
          file=sys.stderr)
    return info


def join_from_args(args: Any) -> JoinInfo:
    """`supatui --join CODE [--share] [--dir PATH] [run …]`: the seat becomes the folder's inputs."""
    import sys

    from supatui.core.session import RunOptions, project_dir_for

    if getattr(args, "sandbox", False):
        raise InputError("--join and --sandbox both choose the database.",
                         "Pass only --join (the room's seat) or only --sandbox (a database on your laptop).",
                         field="join")
    if getattr(args, "url", None) or getattr(args, "ref", None):
        raise InputError("--join fills the ref, host and ports itself.", "Leave out --url / --ref with --join.",
                         field="join")
    project_dir = project_dir_for(RunOptions(project_dir=getattr(args, "dir", None)))
    info = join(str(args.join), project_dir, share=bool(getattr(args, "share", False)))
    shared = "; your progress is shared with the room" if getattr(args, "share", False) else ""
    print(f"supatui: joined seat {info.seat} (project {info.ref} on {info.pooler_host}){shared}.", file=sys.stderr)
    return info
