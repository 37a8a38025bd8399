"""The scripted server itself: both ways of running it, and how it reports a test's own mistakes."""

from __future__ import annotations

import asyncio

import httpx
from support import wsman_replies as wr
from support.scripted_server import Reply, ScriptedServer

from hvtui import namespaces as ns
from hvtui.wsman import ClientOptions, Credentials, WSManClient

from .conftest import PLAIN


def test_thread_mode_for_synchronous_tests():
    # As the CLI tests use it: the server on a background thread, the client elsewhere.
    with ScriptedServer(handler=lambda req: wr.identify_response()) as server:

        async def probe():
            async with WSManClient(server.url, Credentials("u", "p"), ClientOptions(**PLAIN)) as client:
                return await client.identify()

        assert asyncio.run(probe()).product_vendor == "Microsoft Corporation"
        assert server.wait_for_requests_sync(1, timeout=5)
        assert len(server.processed) == 1


async def test_exhausted_script_and_failing_handler_are_recorded(server):
    async with httpx.AsyncClient() as http:
        reply = await http.post(server.url, content=b"<x/>")
        assert (reply.status_code, reply.text) == (500, "script exhausted")
        server.script(lambda req: 1 / 0)
        reply = await http.post(server.url, content=b"<x/>")
        assert reply.status_code == 500
        assert "ZeroDivisionError" in reply.text
        reply = await http.get(server.url)
        assert (reply.status_code, reply.headers["allow"]) == (405, "POST")
    assert server.errors[0] == "script exhausted at None"
    assert server.errors[1].startswith("handler failed: ZeroDivisionError")


async def test_requests_are_recorded_with_their_soap_fields(server, clients):
    server.script(Reply(body=wr.identify_response().body), lambda req: wr.enumerate_response(req, []))
    client = clients(server, **PLAIN)
    await client.identify()
    await client.enumerate_all(f"{ns.VIRTUALIZATION_V2}/Msvm_ComputerSystem")
    identify, enumerate_ = server.processed
    assert identify.is_identify
    assert identify.action is None
    assert enumerate_.action == ns.ACTION_ENUMERATE
    assert enumerate_.resource_uri == f"{ns.VIRTUALIZATION_V2}/Msvm_ComputerSystem"
    assert enumerate_.header("authorization").startswith("Basic ")
