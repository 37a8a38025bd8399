"""The simulator's request side over raw sockets: framing, keep-alive and the bounds on what it reads."""

from __future__ import annotations

import contextlib
import socket

from tests.sim.wire import ENUMERATE, V2, basic, enumerate_body, envelope

BODY = envelope(ENUMERATE, f"{V2}/Msvm_ComputerSystem", enumerate_body(optimize=True, max_elements=1))

HEAD = (
    "POST /wsman HTTP/1.1\r\nHost: x\r\nContent-Type: application/soap+xml;charset=UTF-8\r\n"
    f"Authorization: {basic()}\r\n"
)


def until_closed(host, data: bytes) -> bytes:
    """Send ``data`` on a new connection and read until the host closes it (a timeout fails the test)."""
    with socket.create_connection(("127.0.0.1", host.port), timeout=10) as s:
        s.sendall(data)
        received = b""
        while chunk := s.recv(65536):
            received += chunk
        return received


def with_body(body: bytes, extra: str = "") -> bytes:
    return (HEAD + extra + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def test_pipelined_requests_on_one_connection(sim_host):
    data = BODY.encode()
    reply = until_closed(sim_host, with_body(data) + with_body(data, "Connection: close\r\n"))
    assert reply.count(b"HTTP/1.1 200 OK") == 2
    assert reply.count(b"</n:EnumerateResponse>") == 2


def test_empty_lines_before_a_request_are_ignored(sim_host):
    reply = until_closed(sim_host, b"\r\n\r\n" + with_body(BODY.encode(), "Connection: close\r\n"))
    assert reply.startswith(b"HTTP/1.1 200")


def test_http_1_0_closes_after_the_reply(sim_host):
    data = with_body(BODY.encode()).replace(b"HTTP/1.1\r\n", b"HTTP/1.0\r\n", 1)
    assert until_closed(sim_host, data).startswith(b"HTTP/1.1 200")


def test_malformed_requests_get_400_and_the_connection_ends(sim_host):
    for data in (
        b"NONSENSE\r\n\r\n",
        b"POST /wsman HTTP/1.1\r\nHost: x\r\nContent-Length: many\r\n\r\n",
        b"POST /wsman HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
        b"POST /wsman HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ):
        reply = until_closed(sim_host, data)
        assert reply.startswith(b"HTTP/1.1 400 Bad Request"), data
        assert b"Connection: close" in reply


def test_header_bounds(sim_host):
    many = "".join(f"X-Header-{i}: v\r\n" for i in range(101))
    reply = until_closed(sim_host, with_body(b"", many))
    assert reply.startswith(b"HTTP/1.1 400")
    huge = "".join(f"X-Header-{i}: {'v' * 1000}\r\n" for i in range(70))
    reply = until_closed(sim_host, with_body(b"", huge))
    assert reply.startswith(b"HTTP/1.1 400")
    reply = until_closed(sim_host, b"\r\n" * 40_000)
    assert reply.startswith(b"HTTP/1.1 400")


def test_a_chunked_body_past_the_limit_gets_413(sim_host):
    chunk = b"x" * 65536
    with socket.create_connection(("127.0.0.1", sim_host.port), timeout=10) as s:
        s.sendall((HEAD + "Transfer-Encoding: chunked\r\n\r\n").encode())
        with contextlib.suppress(OSError):  # the host stops reading past 500 KiB
            for _ in range(9):
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        assert s.recv(65536).startswith(b"HTTP/1.1 413")
