"""The workshop room: one laptop hosts a Supabase-shaped project per attendee ("seat").

No Textual here. ``Room`` (manager) starts one PostgreSQL cluster per seat from a template data
dir, the sandbox's Supavisor-style router with one tenant per seat (its transaction pool too), and
the room service (join codes, opt-in status messages, direct-port forwarders on a LAN address).
``progress`` reads each seat's steps from its database, read-only.
"""

from __future__ import annotations

from supatui.room.model import JoinInfo, RoomInfo, SeatInfo, SeatProgress

__all__ = ["JoinInfo", "RoomInfo", "SeatInfo", "SeatProgress"]
