"""Every request shape real clients send (pypsrp, pywinrm, openwsman, wsl) is answered correctly.

The fixtures in requests/ reproduce those shapes: odd prefixes, whitespace between elements,
unprefixed mustUnderstand, MessageIDs without ``uuid:``, an empty-body Enumerate, ``<s:Body />``
for Get, Identify without an Action header, ``_INPUT`` under any prefix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sim.wire import NS, V2, context_of, items_of, post, prop

REQUESTS = Path(__file__).with_name("requests")
CONTENT_TYPES = {"wsl": "application/soap+xml;charset=utf-8"}


def load(name: str, host, **values: str) -> bytes:
    text = (REQUESTS / name).read_text(encoding="utf-8")
    values.setdefault("TO", f"http://127.0.0.1:{host.port}/wsman")
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text.encode("utf-8")


def send(host, name: str, **values: str):
    headers = {
        "Content-Type": CONTENT_TYPES.get(
            name.split("_", maxsplit=1)[0], "application/soap+xml;charset=UTF-8"
        )
    }
    return post(host, load(name, host, **values), headers=headers)


def relates_to(reply) -> str:
    return reply.text("/s:Envelope/s:Header/a:RelatesTo")


def a_vm(host):
    return next(v for v in host.model.vms if v.enabled_state == 3)


@pytest.mark.parametrize(
    ("name", "optimized"),
    [
        ("pypsrp_enumerate_default.xml", False),
        ("pypsrp_enumerate_optimized.xml", True),
        ("pywinrm_enumerate.xml", True),
        ("openwsman_enumerate.xml", False),
        ("openwsman_enumerate_optimized.xml", True),
        ("wsl_enumerate.xml", True),
    ],
)
def test_enumerate_shapes_then_pull_to_the_end(sim_host, name, optimized):
    reply = send(sim_host, name)
    assert reply.status == 200, reply.body[:500]
    items = items_of(reply)
    assert len(items) == (1 if optimized else 0)
    ctx = context_of(reply)
    assert ctx.startswith("uuid:")
    pull_shape = {"pypsrp": "pypsrp_pull.xml", "wsl": "wsl_pull.xml"}.get(
        name.split("_")[0], "openwsman_pull.xml"
    )
    seen = len(items)
    while ctx:
        r = send(sim_host, pull_shape, CONTEXT=ctx)
        assert r.status == 200, r.body[:500]
        seen += len(items_of(r))
        ctx = context_of(r)
    assert seen == 21  # the host and 20 VMs


def test_message_ids_are_echoed_as_sent(sim_host):
    assert relates_to(send(sim_host, "pywinrm_enumerate.xml")) == "uuid:3c9e1b7a-52d4-4e0f-9a6b-c2d8e1f04a37"
    assert relates_to(send(sim_host, "wsl_enumerate.xml")) == "5b0e2c94-1f7d-4a63-b8e2-9d4c7a1e3f05"
    assert (
        relates_to(send(sim_host, "pypsrp_enumerate_default.xml"))
        == "uuid:7D1A3C52-0B4E-4F7A-9C3D-5E2B8A1F6C90"
    )


@pytest.mark.parametrize("name", ["pypsrp_enumerate_wql.xml", "openwsman_enumerate_wql.xml"])
def test_wql_on_the_namespace_wildcard(sim_host, name):
    reply = send(sim_host, name)
    ctx = context_of(reply)
    names = []
    while ctx:
        r = send(sim_host, "openwsman_pull.xml", CONTEXT=ctx)
        for item in items_of(r):
            assert prop(item, "Caption") == "Virtual Machine"
            names.append(prop(item, "ElementName"))
        ctx = context_of(r)
    assert len(names) == 20


@pytest.mark.parametrize("name", ["pypsrp_get.xml", "openwsman_get.xml", "wsl_get.xml"])
def test_get_shapes_with_lower_case_guid(sim_host, name):
    vm = a_vm(sim_host)
    reply = send(sim_host, name, GUID=vm.guid.lower())
    assert reply.status == 200, reply.body[:800]
    body = reply.xpath("/s:Envelope/s:Body/*")
    assert len(body) == 1
    assert prop(body[0], "Name") == vm.guid
    assert prop(body[0], "ElementName") == vm.name


@pytest.mark.parametrize("name", ["pypsrp_invoke_requeststatechange.xml", "openwsman_invoke.xml"])
def test_invoke_shapes(make_sim, name):
    host = make_sim(vms=4).hosts[0]
    vm = a_vm(host)
    reply = send(host, name, GUID=vm.guid)
    assert reply.status == 200, reply.body[:800]
    assert reply.text("//*[local-name()='RequestStateChange_OUTPUT']/*[local-name()='ReturnValue']") == "4096"
    job = reply.text(
        "//*[local-name()='Job']/a:ReferenceParameters/w:SelectorSet/w:Selector[@Name='InstanceID']"
    )
    assert host.model.job(job).vm_guid == vm.guid
    assert host.counters["Invoke:RequestStateChange"] == 1


def test_identify_unauthenticated_and_authenticated(sim_host):
    body = load("openwsman_identify.xml", sim_host)
    anon = post(sim_host, body, auth=None, headers={"WSMANIDENTIFY": "unauthenticated"})
    assert anon.status == 200
    assert anon.text("//wsmid:ProductVendor") == "Microsoft Corporation"
    assert anon.text("//wsmid:ProductVersion") == "OS: 0.0.0 SP: 0.0 Stack: 3.0"
    assert anon.text("//wsmid:ProtocolVersion") == NS["w"]
    authed = post(sim_host, body)
    assert authed.text("//wsmid:ProductVersion") == "OS: 10.0.20348 SP: 0.0 Stack: 3.0"
    assert authed.xpath("//wsmid:SecurityProfiles/wsmid:SecurityProfileName")
    assert post(sim_host, body, auth=None).status == 401


def test_shell_create_is_refused_with_a_wsman_fault(sim_host):
    reply = send(sim_host, "pywinrm_shell_create.xml")
    assert reply.status == 500
    assert reply.subcode == "w:InvalidResourceURI"
    assert reply.text("/s:Envelope/s:Header/a:Action") == "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"


def test_enumerate_uri_in_fixtures_is_the_v2_namespace():
    for path in REQUESTS.glob("*enumerate*.xml"):
        assert V2 in path.read_text(encoding="utf-8")
