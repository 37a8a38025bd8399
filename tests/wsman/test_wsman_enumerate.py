"""Enumerate/Pull/Release against a scripted server: paging as WinRM pages, modes, bounds, restarts."""

from __future__ import annotations

import contextlib

import pytest
from support import wsman_replies as wr

from hvtui import namespaces as ns
from hvtui.wsman import (
    ClassSchema,
    ConfigurationError,
    FaultError,
    LimitError,
    ProtocolError,
    TooManyItems,
    TransportError,
)

from .conftest import PLAIN

CS = f"{ns.VIRTUALIZATION_V2}/Msvm_ComputerSystem"
WQL = "SELECT * FROM Msvm_ComputerSystem WHERE Caption = 'Virtual Machine'"


def vms(count: int) -> list[str]:
    return [
        wr.instance_xml(wr.Instance("Msvm_ComputerSystem", {"Name": f"VM-{i:03d}", "EnabledState": "2"}))
        for i in range(count)
    ]


def names(instances) -> list[str]:
    return [i["Name"] for i in instances]


async def test_optimized_first_page_then_pulls_with_a_new_context_each(server, clients):
    paging = wr.Paging(vms(25), first=1, per_page=10)
    server.handler = paging
    client = clients(server, **PLAIN)

    got = await client.enumerate_all(CS, WQL)

    assert names(got) == [f"VM-{i:03d}" for i in range(25)]
    requests = server.soap_requests()
    assert [r.action for r in requests] == [ns.ACTION_ENUMERATE] + [ns.ACTION_PULL] * 3
    # Each Pull carried the context of the page before it (and every page had a new one).
    sent = [r.body_text(f"{{{ns.ENUMERATION}}}EnumerationContext") for r in requests[1:]]
    assert sent == paging.contexts
    assert len(set(paging.contexts)) == 3
    # The first request asked for an optimized enumeration with our batch size.
    assert requests[0].body_text(f"{{{ns.WSMAN}}}OptimizeEnumeration") == ""
    assert requests[0].body_text(f"{{{ns.WSMAN}}}MaxElements") == "512"
    assert requests[1].body_text(f"{{{ns.ENUMERATION}}}MaxElements") == "512"
    assert client.stats.operations == 4
    assert paging.released == []


async def test_one_item_per_page(server, clients):
    paging = wr.Paging(vms(5), first=1, per_page=1)
    server.handler = paging
    got = await clients(server, **PLAIN).enumerate_all(CS, WQL, max_elements=1)
    assert names(got) == [f"VM-{i:03d}" for i in range(5)]
    assert paging.pulls == 4


async def test_no_max_elements_when_the_options_say_none(server, clients):
    # The way openwsman-based clients (libvirt) enumerate: nothing says how many items per
    # page, so WinRM sends one per Pull. Kept for measuring that way against ours.
    paging = wr.Paging(vms(4), first=1, per_page=10, optimized_reply=False)
    server.handler = paging
    client = clients(server, max_elements=None, **PLAIN)

    got = await client.enumerate_all(CS, WQL, optimize=False)

    assert names(got) == [f"VM-{i:03d}" for i in range(4)]
    requests = server.soap_requests()
    assert [r.action for r in requests] == [ns.ACTION_ENUMERATE] + [ns.ACTION_PULL] * 4
    assert requests[0].body_text(f"{{{ns.WSMAN}}}OptimizeEnumeration") is None
    for request in requests:
        assert request.body_text(f"{{{ns.WSMAN}}}MaxElements") is None
        assert request.body_text(f"{{{ns.ENUMERATION}}}MaxElements") is None
    optimized = clients(server, max_elements=None, **PLAIN)
    server.handler = wr.Paging(vms(2), first=1, per_page=10)
    assert names(await optimized.enumerate_all(CS, WQL)) == ["VM-000", "VM-001"]
    first = server.soap_requests()[-2]
    assert first.body_text(f"{{{ns.WSMAN}}}OptimizeEnumeration") == ""
    assert first.body_text(f"{{{ns.WSMAN}}}MaxElements") is None


