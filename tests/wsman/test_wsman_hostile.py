"""A malicious or broken host: each hostile reply ends in a clear error, in time, with memory bounded.

Entity expansion, external entities (nothing read, nothing fetched), a 200 MB body, 100,000-deep
nesting, a reply that drips, a host that never answers.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest
from lxml import etree
from support import wsman_replies as wr
from support.scripted_server import Reply

from hvtui import namespaces as ns
from hvtui.wsman import LimitError, ProtocolError, TimeoutExpired
from hvtui.wsman.xmlparse import _parser

from .conftest import PLAIN

CS = f"{ns.VIRTUALIZATION_V2}/Msvm_ComputerSystem"
KEYS = {"CreationClassName": "Msvm_ComputerSystem", "Name": "VM-1"}

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x>&lol9;</x></s:Body></s:Envelope>"""


def external_entity(system_id: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "{system_id}">]>'
        f'<s:Envelope xmlns:s="{ns.SOAP}"><s:Body><x>&xxe;</x></s:Body></s:Envelope>'
    ).encode()


async def hostile_get(server, clients, responder, error, **options):
    server.script(responder)
    client = clients(server, **{**PLAIN, **options})
    started = time.monotonic()
    with pytest.raises(error) as caught:
        await client.get(CS, KEYS)
    return caught.value, time.monotonic() - started


async def test_billion_laughs_is_refused(server, clients):
    tracemalloc.start()
    try:
        error, _ = await hostile_get(server, clients, Reply(200, body=BILLION_LAUGHS), ProtocolError)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "DOCTYPE" in str(error)
    assert peak < 20 * 1024 * 1024


async def test_external_file_entity_is_refused_and_never_read(server, clients, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    error, _ = await hostile_get(
        server, clients, Reply(200, body=external_entity(secret.as_uri())), ProtocolError
    )
    assert "DOCTYPE" in str(error)
    assert "TOP-SECRET" not in str(error)


async def test_external_http_entity_is_refused_and_never_fetched(server, clients, make_server):
    attacker = await make_server()
    error, _ = await hostile_get(
        server, clients, Reply(200, body=external_entity(f"{attacker.url}/exfiltrate")), ProtocolError
    )
    assert "DOCTYPE" in str(error)
    assert attacker.connections == 0


async def test_the_parser_itself_neither_reads_nor_fetches(tmp_path, make_server):
    # Defence in depth: even below the DOCTYPE refusal, the parser resolves nothing.
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    attacker = await make_server()
    for system_id in (secret.as_uri(), f"{attacker.url}/exfiltrate"):
        try:
            root = etree.fromstring(external_entity(system_id), _parser())
        except etree.XMLSyntaxError:
            continue
        assert "TOP-SECRET" not in etree.tostring(root, encoding="unicode")
    try:
        root = etree.fromstring(BILLION_LAUGHS, _parser())
    except etree.XMLSyntaxError as exc:  # libxml2's amplification guard may stop it first
        assert "amplification" in str(exc) or "entity" in str(exc).lower()
    else:
        assert len(etree.tostring(root)) < 10000  # entities were not expanded
    assert attacker.connections == 0


async def test_doctype_in_utf16_is_refused(server, clients):
    body = external_entity("file:///etc/passwd").decode().replace('<?xml version="1.0"?>', "")
    error, _ = await hostile_get(
        server,
        clients,
        Reply(200, body="\ufeff".encode("utf-16-le") + body.encode("utf-16-le")),
        ProtocolError,
    )
    assert "DOCTYPE" in str(error)


async def _huge(total: int, chunk: int = 256 * 1024):
    block = b"<x>" + b"A" * (chunk - 7) + b"</x>\n"
    sent = 0
    while sent < total:
        yield block
        sent += len(block)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_200_mb_body_is_refused_without_buffering_it(server, clients, declared):
    total = 200 * 1024 * 1024
    reply = Reply(200, stream_body=lambda: _huge(total), declared_length=total if declared else None)
    tracemalloc.start()
    try:
        error, elapsed = await hostile_get(server, clients, reply, LimitError)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "max_reply_bytes" in str(error)
    assert peak < 40 * 1024 * 1024  # the cap is 2 MB; nothing near 200 MB was held
    assert elapsed < 10


async def test_100000_deep_nesting(server, clients):
    def respond(req):
        deep = "<a>" * 100_000 + "</a>" * 100_000
        return Reply(200, body=wr.envelope(req, ns.ACTION_GET_RESPONSE, deep))

    error, _ = await hostile_get(server, clients, respond, LimitError)
    assert "nested deeper" in str(error)


async def test_dripping_reply_times_out_at_the_total_deadline(server, clients):
    def respond(req):
        body = wr.envelope(
            req, ns.ACTION_GET_RESPONSE, wr.instance_xml(wr.Instance("Msvm_ComputerSystem", {"N": 1}))
        )
        return Reply(200, body=body, drip=(1, 0.05))

    error, elapsed = await hostile_get(
        server, clients, respond, TimeoutExpired, total_timeout=1.0, read_timeout=5, operation_timeout=1
    )
    assert "total_timeout" in str(error)
    assert 0.9 <= elapsed < 3


async def test_host_that_never_answers(server, clients):
    error, elapsed = await hostile_get(
        server, clients, Reply(never_answer=True), TimeoutExpired, read_timeout=1.0, operation_timeout=0.5
    )
    assert "read_timeout" in str(error)
    assert error.maybe_processed
    assert elapsed < 3


async def test_host_that_accepts_but_never_answers_an_invoke_is_not_resent(server, clients):
    server.script(Reply(never_answer=True))
    client = clients(server, **PLAIN, read_timeout=1.0, operation_timeout=0.5)
    with pytest.raises(TimeoutExpired):
        await client.invoke(CS, "RequestStateChange", KEYS, {"RequestedState": 2})
    assert len(server.soap_requests()) == 1


async def test_huge_header_block(server, clients):
    reply = Reply(200, body=b"<x/>", headers=[(f"X-Junk-{i}", "v" * 1000) for i in range(200)])
    error, _ = await hostile_get(server, clients, reply, ProtocolError)
    assert "malformed HTTP reply" in str(error)
    assert len(server.soap_requests()) == 1  # a broken reply is not a reset: no resend
