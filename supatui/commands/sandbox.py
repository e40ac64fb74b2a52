"""`supatui sandbox start|stop|status|reset`: the local Supabase-shaped database.

Human output masks the password; ``start --json`` prints it (scripts and tests need the URLs).
Cheap to import: the sandbox package is loaded inside ``main``.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from supatui.sandbox import SandboxInfo, SandboxStatus


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox", help="a local Supabase-like database (start, stop, status, reset)",
        description="A local PostgreSQL shaped like a Supabase project (roles, non-superuser postgres) behind a "
                    "Supavisor-style router: role.<ref> users on a session port and a transaction port, plus a direct port.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser("start", help="start it (or show it, if running) and print its URLs")
    start.add_argument("--json", action="store_true", help="print the connection info as JSON (password included)")
    actions.add_parser("stop", help="stop it (data is kept)")
    status = actions.add_parser("status", help="is it running, where, how to connect")
    status.add_argument("--json", action="store_true", help="print the status as JSON (password included)")
    actions.add_parser("reset", help="stop it and delete its data and stored password")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from supatui.sandbox import Sandbox

    box = Sandbox()
    action: str = args.action
    if action == "start":
        before = box.status()
        started = time.monotonic()
        info = box.start()
        if args.json:
            print(json.dumps(info.to_json(), indent=2))
            return 0
        seconds = time.monotonic() - started
        head = ("The sandbox is already running." if before.running
                else f"Sandbox started in {seconds:.1f} s.")
        print(head)
        _print_info(info, box.status())
        return 0
    if action == "stop":
        print("Sandbox stopped (its data is kept; `supatui sandbox start` resumes it)." if box.stop()
              else "The sandbox is not running; nothing to stop.")
        return 0
    if action == "status":
        status = box.status()
        if args.json:
            print(json.dumps(_status_json(status), indent=2))
            return 0
        if status.info is None:
            print("The sandbox has not been created yet. Start it with `supatui sandbox start`.")
            return 0
        if status.running:
            print("The sandbox is running.")
        else:
            down = [name for name, alive in status.components.items() if not alive]
            print("The sandbox is stopped." if len(down) == len(status.components)
                  else f"The sandbox is partly running ({', '.join(down)} down): run `supatui sandbox start`.")
        _print_info(status.info, status)
        return 0
    try:
        data_dir = box.status().data_dir
    except Exception:  # a damaged state file: reset is the cure, so never fail on it
        data_dir = box.dir
    box.reset()
    print(f"Sandbox reset: its data ({data_dir}) and stored password are deleted. "
          "`supatui sandbox start` creates a new one (new ref and password).")
    return 0


def _print_info(info: SandboxInfo, status: SandboxStatus) -> None:
    from supatui.core.redact import mask_url_password

    txn_note = ("Supavisor transaction mode" if info.transaction_pooling
                else "refused: no transaction pooling here")
    rows = [
        ("project ref", info.ref),
        ("session", f"{mask_url_password(info.session_url)}   (Supavisor session mode)"),
        ("transaction", f"{mask_url_password(info.transaction_url)}   ({txn_note})"),
        ("direct", f"{mask_url_password(info.direct_url)}   (plays db.<ref>.supabase.co:5432)"),
        ("password", "in the OS keyring" if status.password_store == "keyring"
         else f"in {status.password_store} (no usable OS keyring)"),
        ("data", str(status.data_dir)),
    ]
    if info.ca_file:
        rows.append(("root cert", f"{info.ca_file}   (sslmode=verify-full sslrootcert=...)"))
    if status.run_as_switched:
        rows.append(("server user", f"{status.run_as} (PostgreSQL refuses root: the servers run as this "
                                    "unprivileged OS user)"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    for note in status.notes:
        print(f"  note: {note}")
    print("  The password is shown by `supatui sandbox start --json`.")


def _status_json(status: SandboxStatus) -> dict[str, Any]:
    data: dict[str, Any] = {
        "running": status.running,
        "transaction_pooling": status.transaction_pooling,
        "run_as": status.run_as,
        "run_as_switched": status.run_as_switched,
        "data_dir": str(status.data_dir),
        "password_store": status.password_store,
        "components": status.components,
        "notes": status.notes,
        "postgres_major": status.postgres_major,
    }
    if status.info is not None:
        data.update(status.info.to_json())
    return data