async def test_everything_in_the_first_reply(server, clients):
    server.script(lambda req: wr.enumerate_response(req, vms(3), end=True))
    client = clients(server, **PLAIN)
    assert names(await client.enumerate_all(CS, WQL)) == ["VM-000", "VM-001", "VM-002"]
    assert client.stats.operations == 1


async def test_empty_result(server, clients):
    server.script(lambda req: wr.enumerate_response(req, [], end=True))
    assert await clients(server, **PLAIN).enumerate_all(CS, WQL) == []


async def test_empty_result_without_items_element(server, clients):
    body = (
        "<n:EnumerateResponse><n:EnumerationContext></n:EnumerationContext>"
        "<w:EndOfSequence/></n:EnumerateResponse>"
    )
    server.script(lambda req: wr.soap(req, ns.ACTION_ENUMERATE_RESPONSE, body))
    assert await clients(server, **PLAIN).enumerate_all(CS, WQL) == []


async def test_unoptimized_enumeration_returns_only_a_context(server, clients):
    paging = wr.Paging(vms(4), per_page=3, optimized_reply=False)
    server.handler = paging
    got = await clients(server, **PLAIN).enumerate_all(CS, WQL, optimize=False)
    assert names(got) == [f"VM-{i:03d}" for i in range(4)]
    first = server.soap_requests()[0]
    assert first.body_text(f"{{{ns.WSMAN}}}OptimizeEnumeration") is None


async def test_items_and_end_marker_in_either_namespace(server, clients):
    # w:Items/w:EndOfSequence (optimized reply) and n:Items/n:EndOfSequence (pulls) both occur.
    server.script(
        lambda req: wr.enumerate_response(req, vms(1), context="uuid:AAAA", end=False, items_ns="n"),
        lambda req: wr.pull_response(req, vms(2)[1:], context="uuid:BBBB"),
        lambda req: wr.soap(
            req,
            ns.ACTION_PULL_RESPONSE,
            "<n:PullResponse><w:Items>" + vms(3)[2] + "</w:Items><w:EndOfSequence/></n:PullResponse>",
        ),
    )
    assert names(await clients(server, **PLAIN).enumerate_all(CS, WQL)) == ["VM-000", "VM-001", "VM-002"]


async def test_class_uri_with_wql_enumerates_the_wildcard_and_pulls_the_class(server, clients):
    server.handler = wr.Paging(vms(3), per_page=1)
    await clients(server, **PLAIN).enumerate_all(CS, WQL)
    uris = [r.resource_uri for r in server.soap_requests()]
    assert uris == [f"{ns.VIRTUALIZATION_V2}/*", CS, CS]
    assert server.soap_requests()[0].body_text(f"{{{ns.WSMAN}}}Filter") == WQL
    assert server.soap_requests()[0].payload.find(f"{{{ns.WSMAN}}}Filter").get("Dialect") == ns.WQL_DIALECT


async def test_wildcard_with_wql_pulls_the_wildcard(server, clients):
    server.handler = wr.Paging(vms(3), per_page=1)
    await clients(server, **PLAIN).enumerate_all(f"{ns.VIRTUALIZATION_V2}/*", WQL)
    assert {r.resource_uri for r in server.soap_requests()} == {f"{ns.VIRTUALIZATION_V2}/*"}


async def test_class_uri_without_wql_has_no_filter(server, clients):
    server.handler = wr.Paging(vms(2), per_page=1)
    await clients(server, **PLAIN).enumerate_all(CS)
    first = server.soap_requests()[0]
    assert first.resource_uri == CS
    assert first.body_text(f"{{{ns.WSMAN}}}Filter") is None


async def test_wildcard_without_wql_is_refused_before_sending(server, clients):
    with pytest.raises(ConfigurationError, match="WQL"):
        await clients(server, **PLAIN).enumerate_all(f"{ns.VIRTUALIZATION_V2}/*")
    assert server.requests == []


