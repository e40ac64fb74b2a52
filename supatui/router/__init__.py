"""The sandbox's Supavisor-style router (run as its own process: ``python -m supatui.router CONFIG.json``).

Stdlib only, so it starts fast; see :mod:`supatui.router.server` for what it does and
:mod:`supatui.router.wire` for the words it uses (taken from Supavisor's source).
"""
