"""Just enough HTTP/1.1 on asyncio streams, written by hand so faults can cut replies anywhere.

Requests: request line, headers (at most 100 lines, 64 KiB), bodies by Content-Length or chunked,
bounded in size. Replies carry ``Server: Microsoft-HTTPAPI/2.0`` like WinRM's HTTP.sys.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email.utils import formatdate

MAX_HEADER_BYTES = 65_536
MAX_HEADERS = 100
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

    def header_all(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]

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


async def _line(reader: asyncio.StreamReader, budget: list[int]) -> bytes:
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.LimitOverrunError:
        raise BadRequest(400, "header line too long") from None
    budget[0] -= len(line)
    if budget[0] < 0:
        raise BadRequest(400, "headers too large")
    return line


async def read_request(reader: asyncio.StreamReader, max_body: int) -> HttpRequest | None:
    """The next request, or None at a clean end of the connection."""
    budget = [MAX_HEADER_BYTES]
    try:
        line = await _line(reader, budget)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise BadRequest(400, "truncated request line") from None
    while line in (b"\r\n", b"\n"):
        line = await _line(reader, budget)
    parts = line.decode("latin-1").strip().split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(400, "bad request line")
    method, path, version = parts
    headers: list[tuple[str, str]] = []
    while True:
        raw = await _line(reader, budget)
        if raw in (b"\r\n", b"\n"):
            break
        if len(headers) >= MAX_HEADERS:
            raise BadRequest(400, "too many headers")
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep or not name.strip():
            raise BadRequest(400, "bad header line")
        headers.append((name.strip(), value.strip()))
    req = HttpRequest(method.upper(), path, version, headers)
    te = (req.header("Transfer-Encoding") or "").lower()
    if "chunked" in te:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = await _line(reader, [MAX_HEADER_BYTES])
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError:
                raise BadRequest(400, "bad chunk size") from None
            if size == 0:
                while (await _line(reader, [MAX_HEADER_BYTES])) not in (b"\r\n", b"\n"):
                    pass
                break
            total += size
            if total > max_body:
                req.too_large = True
                return req
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        req.body = b"".join(chunks)
        return req
    length_text = req.header("Content-Length")
    if length_text is None:
        return req
    try:
        length = int(length_text)
    except ValueError:
        raise BadRequest(400, "bad Content-Length") from None
    if length < 0:
        raise BadRequest(400, "bad Content-Length")
    if length > max_body:
        req.too_large = True
        if length <= 16 * max_body:  # read it away so the client sees the 413, not a reset
            remaining = length
            while remaining:
                remaining -= len(await reader.readexactly(min(remaining, 65536)))
        return req
    req.body = await reader.readexactly(length)
    return req