async def test_early_stop_releases_the_context(server, clients):
    paging = wr.Paging(vms(30), per_page=5)
    server.handler = paging
    client = clients(server, **PLAIN)
    seen = []
    async with contextlib.aclosing(client.enumerate(CS, WQL)) as instances:
        async for instance in instances:
            seen.append(instance["Name"])
            if len(seen) == 3:
                break
    assert seen == ["VM-000", "VM-001", "VM-002"]
    assert server.actions()[-1] == ns.ACTION_RELEASE
    assert paging.released == [paging.contexts[-1]]
    # The connection is still good afterwards.
    server.handler = wr.Paging(vms(2), per_page=5)
    assert len(await client.enumerate_all(CS, WQL)) == 2


async def test_break_without_aclosing_still_releases(server, clients):
    paging = wr.Paging(vms(30), per_page=5)
    server.handler = paging
    client = clients(server, **PLAIN)
    async for _instance in client.enumerate(CS, WQL):
        break
    await server.wait_for_requests(2)  # the generator's finaliser sends the Release
    assert server.actions() == [ns.ACTION_ENUMERATE, ns.ACTION_RELEASE]


async def test_no_release_after_the_end(server, clients):
    paging = wr.Paging(vms(3), per_page=5)
    server.handler = paging
    async with contextlib.aclosing(clients(server, **PLAIN).enumerate(CS, WQL)) as instances:
        assert len([i async for i in instances]) == 3
    assert ns.ACTION_RELEASE not in server.actions()


async def test_never_ending_enumeration_is_a_limit_error(server, clients):
    paging = wr.Paging(vms(1), per_page=1, never_end=True)
    server.handler = paging
    client = clients(server, **PLAIN, max_pages=25)
    with pytest.raises(LimitError, match="max_pages"):
        await client.enumerate_all(CS, WQL)
    assert paging.pulls == 24
    assert server.actions()[-1] == ns.ACTION_RELEASE


async def test_too_many_items_is_a_limit_error(server, clients):
    server.handler = wr.Paging(vms(50), per_page=20)
    with pytest.raises(LimitError, match="max_items"):
        await clients(server, **PLAIN, max_items=30).enumerate_all(CS, WQL)


async def test_too_many_bytes_is_a_limit_error(server, clients):
    # Few items, but fat ones: the byte bound is what stops them piling up in memory.
    fat = [
        wr.instance_xml(wr.Instance("Msvm_ComputerSystem", {"Name": f"VM-{i}", "Notes": "n" * 20000}))
        for i in range(10)
    ]
    paging = wr.Paging(fat, per_page=2)
    server.handler = paging
    with pytest.raises(LimitError, match="max_enumeration_bytes"):
        await clients(server, **PLAIN, max_enumeration_bytes=50_000).enumerate_all(CS, WQL)
    assert paging.pulls < 4
    assert server.actions()[-1] == ns.ACTION_RELEASE


async def test_epr_mode(server, clients):
    refs = [wr.Ref(CS, {"CreationClassName": "Msvm_ComputerSystem", "Name": f"VM-{i}"}) for i in range(3)]
    server.handler = wr.Paging([wr.epr_item(r) for r in refs], per_page=2)
    got = await clients(server, **PLAIN).enumerate_all(CS, WQL, mode="EPR")
    assert [i.epr.selector("name") for i in got] == ["VM-0", "VM-1", "VM-2"]
    assert all(i.epr.resource_uri == CS and len(i.properties) == 0 for i in got)
    assert server.soap_requests()[0].body_text(f"{{{ns.WSMAN}}}EnumerationMode") == "EnumerateEPR"


