"""One simulated Hyper-V host: its listening socket, its connections and the HTTP pipeline.

Pipeline per request: host-wide events (password change, restart) → method and path (405, 404)
→ size (413) → unauthenticated Identify → authentication and decryption
(:mod:`hvtui.sim.request_auth`) → SOAP parsing → counters → injected faults → the WS-Man
service → encryption → the reply, possibly delayed, cut, truncated, mangled or dripped by a
fault rule.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import secrets
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hvtui.sim import soap_faults as faults
from hvtui.sim.auth import Accounts, NegotiateSession
from hvtui.sim.counters import Counters
from hvtui.sim.envelope import FAULT_PREFIXES, envelope
from hvtui.sim.http11 import BadRequest, HttpRequest, HttpResponse, RequestReader
from hvtui.sim.injection import Decision, FaultPlan, Rule
from hvtui.sim.inventory import HostSpec
from hvtui.sim.model import HostModel
from hvtui.sim.model_view import ModelView
from hvtui.sim.request_auth import ConnectionAuth, RequestAuth
from hvtui.sim.service import Caller, WSManService, operation_name
from hvtui.sim.sim_options import SimOptions
from hvtui.sim.soap_request import parse_request

SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"


class SimHost:
    """A simulated host. Accessors are safe to call from any thread."""

    def __init__(self, index: int, spec: HostSpec, options: SimOptions, password: str) -> None:
        self.index = index
        self.options = options
        self._spec0 = copy.deepcopy(spec)
        self.name = spec.name
        self.release = spec.release.key
        self.user = options.user
        self.counters = Counters()
        self.faults = FaultPlan(f"faults:{options.seed}:{spec.name}")
        self.bind = options.host
        self.port = 0
        self.schemes = {a.strip().lower() for a in options.auth}
        accounts = Accounts(spec.name, options.user, password, options.keytab)
        self._auth = RequestAuth(accounts, self.schemes, options, self.counters)
        self._model = self._new_model()
        self._service = self._new_service()
        self.faults.on_state_rules = self._apply_state_rules
        if options.faults:
            self.faults.add(options.faults)
        self._apply_state_rules()
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._started = time.monotonic()
        self.model = ModelView(lambda: self._model, lambda: self._service.contexts)

    def __repr__(self) -> str:
        return f"SimHost({self.name!r}, {self.uri!r}, release={self.release!r})"

    # --- public API -----------------------------------------------------------------------------

    @property
    def https(self) -> bool:
        return self.options.https

    @property
    def uri(self) -> str:
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        transport = "https" if self.https else "http"
        return f"hyperv://{self.user}@{host}:{self.port}/?transport={transport}"

    @property
    def endpoint(self) -> str:
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        return f"{'https' if self.https else 'http'}://{host}:{self.port}/wsman"

    @property
    def password(self) -> str:
        return self._auth.accounts.password

    @property
    def channel_binding(self) -> bytes | None:
        """Over HTTPS, the TLS channel's binding data, which Kerberos tokens that carry one must match."""
        return self._auth.channel_binding

    @channel_binding.setter
    def channel_binding(self, value: bytes | None) -> None:
        self._auth.channel_binding = value

    @property
    def vm_count(self) -> int:
        return len(self._model.vms)

    def reset_counters(self) -> None:
        self.counters.reset()

    def set_password(self, password: str) -> None:
        """Change the password: every later request with the old one (or an NTLM connection
        authenticated before) gets 401."""
        self._call(lambda: self._set_password(password))

    def restart(self) -> None:
        """All state back to start (VMs, jobs, contexts); open connections are cut."""
        self._call(self._restart)

    # --- plumbing ---------------------------------------------------------------------------------

    def _call(self, fn: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None or not loop.is_running():
            fn()
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            fn()
            return
        done = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            try:
                fn()
            except BaseException as exc:  # noqa: BLE001  # pragma: no cover - surfaced to the caller below
                errors.append(exc)
            finally:
                done.set()

        loop.call_soon_threadsafe(run)
        done.wait(timeout=30)
        if errors:
            raise errors[0]

    def _new_model(self) -> HostModel:
        return HostModel(
            copy.deepcopy(self._spec0),
            time_scale=0.0 if self.options.frozen_clock else self.options.time_scale,
            legacy_states=self.options.legacy_states,
            seed=self.options.seed,
        )

    def _new_service(self) -> WSManService:
        opts = self.options
        return WSManService(
            self._model,
            first_batch=opts.first_batch,
            max_envelope_kb=opts.max_envelope_kb,
            enumeration_timeout_ms=opts.enumeration_timeout_ms,
            max_operations=opts.max_concurrent_operations,
            config=lambda: {
                "basic": "basic" in self.schemes,
                "negotiate": bool(self.schemes & {"ntlm", "kerberos"}),
                "allow_unencrypted": self.options.allow_unencrypted,
            },
        )

    def _apply_state_rules(self) -> None:
        factor, fail = self.faults.state_rules()
        with self._model.lock:
            self._model.rules.slow_factor = factor
            self._model.rules.fail_p = fail

    def _set_password(self, password: str) -> None:
        self._auth.set_password(password)

    def _restart(self) -> None:
        self._model = self._new_model()
        self._service = self._new_service()
        self._apply_state_rules()
        self._started = time.monotonic()
        for w in list(self._writers):
            w.close()

    async def start(self, port: int, ssl_context: ssl.SSLContext | None) -> None:
        self._loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(
            self._serve, self.bind, port, ssl=ssl_context, limit=70_000, reuse_address=True, backlog=512
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._started = time.monotonic()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for w in list(self._writers):
            w.close()
        for t in list(self._tasks):
            t.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
        self._auth.accounts.close()

    # --- connections ----------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._writers.add(writer)
        conn = ConnectionAuth()
        sock = writer.get_extra_info("sockname")
        machine = sock[0] if sock else self.bind
        requests = RequestReader(reader, self.options.max_envelope_kb * 1024 + 8192)
        try:
            while True:
                try:
                    req = await requests.next()
                except BadRequest as exc:
                    await self._write(writer, HttpResponse(exc.status, close=True))
                    break
                if req is None:
                    break
                outcome = await self._handle(req, conn, machine)
                if not await self._send(reader, writer, outcome):
                    break
                if outcome.response.close or not req.keep_alive:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError, ssl.SSLError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1)
            if task is not None:
                self._tasks.discard(task)

    async def _write(self, writer: asyncio.StreamWriter, resp: HttpResponse) -> None:
        writer.write(resp.to_bytes())
        await writer.drain()

    async def _send(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, out: _Outcome) -> bool:
        """Write the reply the way the fault rule says; False when the connection must end."""
        rule = out.rule
        kind = rule.kind if rule else ""
        resp = out.response
        if out.delay:
            await asyncio.sleep(out.delay)
        if (kind == "reset" and rule is not None and rule.params.get("at", "start") == "start") or out.cut:
            _abort(writer)
            return False
        if kind == "no-answer":
            with contextlib.suppress(Exception):
                while await reader.read(65536):
                    pass
            return False
        data = resp.to_bytes()
        if kind == "reset":  # at=mid
            writer.write(data[: len(resp.head_bytes()) + len(resp.body) // 2])
            await writer.drain()
            _abort(writer)
            return False
        if kind == "truncate":
            writer.write(data[: len(resp.head_bytes()) + max(1, len(resp.body) * 2 // 3)])
            await writer.drain()
            writer.close()
            return False
        if kind == "drip" and rule is not None:
            rate = max(1.0, rule.num("bytes_per_s", 1000))
            step = max(1, int(rate / 20))
            for i in range(0, len(data), step):
                writer.write(data[i : i + step])
                await writer.drain()
                await asyncio.sleep(step / rate)
            return True
        writer.write(data)
        await writer.drain()
        return True

    # --- the pipeline -----------------------------------------------------------------------------

    async def _handle(self, req: HttpRequest, conn: ConnectionAuth, machine: str) -> _Outcome:
        if self.options.latency_ms:
            # The network's round trip, spent before the host reads the request: hosts that
            # share this process then render one after the other and each reply leaves as soon
            # as it is ready, as from separate machines. Spent after rendering, every reply of
            # a burst would wait for the whole burst (timers fire only between loop passes).
            await asyncio.sleep(self.options.latency_ms / 1000)
        early = self.faults.early(time.monotonic() - self._started)
        if early.change_password is not None:
            self._set_password(early.change_password or secrets.token_urlsafe(12))
        if early.restart:
            self._restart()
            return _Outcome(HttpResponse(200), cut=True)
        path = req.path.split("?", 1)[0]
        if req.method != "POST":
            return _Outcome(HttpResponse(405, headers=[("Allow", "POST")]))
        if path.rstrip("/").lower() != "/wsman":
            return _Outcome(HttpResponse(404, body=b"", headers=[("Content-Type", "text/html")]))
        sealed_body = (req.header("Content-Type") or "").lower().startswith("multipart/encrypted")
        if req.too_large or (not sealed_body and len(req.body) > self.options.max_envelope_kb * 1024):
            return _Outcome(HttpResponse(413, close=True))  # MaxEnvelopeSizekb, before any SOAP processing
        if (req.header("WSMANIDENTIFY") or "").strip().lower() == "unauthenticated":
            try:
                parsed = parse_request(req.body)
            except faults.SoapFault:
                parsed = None
            if parsed is not None and parsed.identify:
                self.counters.add("Identify")
                decision = self.faults.decide("Identify")
                text = self._service.identify(Caller(machine, authenticated=False, https=self.https))
                return self._finish(decision, text.encode("utf-8"), 200, None, [])
        admitted = self._auth.admit(req, conn)
        if isinstance(admitted, HttpResponse):
            return _Outcome(admitted)
        caller = Caller(machine, user=admitted.user, authenticated=True, https=self.https)
        body, seal, final_auth = admitted.body, admitted.seal, admitted.auth_headers
        try:
            parsed = parse_request(body)
        except faults.SoapFault as unreadable:
            text = envelope(unreadable.action, None, FAULT_PREFIXES, unreadable.body(machine))
            return self._finish(Decision(), text.encode("utf-8"), unreadable.http_status, seal, final_auth)
        op = operation_name(parsed)
        self.counters.add(op)
        decision = self.faults.decide(op)
        if decision.expire_contexts:
            with self._model.lock:
                self._service.contexts.expire_all()
        delay = decision.delay_s
        if delay and parsed.operation_timeout is not None and delay > parsed.operation_timeout:
            decision.delay_s = parsed.operation_timeout + decision.network_delay_s
            fault = faults.timed_out()
            text = envelope(fault.action, parsed.message_id, FAULT_PREFIXES, fault.body(machine))
            return self._finish(decision, text.encode("utf-8"), 500, seal, final_auth, keep_rule=False)
        decision.delay_s = delay = delay + decision.network_delay_s
        rule = decision.terminal
        if rule is not None and rule.kind in ("http500", "http503"):
            status = 500 if rule.kind == "http500" else 503
            html = (
                b"<html><body><h1>Service Unavailable</h1></body></html>"
                if status == 503
                else (b"<html><body><h1>Internal Server Error</h1></body></html>")
            )
            return _Outcome(HttpResponse(status, html, [("Content-Type", "text/html")]), rule, delay)
        if (
            rule is not None
            and rule.kind in ("reset", "no-answer")
            and rule.params.get("at", "start") == "start"
        ):
            return _Outcome(HttpResponse(200), rule, delay)
        if rule is not None and rule.kind == "fault":
            fault = faults.BY_NAME[rule.params["code"].lower()](self.name)
            text = envelope(fault.action, parsed.message_id, FAULT_PREFIXES, fault.body(machine))
            return self._finish(
                decision, text.encode("utf-8"), fault.http_status, seal, final_auth, keep_rule=False
            )
        status = 200
        try:
            text = self._service.handle(parsed, caller)
        except faults.SoapFault as refused:
            status = refused.http_status
            text = envelope(refused.action, parsed.message_id, FAULT_PREFIXES, refused.body(machine))
        data = text.encode("utf-8")
        if rule is not None and rule.kind == "malformed":
            data = data[: len(data) // 2] + b"<<&garbage" + bytes([0xFF, 0xFE])
        return self._finish(decision, data, status, seal, final_auth)

    def _finish(
        self,
        decision: Decision,
        data: bytes,
        status: int,
        seal: NegotiateSession | None,
        auth: list[tuple[str, str]],
        keep_rule: bool = True,
    ) -> _Outcome:
        headers = list(auth)
        if seal is not None:
            data = seal.wrap(data)
            headers.append(("Content-Type", seal.content_type))
        else:
            headers.append(("Content-Type", SOAP_CONTENT_TYPE))
        rule = decision.terminal if keep_rule else None
        return _Outcome(HttpResponse(status, data, headers), rule, decision.delay_s)


@dataclass
class _Outcome:
    response: HttpResponse
    rule: Rule | None = None
    delay: float = 0.0
    cut: bool = False


def _abort(writer: asyncio.StreamWriter) -> None:
    transport = writer.transport
    with contextlib.suppress(Exception):
        transport.abort()
