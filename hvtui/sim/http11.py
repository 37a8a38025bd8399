"""HTTP/1.1 for the simulator: requests parsed by h11, replies written by hand.

h11 does the request side (request line, header syntax, Content-Length or chunked framing),
within bounds: at most 100 header lines in 64 KiB, and a body no larger than the caller allows.
Replies are plain bytes built here, not h11 events, so that fault injection can cut, drip or
reset a reply at any byte, which a protocol library rightly refuses to do. Replies carry
``Server: Microsoft-HTTPAPI/2.0`` like WinRM's HTTP.sys.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email.utils import formatdate

import h11

MAX_HEADER_BYTES = 65_536
MAX_HEADERS = 100
#: A body declared at most this many times the limit is read away, so the client sees the 413.
DRAIN_FACTOR = 16
READ_SIZE = 65_536

REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class HttpRequest:
    method: str
    path: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    too_large: bool = False

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for k, v in self.headers:
            if k.lower() == lname:
                return v
        return None

    @property
    def keep_alive(self) -> bool:
        conn = (self.header("Connection") or "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in conn
        return "close" not in conn


@dataclass
class HttpResponse:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    close: bool = False

    def head_bytes(self) -> bytes:
        lines = [f"HTTP/1.1 {self.status} {REASONS.get(self.status, '')}".rstrip()]
        names = {k.lower() for k, _ in self.headers}
        if "content-length" not in names:
            lines.append(f"Content-Length: {len(self.body)}")
        lines.extend(f"{k}: {v}" for k, v in self.headers)
        lines.append("Server: Microsoft-HTTPAPI/2.0")
        lines.append(f"Date: {formatdate(usegmt=True)}")
        if self.close:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def to_bytes(self) -> bytes:
        return self.head_bytes() + self.body


class RequestReader:
    """The requests of one connection, in turn. Bytes read past a request wait for the next one."""

    def __init__(self, reader: asyncio.StreamReader, max_body: int) -> None:
        self._reader = reader
        self._max_body = max_body
        self._pending = b""

    async def next(self) -> HttpRequest | None:
        """The next request, or None at a clean end of the connection; BadRequest when malformed."""
        # A fresh parser per request: the replies never pass through h11, so one parser could
        # not follow the connection from one request to the next.
        parser = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEADER_BYTES)
        if not await self._skip_empty_lines():
            return None
        parser.receive_data(self._pending)
        self._pending = b""
        event = await self._event(parser)
        if isinstance(event, h11.ConnectionClosed):
            return None
        if not isinstance(event, h11.Request):
            raise BadRequest(400, "bad request")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers.raw_items()]
        if len(headers) > MAX_HEADERS:
            raise BadRequest(400, "too many headers")
        # h11 bounds only a head that is still incomplete; one that arrived whole is measured here.
        if len(event.target) + sum(len(k) + len(v) + 4 for k, v in headers) > MAX_HEADER_BYTES:
            raise BadRequest(400, "headers too large")
        req = HttpRequest(
            event.method.decode("latin-1").upper(),
            event.target.decode("latin-1"),
            "HTTP/" + event.http_version.decode("latin-1"),
            headers,
        )
        length = req.header("Content-Length")  # h11 has checked that it is a number
        if length is not None and int(length) > DRAIN_FACTOR * self._max_body:
            req.too_large = True  # not worth reading: the connection ends with the 413
            return req
        chunks: list[bytes] = []
        size = 0
        while not isinstance(event := await self._event(parser, in_body=True), h11.EndOfMessage):
            if not isinstance(event, h11.Data):
                raise BadRequest(400, "bad request body")
            size += len(event.data)
            if size > self._max_body:
                req.too_large = True
                chunks.clear()
                if length is None or size > int(length):  # chunked: no end in sight
                    return req
            if not req.too_large:
                chunks.append(bytes(event.data))
        req.body = b"".join(chunks)
        self._pending = parser.trailing_data[0]
        return req

    async def _skip_empty_lines(self) -> bool:
        """Drop empty lines before a request line (RFC 9112 2.2); False at the end of the stream."""
        skipped = 0
        while True:
            rest = self._pending.lstrip(b"\r\n")
            skipped += len(self._pending) - len(rest)
            if skipped > MAX_HEADER_BYTES:
                raise BadRequest(400, "headers too large")
            self._pending = rest
            if rest:
                return True
            data = await self._reader.read(READ_SIZE)
            if not data:
                return False
            self._pending = data

    async def _event(self, parser: h11.Connection, *, in_body: bool = False) -> object:
        while True:
            try:
                event = parser.next_event()
            except h11.RemoteProtocolError as exc:
                raise BadRequest(400, str(exc)) from None
            if event is not h11.NEED_DATA:
                return event
            data = await self._reader.read(READ_SIZE)
            if not data and in_body:  # the client gave up mid-body: nobody is left to answer
                raise asyncio.IncompleteReadError(b"", None)
            parser.receive_data(data)