async def test_object_and_epr_mode(server, clients):
    items = [
        wr.object_and_epr_item(
            wr.Instance("Msvm_ComputerSystem", {"Name": f"VM-{i}", "EnabledState": "3"}),
            wr.Ref(CS, {"CreationClassName": "Msvm_ComputerSystem", "Name": f"VM-{i}"}),
        )
        for i in range(3)
    ]
    server.handler = wr.Paging(items, per_page=2)
    schema = ClassSchema("Msvm_ComputerSystem", {"EnabledState": "uint16"})
    got = await clients(server, **PLAIN).enumerate_all(CS, WQL, mode="ObjectAndEPR", schema=schema)
    assert [(i["Name"], i["EnabledState"], i.epr.selector("Name")) for i in got] == [
        ("VM-0", 3, "VM-0"),
        ("VM-1", 3, "VM-1"),
        ("VM-2", 3, "VM-2"),
    ]
    assert server.soap_requests()[0].body_text(f"{{{ns.WSMAN}}}EnumerationMode") == "EnumerateObjectAndEPR"


async def test_xml_fragment_items_take_the_class_from_the_query(server, clients):
    fragment = wr.fragment_xml({"Name": "VM-1", "EnabledState": "2", "InstallDate": None})
    server.script(lambda req: wr.enumerate_response(req, [fragment]))
    [instance] = await clients(server, **PLAIN).enumerate_all(
        f"{ns.VIRTUALIZATION_V2}/*", "SELECT Name, EnabledState FROM Msvm_ComputerSystem"
    )
    assert instance.is_fragment
    assert instance.class_name == "Msvm_ComputerSystem"
    assert instance.resource_uri == CS
    assert instance.to_dict() == {"EnabledState": "2", "InstallDate": None, "Name": "VM-1"}


async def test_expired_context_restarts_from_enumerate_once(server, clients):
    paging = wr.Paging(vms(6), per_page=2)
    expire_once = {"done": False}

    def handler(req):
        if req.action == ns.ACTION_PULL and not expire_once["done"]:
            expire_once["done"] = True
            return wr.fault(req, "n:InvalidEnumerationContext", wsman_code=2150858779, reason="expired ")
        return paging(req)

    server.handler = handler
    client = clients(server, **PLAIN)
    got = await client.enumerate_all(CS, WQL)
    # The items from the broken attempt are dropped, the second run is complete: no duplicates, no gaps.
    assert names(got) == [f"VM-{i:03d}" for i in range(6)]
    assert server.actions().count(ns.ACTION_ENUMERATE) == 2
    assert client.stats.retries == 1


async def test_restart_happens_at_most_once(server, clients):
    def handler(req):
        if req.action == ns.ACTION_ENUMERATE:
            return wr.enumerate_response(req, vms(1), context=wr.message_id(), end=False)
        return wr.fault(req, "n:InvalidEnumerationContext", wsman_code=2150858779, reason="expired ")

    server.handler = handler
    with pytest.raises(FaultError) as caught:
        await clients(server, **PLAIN).enumerate_all(CS, WQL)
    assert caught.value.subcode == (ns.ENUMERATION, "InvalidEnumerationContext")
    assert server.actions().count(ns.ACTION_ENUMERATE) == 2


async def test_iterator_does_not_restart_after_handing_out_items(server, clients):
    def handler(req):
        if req.action == ns.ACTION_ENUMERATE:
            return wr.enumerate_response(req, vms(1), context=wr.message_id(), end=False)
        return wr.fault(req, "n:InvalidEnumerationContext", wsman_code=2150858779, reason="expired ")

    server.handler = handler
    seen = []

    async def consume():
        async for instance in clients(server, **PLAIN).enumerate(CS, WQL):
            seen.append(instance["Name"])

    with pytest.raises(FaultError):
        await consume()
    assert seen == ["VM-000"]  # never repeated
    assert server.actions().count(ns.ACTION_ENUMERATE) == 1


async def test_pull_reset_restarts_the_enumeration(server, clients):
    from support.scripted_server import Reply

    paging = wr.Paging(vms(4), per_page=2)
    state = {"reset": False}

    def handler(req):
        if req.action == ns.ACTION_PULL and not state["reset"]:
            state["reset"] = True
            return Reply(close_before_reply=True)
        return paging(req)

    server.handler = handler
    got = await clients(server, **PLAIN).enumerate_all(CS, WQL)
    assert names(got) == [f"VM-{i:03d}" for i in range(4)]
    assert server.actions().count(ns.ACTION_ENUMERATE) == 2
    assert state["reset"]


