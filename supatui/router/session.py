"""One client connection: SSL negotiation, the startup message, Supavisor's checks, authentication, relay.

Order as in Supavisor's client_handler.ex: tenant lookup, SSL enforcement (client_handler/checks.ex), the auth
circuit breaker, the client limit, then authentication (SCRAM against the auth_query verifier when the tenant
has an ``auth_query``; otherwise end to end, the upstream authenticating the client itself). On the
transaction port of a tenant with a ``pool``, the authenticated client is then served by the router's own
transaction pool (pool.py) instead of a pipe of its own.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
from typing import TYPE_CHECKING, Any

from supatui.router import authq, backend, pool, relay, scram, wire

if TYPE_CHECKING:
    from supatui.router.server import Config, Router, Tenant

NEEDS_REPLY = {3, 5, 10, 11}  # cleartext, MD5, SASL, SASL continue: the client answers these


class Connection:
    def __init__(self, router: Router, config: Config, kind: str, sock: socket.socket, peer: str) -> None:
        self.router, self.config, self.kind, self.sock, self.peer = router, config, kind, sock, peer
        self.tls = False
        self.counted: tuple[str, str] | None = None

    def run(self) -> None:
        try:
            self._run()
        except wire.ClientError as exc:
            if exc.delay:
                time.sleep(exc.delay)
            with contextlib.suppress(OSError):
                self.sock.sendall(wire.error_response(exc.message, exc.code))
        except (OSError, ConnectionError, ValueError, struct.error):
            pass
        finally:
            if self.counted is not None:
                self.router.release(self.counted)
            if isinstance(self.sock, ssl.SSLSocket):  # close_notify, so libpq sees a clean end (e.g. after a cancel)
                with contextlib.suppress(OSError, ValueError):
                    self.sock.settimeout(1)
                    self.sock.unwrap()
            with contextlib.suppress(OSError):
                self.sock.close()

    def _run(self) -> None:
        self.sock.settimeout(self.config.startup_timeout)
        for _ in range(4):
            try:
                length = struct.unpack("!i", wire.recv_exact(self.sock, 4))[0]
                if not 8 <= length <= wire.MAX_STARTUP:
                    return
                body = wire.recv_exact(self.sock, length - 4)
            except TimeoutError:
                raise wire.auth_timeout() from None
            code = struct.unpack("!i", body[:4])[0]
            if code == wire.SSL_REQUEST and not self.tls and self.config.tls is not None:
                self.sock.sendall(b"S")
                self.sock = self.config.tls.wrap_socket(self.sock, server_side=True)
                self.tls = True
                continue
            if code in (wire.SSL_REQUEST, wire.GSSENC_REQUEST):
                self.sock.sendall(b"N")
                continue
            if code == wire.CANCEL_REQUEST:
                self.router.forward_cancel(body[4:], struct.pack("!i", length) + body)
                return
            if code >> 16 != 3:
                raise wire.ClientError("unsupported frontend protocol", "0A000")
            params = wire.parse_params(body[4:])
            if "user" not in params:
                raise wire.startup_error("missing_user")
            if self.kind == "direct":
                self._direct(code, params)
            else:
                self._pooled(code, params)
            return

    # -- the direct port: PostgreSQL itself behind a TLS terminator ---------------------------------------
    def _direct(self, protocol: int, params: dict[str, str]) -> None:
        listener = self.config.direct
        if listener is None:
            raise wire.ClientError("the sandbox's direct port has no database behind it", "08006")
        if listener.enforce_ssl and not self.tls:  # PostgreSQL 17's pg_hba text for a hostssl-only server
            raise wire.ClientError(f'no pg_hba.conf entry for host "{self.peer}", user "{params["user"]}", database '
                                   f'"{params.get("database", params["user"])}", no encryption', "28000")
        up = self._connect(listener.upstream)
        up.sendall(wire.startup_message(protocol, params))
        self._relay_startup(up, listener.upstream, None, "", params["user"])

    # -- the pooler ports -------------------------------------------------------------------------------------
    def _pooled(self, protocol: int, params: dict[str, str]) -> None:
        user = params["user"]
        routed = wire.route(params)
        if routed is None:
            if ".cluster." in user:
                name, alias = user.split(".cluster.", 1)
                raise wire.not_found(name, alias)
            raise wire.no_identifier()
        ref, upstream_params = routed
        role = upstream_params["user"]
        tenant = self.config.tenants.get(ref)
        if tenant is None:
            raise wire.not_found(role, ref)
        if not wire.valid_name(role) or not wire.valid_name(upstream_params.get("database", role)):
            raise wire.invalid_user_info()
        if tenant.enforce_ssl and not self.tls:
            raise wire.ssl_required(role)
        target = tenant.ports.get(self.kind)
        pooled = self.kind == "transaction" and tenant.pool is not None and tenant.auth_query is not None
        if target is None and not pooled:
            hint = f", or use the session port {self.config.session_port}" if self.config.session_port else ""
            raise wire.no_transaction_pooling(hint)
        key = (ref, self.peer)
        if self.router.breaker.is_open(key):
            raise wire.circuit_open()
        self.counted = self.router.admit(self.kind, ref)
        if self.counted is None:
            raise wire.max_clients(self.kind, self.config.max_clients[self.kind])
        client_key: bytes | None = None
        verifier: scram.Verifier | None = None
        if tenant.auth_query is not None:
            verifier = self._verifier(tenant, ref, role)
            try:
                client_key = scram.authenticate_client(self.sock, verifier, role)
            except wire.ClientError:
                self.router.breaker.record_failure(key)
                self.router.secrets.wrong_password((ref, role), lambda: self._fetch(tenant, role)[1])
                raise
        if pooled and client_key is not None and verifier is not None:
            assert tenant.pool is not None
            self._transaction_pool(tenant.pool, ref, upstream_params, verifier.stored_key, client_key)
            return
        assert target is not None
        up = self._connect(target)
        up.sendall(wire.startup_message(protocol, upstream_params))
        if client_key is not None and verifier is not None:
            tag, body = scram.login_upstream(up, verifier.stored_key, client_key)
            if tag == b"E":
                self._upstream_error(body, role, key)
            first: tuple[bytes, bytes] | None = (tag, body)
        else:
            first = None
        self._relay_startup(up, target, first, ref, role, key)

    def _transaction_pool(self, settings: dict[str, Any], ref: str, params: dict[str, str], stored_key: bytes,
                          client_key: bytes) -> None:
        """The router's own transaction pooler (pool.py): the client's startup replies, then the pool loop."""
        role = params["user"]
        database = params.get("database", role)
        login = backend.Login((str(settings["socket_dir"]), int(settings["port"])), role, database, stored_key,
                              client_key)
        loop = pool.Loop.get()
        chosen = loop.pool((ref, role, database), login, int(settings.get("size", 10)),
                           float(settings.get("checkout_timeout", 60)), float(settings.get("idle_timeout", 600)))
        status = chosen.status
        if status is None:  # the pool's first client: one server login tells what PostgreSQL reports
            try:
                opened = backend.open_server(login)
            except backend.LoginFailed as exc:
                raise wire.ClientError(exc.text, exc.code) from None
            status = opened.status
            loop.adopt(chosen, opened)
        asked = {name: chosen.canon.get((name, value), value) for name, value in backend.client_vars(params).items()}
        wanted = {name: value for name, value in status if name in backend.TRACKED} | asked
        key = pool.router_key()
        self.sock.sendall(backend.startup_replies(status, asked, key))
        self.router.log_login(ref, role, self.kind)
        if not isinstance(self.sock, ssl.SSLSocket):
            loop.serve(self.sock, chosen, wanted, key)
            return
        inner, outer = socket.socketpair()  # TLS stays in this thread; the pool loop sees plain bytes

        def serve() -> None:
            try:
                loop.serve(inner, chosen, wanted, key)
            finally:
                inner.close()

        threading.Thread(target=serve, daemon=True).start()
        relay.relay(self.sock, outer)

    def _fetch(self, tenant: Tenant, role: str) -> tuple[bool, str | None]:
        assert tenant.auth_query is not None
        try:
            return authq.fetch_secret(tenant.auth_query, role)
        except authq.AuthQueryFailed as exc:
            raise wire.ClientError(f"(EAUTHQUERY) {exc}") from None

    def _verifier(self, tenant: Tenant, ref: str, role: str) -> scram.Verifier:
        found: list[bool] = []

        def fetch() -> str | None:
            exists, secret = self._fetch(tenant, role)
            found.append(exists)
            return secret or ("" if exists else None)

        secret = self.router.secrets.get((ref, role), fetch)
        if secret is None:
            raise wire.auth_query_user_not_found()
        verifier = scram.Verifier.parse(secret)
        if verifier is None:
            raise wire.auth_query_bad_secret()
        return verifier

    def _connect(self, target: tuple[str, int]) -> socket.socket:
        try:
            return wire.connect(target, timeout=10)
        except OSError as exc:
            raise wire.ClientError(f"the tenant's database is not running ({exc.strerror or exc})", "08006") from None

    def _upstream_error(self, body: bytes, role: str, key: tuple[str, str] | None) -> None:
        code, text = wire.error_text(body)
        if self.kind == "direct":
            raise wire.ClientError(text, code or "XX000")
        if code == "28P01" or "SASL authentication failed" in text or "password authentication failed" in text:
            if key is not None:
                self.router.breaker.record_failure(key)
            raise wire.wrong_password(role)
        raise wire.ClientError(text, code or "XX000")

    def _relay_startup(self, up: socket.socket, target: tuple[str, int], first: tuple[bytes, bytes] | None, ref: str,
                       role: str,
                       key: tuple[str, str] | None = None) -> None:
        """Forward the upstream's startup replies until ReadyForQuery (answering auth requests with the client's
        messages when auth is end to end), note cancel keys, log the login, then relay until the end."""
        keys: list[bytes] = []
        authenticated = False
        try:
            while True:
                tag, body = first if first is not None else wire.read_message(up)
                first = None
                if tag == b"E":
                    self._upstream_error(body, role, key)
                if tag == b"R":
                    code = struct.unpack("!i", body[:4])[0]
                    authenticated = authenticated or code == scram.AUTH_OK
                    self.sock.sendall(wire.message(tag, body))
                    if code in NEEDS_REPLY:
                        reply_tag, reply = wire.read_message(self.sock)
                        up.sendall(wire.message(reply_tag, reply))
                    continue
                if tag == b"K":
                    keys.append(body)
                    self.router.cancel_keys[body] = target
                self.sock.sendall(wire.message(tag, body))
                if tag == b"Z":
                    break
            if authenticated and self.kind != "direct":
                self.router.log_login(ref, role, self.kind)
            relay.relay(self.sock, up)  # closes both
        finally:
            for k in keys:
                self.router.cancel_keys.pop(k, None)
            with contextlib.suppress(OSError):
                up.close()
