"""Replies that are not the SOAP we asked for: each is a ProtocolError saying what came back."""

from __future__ import annotations

import pytest
from support import wsman_replies as wr
from support.scripted_server import Reply

from hvtui import namespaces as ns
from hvtui.wsman import LimitError, ProtocolError, TransportError

from .conftest import PASSWORD, PLAIN

CS = f"{ns.VIRTUALIZATION_V2}/Msvm_ComputerSystem"
KEYS = {"CreationClassName": "Msvm_ComputerSystem", "Name": "VM-1"}

HTML = (
    b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"><html><head>'
    b"<title>Access  Denied &amp; Logged</title></head><body><h1>Proxy says no</h1></body></html>"
)
SOAP11 = (
    b'<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
    b"<soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>no</faultstring></soap:Fault>"
    b"</soap:Body></soap:Envelope>"
)


async def failing_get(server, clients, *responders, error=ProtocolError, **options):
    server.script(*responders)
    with pytest.raises(error) as caught:
        await clients(server, **{**PLAIN, **options}).get(CS, KEYS)
    message = str(caught.value)
    assert "\n" not in message
    assert PASSWORD not in message
    assert caught.value.host == f"127.0.0.1:{server.port}"
    return caught.value


async def test_html_page_names_its_title(server, clients):
    error = await failing_get(server, clients, Reply(200, body=HTML, content_type="text/html; charset=utf-8"))
    assert "HTML page titled 'Access Denied & Logged'" in str(error)
    assert error.status == 200
    assert error.content_type.startswith("text/html")


async def test_html_error_page_with_500(server, clients):
    error = await failing_get(server, clients, Reply(500, body=HTML, content_type="text/html"))
    assert "HTTP 500" in str(error)
    assert "HTML page" in str(error)


async def test_soap_11(server, clients):
    error = await failing_get(
        server, clients, Reply(500, body=SOAP11, content_type="text/xml; charset=utf-8")
    )
    assert "SOAP 1.1" in str(error)


async def test_garbage_bytes(server, clients):
    body = bytes(range(256)) * 8
    error = await failing_get(server, clients, Reply(200, body=body, content_type="application/octet-stream"))
    assert "binary data" in str(error)


async def test_garbage_with_the_soap_content_type(server, clients):
    error = await failing_get(server, clients, Reply(200, body=b"\x00\x01\x02garbage\xff" * 10))
    assert "binary data" in str(error)


async def test_invalid_utf8(server, clients):
    def respond(req):
        xml = wr.envelope(req, ns.ACTION_GET_RESPONSE, "<x>ÿÿ</x>").encode("utf-8")
        return Reply(200, body=xml.replace("ÿÿ".encode(), b"\xff\xfe\xc3\x28"))

    error = await failing_get(server, clients, respond)
    assert "not valid UTF-8" in str(error)


async def test_truncated_xml_with_honest_length(server, clients):
    def respond(req):
        xml = wr.envelope(req, ns.ACTION_GET_RESPONSE, "<x>" * 5 + "text" + "</x>" * 5)
        return Reply(200, body=xml[: len(xml) - 40])

    error = await failing_get(server, clients, respond)
    assert "truncated" in str(error) or "not well-formed" in str(error)


async def test_connection_closed_mid_body(server, clients):
    def respond(req):
        xml = wr.envelope(req, ns.ACTION_GET_RESPONSE, "<x/>" * 200)
        return Reply(200, body=xml, close_after=300)

    error = await failing_get(server, clients, respond, error=TransportError)
    assert "in the middle of the reply" in str(error)


async def test_empty_body(server, clients):
    error = await failing_get(server, clients, Reply(200, body=b""))
    assert "empty body" in str(error)


async def test_empty_body_with_500(server, clients):
    error = await failing_get(server, clients, Reply(500, body=b"", content_type=None))
    assert "HTTP 500" in str(error)


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
async def test_wrong_content_type(server, clients, content_type):
    error = await failing_get(
        server,
        clients,
        lambda req: Reply(
            200, body=wr.envelope(req, ns.ACTION_GET_RESPONSE, "<x/>"), content_type=content_type
        ),
    )
    assert "where a SOAP reply was expected" in str(error)


async def test_not_an_envelope(server, clients):
    error = await failing_get(server, clients, Reply(200, body=b"<rss version='2.0'><channel/></rss>"))
    assert "<rss>" in str(error)


async def test_envelope_without_body(server, clients):
    error = await failing_get(
        server, clients, Reply(200, body=f'<s:Envelope xmlns:s="{ns.SOAP}"><s:Header/></s:Envelope>')
    )
    assert "no Body" in str(error)


async def test_reply_to_another_message(server, clients):
    error = await failing_get(
        server,
        clients,
        lambda req: wr.get_response(req, wr.Instance("Msvm_ComputerSystem", {"Name": "x"})).__class__(
            200, body=wr.envelope(req, ns.ACTION_GET_RESPONSE, "<x/>", relates_to="uuid:SOMEONE-ELSE")
        ),
    )
    assert "answers another request" in str(error)


async def test_compressed_reply_is_refused(server, clients):
    error = await failing_get(
        server, clients, lambda req: Reply(200, body=b"\x1f\x8b...", headers=[("Content-Encoding", "gzip")])
    )
    assert "gzip" in str(error)


async def test_redirect_is_not_followed_and_gets_no_credentials(server, clients, make_server):
    elsewhere = await make_server()
    error = await failing_get(
        server,
        clients,
        Reply(
            307,
            body=b"",
            content_type=None,
            headers=[("Location", f"http://user:secret@127.0.0.1:{elsewhere.port}/steal?x=1")],
        ),
    )
    assert error.status == 307
    assert f"http://127.0.0.1:{elsewhere.port}/steal" in str(error)
    assert "secret" not in str(error)
    assert elsewhere.connections == 0
    assert elsewhere.requests == []
    # The only request the server saw carried the Basic header, and nothing else was sent anywhere.
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("status", "error_type", "words"),
    [
        (400, ProtocolError, "HTTP 400"),
        (404, ProtocolError, "/wsman"),
        (405, ProtocolError, "POST"),
        (413, LimitError, "MaxEnvelopeSizekb"),
        (503, ProtocolError, "retry later"),
        (418, ProtocolError, "HTTP 418"),
    ],
)
async def test_unexpected_statuses(server, clients, status, error_type, words):
    error = await failing_get(
        server,
        clients,
        Reply(status, body=b"<html><title>Status page</title></html>", content_type="text/html"),
        error=error_type,
    )
    assert words in str(error)
