"""One simulated Hyper-V host: its listening socket, the HTTP pipeline, auth, faults and counters.

Pipeline per request: host-wide events (password change, restart) → method and path (405, 404)
→ size (413) → unauthenticated Identify → authentication (401 until it succeeds) → decryption
→ SOAP parsing → counters → injected faults → the WS-Man service → encryption → the reply,
possibly delayed, cut, truncated, mangled or dripped by a fault rule.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import secrets
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from hvtui.sim import display
from hvtui.sim import soap_faults as faults
from hvtui.sim.auth import ENCRYPTED_CONTENT_TYPE, Accounts, AuthFailed, NegotiateSession
from hvtui.sim.envelope import FAULT_PREFIXES, envelope
from hvtui.sim.http11 import BadRequest, HttpRequest, HttpResponse, RequestReader
from hvtui.sim.injection import Decision, FaultPlan, Rule
from hvtui.sim.inventory import HostSpec
from hvtui.sim.model import HostFacts, HostModel, JobView, VMView
from hvtui.sim.service import Caller, WSManService, operation_name
from hvtui.sim.sim_options import SimOptions
from hvtui.sim.soap_request import parse_request

SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"


class Counters:
    """Requests per operation (Identify, Enumerate, Pull, Release, Get, Invoke:<Method>) and http_401."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def add(self, name: str) -> None:
        with self._lock:
            self._counts[name] = self._counts.get(name, 0) + 1

    def __getitem__(self, name: str) -> int:
        with self._lock:
            return self._counts.get(name, 0)

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def as_dict(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    @property
    def total(self) -> int:
        """Every SOAP operation counted (401 replies are not operations)."""
        with self._lock:
            return sum(v for k, v in self._counts.items() if k != "http_401")

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def __repr__(self) -> str:
        return f"Counters({self.as_dict()})"


class ModelView:
    """Thread-safe reads of a host's state for tests: VMs, jobs and host facts."""

    def __init__(self, host: SimHost) -> None:
        self._host = host

    @property
    def _m(self) -> HostModel:
        return self._host._model

    @property
    def vms(self) -> list[VMView]:
        return self._m.vm_views

    def vm(self, key: str) -> VMView:
        """A VM by GUID (any case) or by name."""
        return self._m.vm(key)

    @property
    def jobs(self) -> list[JobView]:
        return self._m.job_views

    def job(self, instance_id: str) -> JobView:
        for j in self.jobs:
            if j.instance_id.lower() == instance_id.lower():
                return j
        raise KeyError(instance_id)

    @property
    def host(self) -> HostFacts:
        return self._m.facts

    @property
    def enumeration_contexts(self) -> int:
        with self._m.lock:
            return len(self._host._service.contexts)

    def screen(self, key: str) -> display.ScreenView:
        """A VM's screen (typed lines, sign-in prompt, resolution, picture), by GUID or name."""
        with self._m.lock:
            self._m.tick()
            return display.screen_view(self._m, key)

    def set_resolution(self, key: str, width: int, height: int) -> None:
        with self._m.lock:
            display.set_resolution(self._m, key, width, height)

    def advance(self, seconds: float) -> None:
        """Move simulated time forward (jobs finish, transitions end) without waiting."""
        with self._m.lock:
            self._m.clock.advance(seconds)
            self._m.tick()


@dataclass
class _Conn:
    session: NegotiateSession | None = None
    epoch: int = -1
    user: str = ""


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
        self._accounts = Accounts(spec.name, options.user, password)
        self._epoch = 0
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
        self.schemes = {a.strip().lower() for a in options.auth}
        self.model = ModelView(self)

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
        return self._accounts.password

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
                "negotiate": "ntlm" in self.schemes,
                "allow_unencrypted": self.options.allow_unencrypted,
            },
        )

    def _apply_state_rules(self) -> None:
        factor, fail = self.faults.state_rules()
        with self._model.lock:
            self._model.rules.slow_factor = factor
            self._model.rules.fail_p = fail

    def _set_password(self, password: str) -> None:
        self._accounts.set_password(password)
        self._epoch += 1

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
        self._accounts.close()

    # --- connections ----------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._writers.add(writer)
        conn = _Conn()
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

    def _unauthorized(self, token: str | None = None) -> HttpResponse:
        self.counters.add("http_401")
        if token is not None:
            return HttpResponse(401, headers=[("WWW-Authenticate", f"Negotiate {token}")])
        headers = []
        if "ntlm" in self.schemes:
            headers.append(("WWW-Authenticate", "Negotiate"))
        if "basic" in self.schemes:
            headers.append(("WWW-Authenticate", 'Basic realm="WSMAN"'))
        return HttpResponse(401, headers=headers)

    async def _handle(self, req: HttpRequest, conn: _Conn, machine: str) -> _Outcome:
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
                return self._finish(decision, text.encode("utf-8"), 200, None, None)
        final_token: str | None = None
        via_negotiate = False
        auth = req.header("Authorization")
        if auth:
            scheme, _, value = auth.partition(" ")
            scheme = scheme.lower()
            if scheme == "basic":
                if "basic" not in self.schemes or (not self.https and not self.options.allow_unencrypted):
                    return _Outcome(self._unauthorized())
                try:
                    user = self._accounts.check_basic(value)
                except AuthFailed:
                    return _Outcome(self._unauthorized())
                conn.user = user
            elif scheme in ("negotiate", "ntlm") and "ntlm" in self.schemes:
                if conn.session is None or conn.session.complete:
                    try:
                        conn.session = NegotiateSession(self._accounts.user_file)
                    except Exception:  # noqa: BLE001 - pyspnego could not start an acceptor: answer as WinRM does for bad credentials
                        return _Outcome(self._unauthorized())
                try:
                    out = conn.session.step(value)
                except AuthFailed:
                    conn.session = None
                    return _Outcome(self._unauthorized())
                token = base64.b64encode(out).decode() if out else None
                if not conn.session.complete:
                    return _Outcome(self._unauthorized(token or ""))
                conn.epoch = self._epoch
                conn.user = conn.session.user or self.user
                final_token = token
                via_negotiate = True
            else:
                return _Outcome(self._unauthorized())
        elif conn.session is not None and conn.session.complete and conn.epoch == self._epoch:
            via_negotiate = True
        else:
            return _Outcome(self._unauthorized())
        if via_negotiate and conn.epoch != self._epoch:
            conn.session = None
            return _Outcome(self._unauthorized())
        ctype = (req.header("Content-Type") or "").lower()
        session = conn.session if via_negotiate else None
        encrypted = ctype.startswith("multipart/encrypted")
        body = req.body
        if encrypted:
            if session is None:
                return _Outcome(self._unauthorized())
            try:
                body = session.unwrap(body)
            except AuthFailed:
                return _Outcome(HttpResponse(400, close=True))
        elif not body.strip():
            if via_negotiate:  # the authentication-only request of pypsrp and pywinrm
                return _Outcome(HttpResponse(200, headers=self._token_header(final_token)))
            return _Outcome(HttpResponse(400))
        elif via_negotiate and not self.https and not self.options.allow_unencrypted:
            return _Outcome(self._unauthorized())  # WinRM refuses unencrypted traffic after NTLM
        caller = Caller(machine, user=conn.user, authenticated=True, https=self.https)
        seal = session if encrypted else None
        try:
            parsed = parse_request(body)
        except faults.SoapFault as unreadable:
            text = envelope(unreadable.action, None, FAULT_PREFIXES, unreadable.body(machine))
            return self._finish(Decision(), text.encode("utf-8"), unreadable.http_status, seal, final_token)
        op = operation_name(parsed)
        self.counters.add(op)
        decision = self.faults.decide(op)
        if decision.expire_contexts:
            with self._model.lock:
                self._service.contexts.expire_all()
        delay = decision.delay_s
        if delay and parsed.operation_timeout is not None and delay > parsed.operation_timeout:
            decision.delay_s = parsed.operation_timeout
            fault = faults.timed_out()
            text = envelope(fault.action, parsed.message_id, FAULT_PREFIXES, fault.body(machine))
            return self._finish(decision, text.encode("utf-8"), 500, seal, final_token, keep_rule=False)
        decision.delay_s = delay
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
                decision, text.encode("utf-8"), fault.http_status, seal, final_token, keep_rule=False
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
        return self._finish(decision, data, status, seal, final_token)

    @staticmethod
    def _token_header(token: str | None) -> list[tuple[str, str]]:
        return [("WWW-Authenticate", f"Negotiate {token}")] if token else []

    def _finish(
        self,
        decision: Decision,
        data: bytes,
        status: int,
        seal: NegotiateSession | None,
        token: str | None,
        keep_rule: bool = True,
    ) -> _Outcome:
        headers = self._token_header(token)
        if seal is not None:
            data = seal.wrap(data)
            headers.append(("Content-Type", ENCRYPTED_CONTENT_TYPE))
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