async def test_pull_is_not_resent_after_a_reset(server, clients):
    from support.scripted_server import Reply

    def handler(req):
        if req.action == ns.ACTION_ENUMERATE:
            return wr.enumerate_response(req, vms(1), context=wr.message_id(), end=False)
        if req.action == ns.ACTION_PULL:
            return Reply(close_before_reply=True)
        return wr.release_response(req)

    server.handler = handler
    with pytest.raises(TransportError):
        await clients(server, **PLAIN).enumerate_all(CS, WQL)
    # Two attempts, each with exactly one Pull: a Pull itself is never resent.
    pulls = server.actions().count(ns.ACTION_PULL)
    assert server.actions().count(ns.ACTION_ENUMERATE) == 2
    assert pulls == 2


async def test_enumerate_response_without_context_is_refused(server, clients):
    server.script(lambda req: wr.soap(req, ns.ACTION_ENUMERATE_RESPONSE, "<n:EnumerateResponse/>"))
    with pytest.raises(ProtocolError, match="EnumerationContext"):
        await clients(server, **PLAIN).enumerate_all(CS, WQL)


async def test_wrong_body_element_is_refused(server, clients):
    server.script(lambda req: wr.soap(req, ns.ACTION_PULL_RESPONSE, "<n:PullResponse/>"))
    with pytest.raises(ProtocolError, match="EnumerateResponse"):
        await clients(server, **PLAIN).enumerate_all(CS, WQL)


@pytest.mark.parametrize("bad", [0, 32001, "10"])
async def test_bad_max_elements(server, clients, bad):
    with pytest.raises(ConfigurationError):
        await clients(server, **PLAIN).enumerate_all(CS, WQL, max_elements=bad)


async def test_unknown_mode(server, clients):
    with pytest.raises(ConfigurationError, match="mode"):
        await clients(server, **PLAIN).enumerate_all(CS, WQL, mode="Objects")


async def test_a_pull_the_host_refused_is_tried_again_with_the_same_context(server, clients):
    from support.scripted_server import Reply

    paging = wr.Paging(vms(5), per_page=2)
    refused = {"context": None}

    def handler(req):
        if req.action == ns.ACTION_PULL and refused["context"] is None:
            refused["context"] = req.body_text(f"{{{ns.ENUMERATION}}}EnumerationContext")
            return Reply(503, body=b"<html>busy</html>", content_type="text/html")
        return paging(req)

    server.handler = handler
    client = clients(server, **PLAIN, read_retries=6)
    got = await client.enumerate_all(CS, WQL)
    assert names(got) == [f"VM-{i:03d}" for i in range(5)]
    assert server.actions().count(ns.ACTION_ENUMERATE) == 1  # not restarted: the context held
    assert refused["context"] == paging.contexts[0]
    assert client.stats.retries == 1


async def test_an_enumeration_stops_at_the_callers_item_bound(server, clients):
    paging = wr.Paging(vms(50), per_page=20, first=20)
    server.handler = paging
    with pytest.raises(TooManyItems) as caught:
        await clients(server, **PLAIN).enumerate_all(CS, WQL, max_items=3)
    assert caught.value.limit == 3
    assert "more than 3" in str(caught.value)
    assert paging.pulls == 0  # the first page already passed it
    assert server.actions()[-1] == ns.ACTION_RELEASE
    # It asks for no more than it needs to tell: the bound and one more.
    assert server.requests[0].body_text(f"{{{ns.WSMAN}}}MaxElements") == "4"


async def test_progress_is_reported_page_by_page(server, clients):
    server.handler = wr.Paging(vms(7), per_page=3)
    counts: list[int] = []
    await clients(server, **PLAIN).enumerate_all(CS, WQL, on_page=counts.append)
    assert counts == [1, 4, 7]
