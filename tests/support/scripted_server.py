"""A scripted WS-Management HTTP(S) server for tests: real sockets, canned replies, misbehaviour.

The simulator (``hvtui.sim``) is a faithful Hyper-V host; this is its opposite: a server
that answers exactly what a test tells it to, including what no well-behaved host would
send. It listens on 127.0.0.1 (a free port), speaks HTTP/1.1 with keep-alive, optionally
over TLS, optionally demands Basic or NTLM like WinRM does (with WinRM message
encryption over HTTP), and records every request it received. What a well-behaved host
does it borrows from the simulator -- the request reader (``hvtui.sim.http11``), the NTLM
acceptor and message sealing (``hvtui.sim.auth``) -- so that what is written here is what
misbehaves: the replies.

Use it from an async test (it runs on the test's event loop)::

    async with ScriptedServer() as server:
        server.script(Reply(200, body=...), lambda req: Reply(500, body=fault_for(req)))
        client = WSManClient(server.url, creds, ClientOptions(auth="basic", allow_basic_over_http=True))
        ...
        assert server.requests[0].action == ns.ACTION_ENUMERATE

or from a synchronous test, e.g. against the CLI in a subprocess (it then runs on a
background thread with its own loop)::

    with ScriptedServer(handler=my_handler) as server:
        subprocess.run([..., server.url])

Replies come from ``handler(request)`` if one is set, else from the ``script(...)`` queue
(first in, first out; each item a :class:`Reply` or a callable taking the
:class:`Request` and returning one, sync or async). An empty queue answers HTTP 500
"script exhausted" and records the fact in ``server.errors``; so does a handler that
raises. ``requests`` holds every request received (authentication legs included),
``processed`` those that passed authentication and reached the script -- what a real host
would have carried out.

A :class:`Reply` can misbehave: ``close_before_reply`` (read the request, then close the
connection without a byte), ``reset`` (the same with a TCP RST), ``close_after`` (send
only the first N bytes of the response), ``drip`` (send the response a few bytes at a
time with pauses), ``never_answer`` (keep the connection open and silent),
``stream_body`` (an async iterator of chunks, for bodies too large to build, with
``declared_length`` or chunked transfer), ``delay`` before answering, ``close``
(``Connection: close`` after the reply) and ``tamper`` (change a sealed body).

Authentication (``auth=AuthPolicy(...)``), as WinRM does it: a request without
credentials gets 401 with one ``WWW-Authenticate`` header per offered scheme and an empty
body. Basic is checked per request; NTLM (raw or SPNEGO tokens in ``Negotiate``) per
connection, with the simulator's acceptor over a private file of the policy's accounts.
Over HTTP with ``allow_unencrypted=False`` only sealed bodies are accepted from NTLM
clients and Basic is refused, like a default Windows host; replies to sealed requests are
sealed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import inspect
import itertools
import socket
import ssl
import struct
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from spnego.channel_bindings import GssChannelBindings

from hvtui import namespaces as ns
from hvtui.sim.auth import ENCRYPTED_CONTENT_TYPE, AuthFailed, NegotiateSession, UserFile
from hvtui.sim.http11 import BadRequest, HttpRequest, RequestReader

SOAP_TYPE = "application/soap+xml;charset=UTF-8"
MAX_REQUEST_BYTES = 16 * 1024 * 1024

_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    307: "Temporary Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass
class Request:
    """One HTTP request as the server received it (``body`` unsealed when it was encrypted)."""

    method: str
    path: str
    headers: list[tuple[str, str]]
    raw_body: bytes
    body: bytes
    connection: int
    encrypted: bool = False
    user: str | None = None
    _xml: Any = field(default=None, repr=False)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def xml(self) -> Any:
        """The body parsed (safely) as XML, or None if it is empty or not XML."""
        if self._xml is None and self.body.strip():
            try:
                self._xml = etree.fromstring(self.body, _SAFE_PARSER)
            except etree.XMLSyntaxError:
                self._xml = False
        return self._xml if self._xml is not None and self._xml is not False else None

    def _header_text(self, namespace: str, name: str) -> str | None:
        root = self.xml
        if root is None:
            return None
        element = root.find(f"{{{ns.SOAP}}}Header/{{{namespace}}}{name}")
        return (element.text or "").strip() if element is not None else None

    @property
    def action(self) -> str | None:
        return self._header_text(ns.ADDRESSING, "Action")

    @property
    def message_id(self) -> str | None:
        return self._header_text(ns.ADDRESSING, "MessageID")

    @property
    def resource_uri(self) -> str | None:
        return self._header_text(ns.WSMAN, "ResourceURI")

    @property
    def selectors(self) -> dict[str, str]:
        root = self.xml
        if root is None:
            return {}
        return {
            s.get("Name", ""): s.text or ""
            for s in root.iterfind(f"{{{ns.SOAP}}}Header/{{{ns.WSMAN}}}SelectorSet/{{{ns.WSMAN}}}Selector")
        }

    @property
    def payload(self) -> Any:
        """The first element of the SOAP Body (None if there is none)."""
        root = self.xml
        if root is None:
            return None
        body = root.find(f"{{{ns.SOAP}}}Body")
        return body[0] if body is not None and len(body) else None

    def body_text(self, path: str) -> str | None:
        """Text of an element under the Body payload by Clark-notation path (``{ns}A/{ns}B``)."""
        payload = self.payload
        if payload is None:
            return None
        element = payload.find(path)
        return (element.text or "") if element is not None else None

    @property
    def is_identify(self) -> bool:
        payload = self.payload
        return payload is not None and payload.tag == f"{{{ns.WSMAN_IDENTITY}}}Identify"


@dataclass
class Reply:
    """What to answer; see the module docstring for the misbehaviours."""

    status: int = 200
    body: bytes | str = b""
    content_type: str | None = SOAP_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    reason: str | None = None
    close: bool = False
    delay: float = 0.0
    close_before_reply: bool = False
    reset: bool = False
    close_after: int | None = None
    drip: tuple[int, float] | None = None
    never_answer: bool = False
    stream_body: Callable[[], AsyncIterator[bytes]] | None = None
    declared_length: int | None = None
    #: None: seal when the request came sealed; False: answer in clear text regardless.
    seal: bool | None = None
    #: Applied to the body once sealed: a reply tampered with on the way.
    tamper: Callable[[bytes], bytes] | None = None

    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


Responder = Reply | Callable[[Request], Reply | Awaitable[Reply]]


@dataclass
class AuthPolicy:
    """How the server authenticates, like a WinRM service configuration.

    ``schemes`` are offered in this order in the 401 and accepted; ``users`` maps a user
    name (``administrator`` or ``DOMAIN\\user``) to its password. ``channel_binding`` over
    TLS: ``"strict"`` requires the client's tls-server-end-point token to be present and to
    match the server certificate (CbtHardeningLevel Strict); ``"relaxed"`` does not check it.
    """

    users: dict[str, str] = field(default_factory=lambda: {"administrator": "Passw0rd!"})
    schemes: tuple[str, ...] = ("Negotiate", "Basic")
    allow_unencrypted: bool = False
    channel_binding: str = "relaxed"
    #: Extra WWW-Authenticate challenges offered but never accepted (e.g. "Kerberos").
    also_offer: tuple[str, ...] = ()
    #: Fold the challenges into one header, as some intermediaries do.
    fold_challenges: bool = False


class _Connection:
    def __init__(self, number: int, tls: bool) -> None:
        self.number = number
        self.tls = tls
        self.ntlm: NegotiateSession | None = None
        self.user: str | None = None
        #: The acceptor's last token, sent back in the reply that completes the handshake.
        self.final_token: str | None = None


class ScriptedServer:
    """See the module docstring. ``url`` is ``http(s)://127.0.0.1:PORT/wsman``."""

    def __init__(
        self,
        *,
        handler: Callable[[Request], Reply | Awaitable[Reply]] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        auth: AuthPolicy | None = None,
        host: str = "127.0.0.1",
        path: str = "/wsman",
        server_header: str = "Microsoft-HTTPAPI/2.0",
    ) -> None:
        self.handler = handler
        self.ssl_context = ssl_context
        self.auth = auth
        self.host = host
        self.path = path
        self.server_header = server_header
        self.requests: list[Request] = []
        #: Requests that got past authentication and reached the script: what a host would run.
        self.processed: list[Request] = []
        self.errors: list[str] = []
        self.connections = 0
        self.port = 0
        self._queue: list[Responder] = []
        self._server: asyncio.base_events.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None
        self._changed: asyncio.Condition | None = None
        self._sync_changed = threading.Condition()
        self._counter = itertools.count(1)
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._users: UserFile | None = None

    # ------------------------------------------------------------ scripting

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{self.host}:{self.port}{self.path}"

    def script(self, *responders: Responder) -> ScriptedServer:
        """Queue replies (or callables making them), answered in order."""
        self._queue.extend(responders)
        return self

    @property
    def pending(self) -> int:
        """Scripted replies not yet used."""
        return len(self._queue)

    def soap_requests(self) -> list[Request]:
        """Requests that carried a SOAP body (authentication legs have empty bodies)."""
        return [r for r in self.requests if r.body.strip()]

    def actions(self) -> list[str | None]:
        """Actions of the requests the script answered, in order."""
        return [r.action for r in self.processed]

    def set_password(self, user: str, password: str) -> None:
        """Change an account's password, as an administrator would on the host, from the next login on."""
        assert self.auth is not None
        self.auth.users[user] = password
        if self._users is not None:
            self._users.write(_accounts(self.auth.users))

    async def wait_for_requests(self, count: int, timeout: float = 10.0) -> None:
        """(Async mode) wait until the script has answered at least ``count`` requests."""
        assert self._changed is not None
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.processed) >= count)

    def wait_for_requests_sync(self, count: int, timeout: float = 10.0) -> bool:
        """(Thread mode) the same from a synchronous test; False on timeout."""
        with self._sync_changed:
            return self._sync_changed.wait_for(lambda: len(self.processed) >= count, timeout)

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> ScriptedServer:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._changed = asyncio.Condition()
        if self.auth is not None and "Negotiate" in self.auth.schemes:
            self._users = UserFile()
            self._users.write(_accounts(self.auth.users))
        self._server = await asyncio.start_server(
            self._serve, self.host, 0, ssl=self.ssl_context, limit=MAX_REQUEST_BYTES
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        if self._users is not None:
            self._users.close()
            self._users = None

    async def __aenter__(self) -> ScriptedServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def __enter__(self) -> ScriptedServer:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # report to the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="scripted-wsman-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    # --------------------------------------------------------------- serving

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._writers.add(writer)
        self.connections += 1
        conn = _Connection(next(self._counter), self.ssl_context is not None)
        requests = RequestReader(reader, MAX_REQUEST_BYTES)
        try:
            while True:
                try:
                    received = await requests.next()
                except BadRequest as exc:
                    self.errors.append(f"bad request: {exc}")
                    break
                if received is None:
                    break
                if received.too_large:
                    self.errors.append(f"request body over {MAX_REQUEST_BYTES} bytes")
                    break
                request = _request(received, conn)
                keep_going = await self._handle(request, conn, writer)
                if not keep_going:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):  # the socket may be gone already
                writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _handle(self, request: Request, conn: _Connection, writer: asyncio.StreamWriter) -> bool:
        reply = await self._authenticate(request, conn)
        if reply is None:
            reply = await self._reply_for(request)
        if conn.final_token is not None:
            reply.headers = [*reply.headers, ("WWW-Authenticate", conn.final_token)]
            conn.final_token = None
        self.requests.append(request)
        await self._notify()
        return await self._write(reply, request, conn, writer)

    async def _notify(self) -> None:
        with self._sync_changed:
            self._sync_changed.notify_all()
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()

    async def _reply_for(self, request: Request) -> Reply:
        if request.method != "POST":
            return Reply(405, body=b"", content_type=None, headers=[("Allow", "POST")])
        if not request.body.strip():
            # An authenticated empty POST (the end of an NTLM handshake): nothing to answer.
            return Reply(200, body=b"", content_type=None)
        self.processed.append(request)
        await self._notify()
        responder: Responder | None
        if self.handler is not None:
            responder = self.handler
        elif self._queue:
            responder = self._queue.pop(0)
        else:
            self.errors.append(f"script exhausted at {request.action}")
            return Reply(500, body=b"script exhausted", content_type="text/plain")
        if isinstance(responder, Reply):
            return responder
        try:
            result = responder(request)
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:  # a broken test handler must show up as such, not as a reset
            self.errors.append(f"handler failed: {exc!r}")
            return Reply(500, body=f"handler failed: {exc!r}", content_type="text/plain")
        return result

    # ---------------------------------------------------------- authentication

    def _challenges(self) -> list[tuple[str, str]]:
        assert self.auth is not None
        offered = []
        for scheme in (*self.auth.schemes, *self.auth.also_offer):
            offered.append(("WWW-Authenticate", 'Basic realm="WSMAN"' if scheme == "Basic" else scheme))
        if self.auth.fold_challenges and offered:
            return [("WWW-Authenticate", ", ".join(v for _, v in offered))]
        return offered

    def _unauthorized(self, extra: Iterable[tuple[str, str]] = ()) -> Reply:
        return Reply(401, body=b"", content_type=None, headers=[*self._challenges(), *extra])

    async def _authenticate(self, request: Request, conn: _Connection) -> Reply | None:
        """None when the request may proceed; else the 401 (or handshake leg) to send."""
        policy = self.auth
        if policy is None or (request.header("WSMANIDENTIFY") == "unauthenticated" and request.is_identify):
            return None
        authorization = request.header("Authorization") or ""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "basic" and "Basic" in policy.schemes:
            if not conn.tls and not policy.allow_unencrypted:
                return self._unauthorized()
            try:
                user, _, password = base64.b64decode(token).decode("utf-8").partition(":")
            except ValueError:
                return self._unauthorized()
            if policy.users.get(user) != password and policy.users.get(user.lower()) != password:
                return self._unauthorized()
            request.user = user
            return None
        if scheme.lower() == "negotiate" and "Negotiate" in policy.schemes:
            return self._ntlm_step(request, conn, token.strip())
        if conn.ntlm is not None and conn.ntlm.complete:
            request.user = conn.user
            return self._unseal(request, conn)
        return self._unauthorized()

    def _unseal(self, request: Request, conn: _Connection) -> Reply | None:
        """Decrypt a sealed body in place; refuse a clear one where the policy wants it sealed."""
        assert self.auth is not None and conn.ntlm is not None
        content_type = request.header("Content-Type") or ""
        if content_type.lower().startswith("multipart/encrypted"):
            try:
                request.body = conn.ntlm.unwrap(request.raw_body)
            except AuthFailed as exc:  # a broken seal is a test failure worth seeing
                self.errors.append(f"cannot unseal request: {exc}")
                return Reply(400, body=b"bad seal", content_type="text/plain")
            request._xml = None
            request.encrypted = True
            return None
        if not conn.tls and not self.auth.allow_unencrypted and request.body.strip():
            return self._unauthorized()
        return None

    def _ntlm_step(self, request: Request, conn: _Connection, token: str) -> Reply | None:
        assert self.auth is not None and self._users is not None
        if conn.ntlm is None or conn.ntlm.complete:
            bindings = None
            if conn.tls and self.auth.channel_binding == "strict":
                bindings = self._server_bindings()
            conn.ntlm = NegotiateSession(self._users, bindings)
            conn.user = None
        try:
            out = conn.ntlm.step(token)
        except AuthFailed as exc:  # wrong password, bad token, missing binding
            self.errors.append(f"ntlm: {exc}")
            conn.ntlm = None
            return self._unauthorized()
        if not conn.ntlm.complete:
            headers = [("WWW-Authenticate", "Negotiate " + base64.b64encode(out).decode())] if out else []
            return Reply(401, body=b"", content_type=None, headers=headers)
        if out:
            conn.final_token = "Negotiate " + base64.b64encode(out).decode()
        conn.user = conn.ntlm.user
        request.user = conn.user
        return self._unseal(request, conn)

    def _server_bindings(self) -> GssChannelBindings | None:
        certificate = getattr(self.ssl_context, "_scripted_certificate_der", None)
        if certificate is None:
            return None
        # RFC 5929 tls-server-end-point; trustme signs with SHA-256, so the hash is SHA-256.
        return GssChannelBindings(
            application_data=b"tls-server-end-point:" + hashlib.sha256(certificate).digest()
        )

    # --------------------------------------------------------------- writing

    async def _write(
        self, reply: Reply, request: Request, conn: _Connection, writer: asyncio.StreamWriter
    ) -> bool:
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.never_answer:
            assert self._stopping is not None
            await self._stopping.wait()
            return False
        if reply.close_before_reply or reply.reset:
            if reply.reset:
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.close()
            return False
        body = reply.body_bytes()
        content_type = reply.content_type
        seal = reply.seal if reply.seal is not None else request.encrypted
        if seal and conn.ntlm is not None and reply.stream_body is None and reply.status != 401:
            body = conn.ntlm.wrap(body)
            content_type = ENCRYPTED_CONTENT_TYPE
            if reply.tamper is not None:
                body = reply.tamper(body)
        head = [f"HTTP/1.1 {reply.status} {reply.reason or _REASONS.get(reply.status, 'Status')}"]
        head.append(f"Server: {self.server_header}")
        if content_type is not None:
            head.append(f"Content-Type: {content_type}")
        chunked = reply.stream_body is not None and reply.declared_length is None
        if chunked:
            head.append("Transfer-Encoding: chunked")
        else:
            length = reply.declared_length if reply.declared_length is not None else len(body)
            head.append(f"Content-Length: {length}")
        for name, value in reply.headers:
            head.append(f"{name}: {value}")
        if reply.close:
            head.append("Connection: close")
        header_bytes = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if reply.stream_body is not None:
            writer.write(header_bytes)
            await writer.drain()
            async for chunk in reply.stream_body():
                writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk)
                await writer.drain()
            if chunked:
                writer.write(b"0\r\n\r\n")
                await writer.drain()
            return not reply.close
        data = header_bytes + body
        if reply.close_after is not None:
            writer.write(data[: reply.close_after])
            await writer.drain()
            writer.close()
            return False
        if reply.drip is not None:
            step, pause = reply.drip
            for start in range(0, len(data), step):
                writer.write(data[start : start + step])
                await writer.drain()
                await asyncio.sleep(pause)
            return not reply.close
        writer.write(data)
        await writer.drain()
        return not reply.close


def _request(received: HttpRequest, conn: _Connection) -> Request:
    return Request(
        received.method, received.path, received.headers, received.body, received.body, conn.number
    )


def _accounts(users: dict[str, str]) -> list[tuple[str, str, str]]:
    """The policy's accounts; a local account (no domain) also under '.', as Windows accepts it."""
    accounts = []
    for user, password in users.items():
        domain, _, name = user.rpartition("\\")
        accounts.append((domain, name, password))
        if not domain:
            accounts.append((".", name, password))
    return accounts


def tls_context(ca: Any, hostnames: tuple[str, ...] = ("127.0.0.1", "localhost")) -> ssl.SSLContext:
    """A server-side TLS context with a leaf certificate issued by a ``trustme.CA``.

    The leaf's DER is kept on the context so an NTLM acceptor can compute channel bindings.
    """
    cert = ca.issue_cert(*hostnames)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    leaf = x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes())
    context._scripted_certificate_der = leaf.public_bytes(Encoding.DER)  # type: ignore[attr-defined]
    return context
