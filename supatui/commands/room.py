"""`supatui room start|stop|status|reset|add|board|hand`: a workshop room on the instructor's laptop.

Human output never shows a password (join codes are for the instructor's own screen or the
printed cards, not the projector); ``start --json`` prints everything (scripts, cards, tests).
Cheap to import: the room package is loaded inside ``main``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from supatui.room.model import RoomInfo, SeatProgress


def _seats(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seats") from None


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "room", help="a workshop room: one Supabase-shaped project per attendee, and the board",
        description="Host one Supabase-shaped project per attendee (a seat) on this laptop, behind one "
                    "Supavisor-style router; attendees join with `supatui --join CODE`.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser("start", help="start a room (or resume the stopped one) and print the seats")
    start.add_argument("--seats", type=_seats, default=None, metavar="N", help="number of seats (default 1; "
                       "a resumed room keeps its seats)")
    start.add_argument("--listen", default=None, metavar="ADDR",
                       help="address to listen on (default: the room's own, loopback for a new room; your LAN "
                            "address for a real room)")
    start.add_argument("--json", action="store_true", help="print the room as JSON (passwords and join codes included)")
    stop = actions.add_parser("stop", help="stop the room (data kept; --delete removes it)")
    stop.add_argument("--delete", action="store_true", help="also delete every seat's data and credentials")
    status = actions.add_parser("status", help="every seat's progress, read from its database")
    status.add_argument("--json", action="store_true", help="print the progress as JSON")
    reset = actions.add_parser("reset", help="give one seat a fresh database (same ref, password, join code)")
    reset.add_argument("seat", type=_seats, metavar="SEAT")
    add = actions.add_parser("add", help="add seats to the running room")
    add.add_argument("count", type=_seats, metavar="N")
    add.add_argument("--json", action="store_true", help="print the room as JSON")
    board = actions.add_parser("board", help="the instructor's board: seats x steps, failures, hands")
    board.add_argument("--presenter", action="store_true", help="high contrast and a large banner, for a projector")
    hand = actions.add_parser("hand", help="(attendee) raise or lower your hand in the room you joined with --share")
    hand.add_argument("--down", action="store_true", help="lower it")
    hand.add_argument("--dir", type=Path, default=argparse.SUPPRESS, metavar="PATH",
                      help="project folder (default: ./hello-prisma, or this folder when it is the project)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from supatui.room.manager import Room

    action: str = args.action
    if action == "hand":
        from supatui.core.session import RunOptions, project_dir_for
        from supatui.room.join import raise_hand

        raise_hand(project_dir_for(RunOptions(project_dir=getattr(args, "dir", None)), create=False), not args.down)
        print("Hand lowered." if args.down else "Hand raised: the instructor sees it on the board.")
        return 0
    room = Room()
    if action == "start":
        return _start(room, args)
    if action == "stop":
        was = room.stop(delete=args.delete)
        if args.delete:
            print("Room stopped and deleted (every seat's data and credentials).")
        else:
            print("Room stopped (data kept; `supatui room start` resumes it)." if was
                  else "No room is running; nothing to stop.")
        return 0
    if action == "status":
        return _status(room, args.json)
    if action == "reset":
        seat = room.reset(args.seat)
        print(f"Seat {args.seat} has a fresh database (ref {seat.join_info.ref}; same password and join code).")
        return 0
    if action == "add":
        info = room.add(args.count)
        if args.json:
            print(json.dumps(info.to_json(), indent=2))
        else:
            print(f"Added {args.count} seat(s); the room has {len(info.seats)}.")
            _print_seats(info, first=len(info.seats) - args.count)
        return 0
    from supatui.ui.board.app import run_board

    return run_board(room, presenter=args.presenter)


def _start(room: Any, args: argparse.Namespace) -> int:
    from supatui.room.net import check_listen, is_loopback

    if args.listen is not None:
        check_listen(args.listen)  # before anything starts
    was_running = room.running()
    state = room.state()
    seats = args.seats if args.seats is not None else (len(state.seats) if state else 1)
    if state is not None and args.seats is not None and args.seats != len(state.seats):
        from supatui.core.errors import InputError

        raise InputError(f"The room already has {len(state.seats)} seats.",
                         "Use `supatui room add N` to add seats, or `supatui room stop --delete` to start over.",
                         field="seats")
    info = room.start(seats, args.listen)
    if not is_loopback(info.host):  # said once the room is there, of the address it really has
        print(f"supatui: warning: the room listens on {info.host}: anyone on that network can reach its ports. "
              "Each seat's password and join code open only that seat; hand them out privately.", file=sys.stderr)
    if args.json:
        print(json.dumps(info.to_json(), indent=2))
        return 0
    head = "The room is already running." if was_running else \
        f"Room started: {len(info.seats)} seat(s) in {info.seconds:.1f} s."
    print(head)
    _print_room(info)
    _print_seats(info)
    return 0


def _print_room(info: RoomInfo) -> None:
    pooling = "the router's transaction pool per seat" if info.transaction_pooling else "no transaction pooling"
    print(f"  pooler host   {info.host}   (session {info.session_port}, transaction {info.transaction_port}: {pooling})")
    print(f"  join service  {info.host}:{info.service_port}")
    print("  Attendees run: supatui --join <their join string> --share   (then the wizard, or `run`)")


def _print_seats(info: RoomInfo, first: int = 0) -> None:
    print("  seat  ref                   direct port  join")
    for seat in info.seats[first:]:
        join = seat.join_info
        print(f"  {join.seat:>4}  {join.ref}  {join.direct_port:>11}  {seat.join.rsplit('/', 1)[0]}/****-****")
    print("  Join codes and passwords: `supatui room start --json` (they open a seat: hand them out privately).")


def _status(room: Any, as_json: bool) -> int:
    from supatui.room.progress import room_progress

    state = room.state()
    if state is None:
        if as_json:
            print(json.dumps({"running": False, "seats": []}))
        else:
            print("No room yet. Start one with `supatui room start --seats N`.")
        return 0
    seats = room_progress(state, room.dir)
    running = room.running()
    if as_json:
        print(json.dumps({"running": running, "seats": [seat.to_json() for seat in seats]}, indent=2))
        return 0
    print("The room is running." if running else "The room is stopped (`supatui room start` resumes it).")
    _print_progress(seats)
    return 0


def _print_progress(seats: list[SeatProgress]) -> None:
    from supatui.room.model import STEPS

    print("  seat  " + "  ".join(f"{step[:5]:<5}" for step in STEPS) + "  now")
    for seat in seats:
        marks = "  ".join(f"{'✓' if seat.steps[step] else '·':<5}" for step in STEPS)
        extra = seat.now
        if seat.failure:
            extra += f"  failed {seat.failure.get('step')}: {seat.failure.get('diagnosis') or 'unknown cause'}"
        if seat.hand:
            extra += "  ✋"
        print(f"  {seat.seat:>4}  {marks}  {extra}".rstrip())
