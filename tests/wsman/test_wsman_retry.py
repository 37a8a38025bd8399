"""Resends and retries: a read is sent again after a passing failure, an Invoke never is.

Two rules, both in ``hvtui.wsman.retry``: a connection that broke before any reply gets one
immediate resend on a fresh connection (the host closed an idle kept-alive connection), and
a read (Identify, Get, Enumerate, and a Pull the host surely did not run) that met a passing
failure is tried again after a short, growing, jittered pause, while the request's time
(``total_timeout``) lasts.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import time

import pytest
from support import wsman_replies as wr
from support.scripted_server import Reply

from hvtui import namespaces as ns
from hvtui.wsman import (
    AuthenticationError,
    ClientClosedError,
    ClientOptions,
    Credentials,
    FaultError,
    ProtocolError,
    TransportError,
    WSManClient,
)

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


UNAVAILABLE = Reply(503, body=b"<html><body>Service Unavailable</body></html>", content_type="text/html")
SERVER_ERROR = Reply(500, body=b"<html><body>Internal Server Error</body></html>", content_type="text/html")
#: Tries of a read after a passing failure, as the domain asks for them (none by default).
RETRYING = {**PLAIN, "read_retries": 6}


def quota(req):
    return wr.fault(req, "w:QuotaLimit", wsman_code=2150859174, reason="The user is allowed 25 operations. ")


@pytest.mark.parametrize(
    "failure",
    [UNAVAILABLE, SERVER_ERROR, quota, Reply(close_before_reply=True)],
    ids=["503", "500-not-soap", "quota", "reset"],
)
async def test_a_read_is_tried_again_after_a_passing_failure(server, clients, failure):
    server.script(failure, failure, instance)
    client = clients(server, **RETRYING)
    assert (await client.get(CS, KEYS))["Name"] == "VM-1"
    assert server.actions() == [ns.ACTION_GET] * 3
    assert client.stats.retries == 2


async def test_the_pauses_between_tries_grow(server, clients):
    times: list[float] = []

    def unavailable(req):
        times.append(time.monotonic())
        return UNAVAILABLE

    server.script(unavailable, unavailable, unavailable, unavailable, instance)
    await clients(server, **RETRYING).get(CS, KEYS)
    pauses = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert 0.05 <= pauses[0] < 0.5 and pauses[2] >= 0.2, pauses


async def test_tries_end_when_the_requests_time_is_up(server, clients):
    server.handler = lambda req: UNAVAILABLE
    client = clients(server, **RETRYING, operation_timeout=0.5, read_timeout=1.0, total_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(ProtocolError) as caught:
        await client.get(CS, KEYS)
    assert time.monotonic() - started <= 1.2
    assert caught.value.status == 503  # the host's own answer, not a timeout of ours
    assert 3 <= len(server.actions()) <= 8


def refused_credentials(req):
    return Reply(401, body=b"", content_type=None, headers=[("WWW-Authenticate", 'Basic realm="WSMAN"')])


def garbage(req):
    return Reply(200, body=b"<s:Envelope><unclosed")


def soap_500(req):
    return wr.fault(req, "w:InternalError", wsman_code=2147749889, reason="Generic failure ")


@pytest.mark.parametrize(
    ("failure", "error"),
    [(refused_credentials, AuthenticationError), (garbage, ProtocolError), (soap_500, FaultError)],
    ids=["auth-refused", "garbage", "soap-fault"],
)
async def test_a_read_is_not_tried_again_after_a_lasting_failure(server, clients, failure, error):
    server.script(failure, instance)
    with pytest.raises(error):
        await clients(server, **RETRYING).get(CS, KEYS)
    assert server.actions() == [ns.ACTION_GET]


@pytest.mark.parametrize("failure", [UNAVAILABLE, quota], ids=["503", "quota"])
async def test_an_invoke_is_not_tried_again_even_when_the_host_ran_nothing(server, clients, failure):
    server.script(failure, instance)
    client = clients(server, **RETRYING)
    with pytest.raises((ProtocolError, FaultError)):
        await client.invoke(CS, "RequestStateChange", KEYS, {"RequestedState": 2})
    assert server.actions() == [f"{CS}/RequestStateChange"]
    assert client.stats.retries == 0
