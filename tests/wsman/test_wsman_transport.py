"""The transport's protocol decisions, over ``httpx.MockTransport`` where a socket would add nothing.

What crosses a real wire (keep-alive, TLS, resets, NTLM against an acceptor) is proved against
the scripted server in the other files; here each test scripts the host's HTTP answer and
checks what the client made of it and what it sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from support import wsman_replies as wr
from support.scripted_server import Request

from hvtui import namespaces as ns
from hvtui.wsman import (
    AuthenticationError,
    ClientOptions,
    Credentials,
    LimitError,
    ProtocolError,
    WSManClient,
)

from .conftest import PASSWORD, PLAIN, USER

CS = f"{ns.VIRTUALIZATION_V2}/Msvm_ComputerSystem"
KEYS = {"CreationClassName": "Msvm_ComputerSystem", "Name": "VM-1"}
HTTP = "http://hv01.example.test:5985/wsman"
HTTPS = "https://hv01.example.test:5986/wsman"
HOST = "hv01.example.test"


def scripted(request: httpx.Request) -> Request:
    """The httpx request as the reply builders of the scripted server take it."""
    return Request(
        request.method,
        request.url.path,
        list(request.headers.items()),
        request.content,
        request.content,
        connection=0,
    )


def client_for(
    handler: Callable[[httpx.Request], httpx.Response], endpoint: str = HTTP, **options: object
) -> tuple[WSManClient, list[httpx.Request]]:
    """A client whose every request goes to ``handler``; the list records what it sent."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    client = WSManClient(
        endpoint, Credentials(USER, PASSWORD), ClientOptions(**options), transport=httpx.MockTransport(record)
    )
    return client, sent


def refuse_listing(*schemes: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(401, headers=[("WWW-Authenticate", s) for s in schemes])


@pytest.mark.parametrize(
    ("auth", "words"),
    [
        ("auto", "offers no authentication scheme hvtui speaks (it offers: Kerberos, CredSSP)"),
        ("ntlm", "does not accept NTLM (Negotiate) authentication (it offers: Kerberos, CredSSP)"),
        ("basic", "does not accept Basic authentication (it offers: Kerberos, CredSSP)"),
    ],
)
async def test_a_401_names_the_schemes_the_host_offers(auth, words):
    client, sent = client_for(refuse_listing("Kerberos", 'CredSSP realm="x"'), HTTPS, auth=auth)
    async with client:
        with pytest.raises(AuthenticationError) as caught:
            await client.get(CS, KEYS)
    assert caught.value.reason == "scheme"
    assert caught.value.offered == ("Kerberos", "CredSSP")
    assert words in str(caught.value)
    assert PASSWORD not in str(caught.value)
    assert len(sent) == 1  # one probe or one Basic request, never a second try
    if auth == "basic":
        assert sent[0].headers["Authorization"].startswith("Basic ")
    else:
        assert sent[0].headers["Authorization"].startswith("Negotiate ")
        assert sent[0].content == b""  # the handshake leg carries no SOAP


async def test_auto_refuses_basic_over_http_when_the_host_offers_only_basic():
    client, sent = client_for(refuse_listing('Basic realm="WSMAN"'))
    async with client:
        with pytest.raises(AuthenticationError) as caught:
            await client.get(CS, KEYS)
    assert caught.value.reason == "insecure"
    assert [r.headers["Authorization"].split()[0] for r in sent] == ["Negotiate"]


async def test_a_redirect_is_refused_and_not_followed():
    def redirect(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "https://admin:pw@elsewhere.test:8443/wsman?t=1"})

    client, sent = client_for(redirect, **PLAIN)
    async with client:
        with pytest.raises(ProtocolError) as caught:
            await client.get(CS, KEYS)
    message = str(caught.value)
    assert caught.value.status == 302
    assert "redirect (HTTP 302) to https://elsewhere.test:8443/wsman: not followed" in message
    assert "admin" not in message
    assert "t=1" not in message
    assert [r.url.host for r in sent] == [HOST]


@pytest.mark.parametrize("declared", [True, False])
async def test_a_reply_over_the_size_bound_is_refused_while_it_streams(declared):
    chunks_read = []

    async def body() -> AsyncIterator[bytes]:
        for n in range(100):
            chunks_read.append(n)
            yield b"<" + b"x" * 1023

    def huge(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/soap+xml;charset=UTF-8"}
        if declared:
            headers["Content-Length"] = str(100 * 1024)
        return httpx.Response(200, headers=headers, content=body())

    client, _sent = client_for(huge, **PLAIN, max_envelope_size=8192, max_reply_bytes=8192)
    async with client:
        with pytest.raises(LimitError, match=r"larger than max_reply_bytes \(8192 bytes\)"):
            await client.get(CS, KEYS)
    # Refused from the declared length before any byte, or at the first chunk past the bound.
    assert len(chunks_read) == (0 if declared else 9)


async def test_an_invoke_result_carries_the_size_of_its_own_reply():
    replies: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        req = scripted(request)
        if req.action == ns.ACTION_GET:
            reply = wr.get_response(req, wr.Instance("Msvm_ComputerSystem", {"Name": "x" * 5000}))
        else:
            reply = wr.invoke_response(req, CS, "RequestStateChange", [("ReturnValue", 4096)])
        replies.append(reply.body_bytes())
        return httpx.Response(200, headers={"Content-Type": "application/soap+xml"}, content=replies[-1])

    client, _sent = client_for(answer, **PLAIN)
    async with client:
        await client.get(CS, KEYS)  # other traffic on the connection counts for nothing
        result = await client.invoke(CS, "RequestStateChange", KEYS, {"RequestedState": 2})
        await client.get(CS, KEYS)
    assert result.return_value == 4096
    assert result.reply_bytes == len(replies[1])
    assert client.stats.bytes_received == sum(map(len, replies))
