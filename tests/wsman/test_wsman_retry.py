"""Resets and retries: idempotent operations get one resend after a reset, an Invoke never does."""

from __future__ import annotations

import asyncio
import socket

import pytest
from support import wsman_replies as wr
from support.scripted_server import Reply

from hvtui import namespaces as ns
from hvtui.wsman import ClientClosedError, ClientOptions, Credentials, TransportError, WSManClient

from .conftest import PLAIN

CS = f"{ns.VIRTUALIZATION_V2}/Msvm_ComputerSystem"
KEYS = {"CreationClassName": "Msvm_ComputerSystem", "Name": "VM-1"}


def instance(req):
    return wr.get_response(req, wr.Instance("Msvm_ComputerSystem", {"Name": req.selectors.get("Name", "?")}))


@pytest.mark.parametrize("how", ["close_before_reply", "reset"])
async def test_get_is_retried_once_after_a_reset(server, clients, how):
    server.script(Reply(**{how: True}), instance)
    client = clients(server, **PLAIN)
    assert (await client.get(CS, KEYS))["Name"] == "VM-1"
    assert server.actions() == [ns.ACTION_GET, ns.ACTION_GET]
    assert client.stats.retries == 1
    assert server.connections == 2


async def test_get_is_retried_only_once(server, clients):
    server.script(Reply(close_before_reply=True), Reply(close_before_reply=True), instance)
    client = clients(server, **PLAIN)
    with pytest.raises(TransportError) as caught:
        await client.get(CS, KEYS)
    assert "closed before any reply" in str(caught.value)
    assert server.actions() == [ns.ACTION_GET, ns.ACTION_GET]
    assert server.pending == 1


@pytest.mark.parametrize("how", ["close_before_reply", "reset"])
async def test_invoke_is_never_retried(server, clients, how):
    server.script(Reply(**{how: True}))
    client = clients(server, **PLAIN)
    with pytest.raises(TransportError) as caught:
        await client.invoke(CS, "RequestStateChange", KEYS, {"RequestedState": 2})
    assert caught.value.maybe_processed
    invokes = [a for a in server.actions() if a == f"{CS}/RequestStateChange"]
    assert invokes == [f"{CS}/RequestStateChange"]  # the host saw it exactly once
    assert client.stats.retries == 0
    # The client is still usable, on a fresh connection.
    server.script(instance)
    assert (await client.get(CS, KEYS))["Name"] == "VM-1"


async def test_invoke_broken_mid_reply_is_not_retried(server, clients):
    def half(req):
        reply = wr.invoke_response(req, CS, "RequestStateChange", [("ReturnValue", 4096)])
        reply.close_after = 120
        return reply

    server.script(half)
    with pytest.raises(TransportError):
        await clients(server, **PLAIN).invoke(CS, "RequestStateChange", KEYS, {"RequestedState": 2})
    assert len(server.processed) == 1


async def test_enumerate_is_retried_once_after_a_reset(server, clients):
    server.script(Reply(close_before_reply=True), lambda req: wr.enumerate_response(req, [], end=True))
    assert await clients(server, **PLAIN).enumerate_all(CS) == []
    assert server.actions() == [ns.ACTION_ENUMERATE, ns.ACTION_ENUMERATE]


async def test_identify_is_retried_once_after_a_reset(server, clients):
    server.script(Reply(close_before_reply=True), Reply(body=wr.identify_response().body))
    assert (await clients(server, **PLAIN).identify()).product_vendor == "Microsoft Corporation"


async def test_connection_refused(clients):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = clients(f"http://127.0.0.1:{port}/wsman", **PLAIN)
    with pytest.raises(TransportError) as caught:
        await client.get(CS, KEYS)
    assert str(caught.value) == (
        f"127.0.0.1:{port} refused the connection: WinRM is not listening on that port (check transport and "
        "port; on the host, `winrm quickconfig` sets up the listener)"
    )
    assert not caught.value.maybe_processed


async def test_unresolvable_name(clients):
    client = clients("http://no-such-host.invalid:5985/wsman", **PLAIN, connect_timeout=3)
    with pytest.raises(TransportError) as caught:
        await client.get(CS, KEYS)
    assert "no-such-host.invalid" in str(caught.value)


async def test_one_connection_serves_concurrent_callers_in_turn(server, clients):
    server.handler = instance
    client = clients(server, **PLAIN)
    results = await asyncio.gather(*(client.get(CS, {**KEYS, "Name": f"VM-{i}"}) for i in range(20)))
    assert sorted(r["Name"] for r in results) == sorted(f"VM-{i}" for i in range(20))
    assert server.connections == 1


async def test_closed_client(server):
    client = WSManClient(server.url, Credentials("u", "p"), ClientOptions(**PLAIN))
    async with client:
        pass
    assert client.closed
    with pytest.raises(ClientClosedError):
        await client.get(CS, KEYS)
