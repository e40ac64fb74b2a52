"""The sandbox: a local Supabase-shaped PostgreSQL behind a Supavisor-style router, offline.

``Sandbox().start()`` returns a :class:`SandboxInfo` with the session, transaction and direct
URLs for ``postgres``; see :mod:`supatui.sandbox.manager` for the layout on disk.
"""

from supatui.sandbox.manager import Sandbox
from supatui.sandbox.model import SandboxInfo, SandboxStatus

__all__ = ["Sandbox", "SandboxInfo", "SandboxStatus"]
