"""Golden structure of the simulator's replies against the shapes of real WinRM replies:
envelope, prefixes, header order, item rendering, paging sequence and every fault."""

from __future__ import annotations

import re

import pytest

from tests.sim.wire import (
    CIMV2,
    ENUMERATE,
    GET,
    NS,
    PULL,
    RELEASE,
    V2,
    enumerate_all,
    enumerate_body,
    envelope,
    get,
    items_of,
    post,
    prop,
    props,
    pull_body,
)

ANON = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
UPPER_UUID = re.compile(r"^uuid:[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


def declared(body: bytes) -> list[str]:
    head = body[: body.index(b">")].decode()
    return re.findall(r"xmlns:(\w+)=", head)


def header_names(reply) -> list[str]:
    return [el.tag.split("}")[1] for el in reply.xpath("/s:Envelope/s:Header/*")]


def check_envelope(reply, action: str, prefixes: list[str], relates: str) -> None:
    assert b"\n" not in reply.body
    assert b"mustUnderstand" not in reply.body
    assert reply.body.startswith(b'<s:Envelope xml:lang="en-US" ')
    assert declared(reply.body) == prefixes
    assert header_names(reply) == ["Action", "MessageID", "To", "RelatesTo"]
    assert reply.text("/s:Envelope/s:Header/a:Action") == action
    assert UPPER_UUID.match(reply.text("/s:Envelope/s:Header/a:MessageID"))
    assert reply.text("/s:Envelope/s:Header/a:To") == ANON
    assert reply.text("/s:Envelope/s:Header/a:RelatesTo") == relates
    assert ("application/soap+xml;charset=UTF-8") in reply.header_all("Content-Type")
    assert "Microsoft-HTTPAPI/2.0" in reply.header_all("Server")


def test_optimized_enumerate_single_item_then_pulls(sim_host):
    mid = "uuid:aaaabbbb-cccc-4ddd-8eee-ffff00001111"
    r = post(sim_host, envelope(ENUMERATE, f"{V2}/Msvm_ComputerSystem", enumerate_body(optimize=True,
             max_elements=32000), message_id=mid))  # fmt: skip
    check_envelope(
        r, "http://schemas.xmlsoap.org/ws/2004/09/enumeration/EnumerateResponse", ["s", "a", "n", "w"], mid
    )
    resp = r.xpath("/s:Envelope/s:Body/n:EnumerateResponse")[0]
    assert [c.tag.split("}")[1] for c in resp] == ["EnumerationContext", "Items"]
    assert UPPER_UUID.match(resp[0].text)
    assert len(resp[1]) == 1
    seen = {resp[0].text}
    ctx = resp[0].text
    pages = 0
    while ctx:
        p = post(sim_host, envelope(PULL, f"{V2}/Msvm_ComputerSystem", pull_body(ctx, 8)))
        pr = p.xpath("/s:Envelope/s:Body/n:PullResponse")[0]
        kids = [c.tag.split("}")[1] for c in pr]
        pages += 1
        if kids[0] == "EnumerationContext":
            assert kids == ["EnumerationContext", "Items"]
            ctx = pr[0].text
            assert ctx not in seen  # a new context value every page
            seen.add(ctx)
        else:
            assert kids == ["Items", "EndOfSequence"]
            ctx = None
    assert pages == 3  # 20 remaining items, 8 per Pull


def test_everything_fits_in_one_optimized_reply(sim_host):
    r = post(sim_host, envelope(ENUMERATE, f"{CIMV2}/*", enumerate_body("SELECT * FROM Win32_OperatingSystem",
             optimize=True, max_elements=32000)))  # fmt: skip
    resp = r.xpath("//n:EnumerateResponse")[0]
    assert [c.tag.split("}")[1] for c in resp] == ["EnumerationContext", "Items", "EndOfSequence"]
    assert resp[0].text is None
    assert resp[2].tag == f"{{{NS['w']}}}EndOfSequence"
    assert b"<n:EnumerationContext></n:EnumerationContext>" in r.body


def test_instance_rendering(sim_host):
    items, _ = enumerate_all(sim_host, f"{V2}/*", "SELECT * FROM Msvm_VirtualSystemSettingData")
    item = items[0]
    uri = f"{V2}/Msvm_VirtualSystemSettingData"
    raw = post(sim_host, envelope(ENUMERATE, f"{V2}/Msvm_VirtualSystemSettingData",
               enumerate_body(optimize=True, max_elements=1))).body.decode()  # fmt: skip
    head = re.search(r"<p:Msvm_VirtualSystemSettingData [^>]*>", raw).group(0)
    assert head == (
        '<p:Msvm_VirtualSystemSettingData xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xmlns:p="{uri}" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" '
        'xsi:type="p:Msvm_VirtualSystemSettingData_Type">'
    )
    names = [c.tag.split("}")[1] for c in item]
    assert names == sorted(names, key=str.lower)
    assert "BIOSGUID" in names
    assert names.index("BaseBoardSerialNumber") < names.index("BIOSGUID")
    assert re.search(
        r"<p:CreationTime><cim:Datetime>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z</cim:Datetime>", raw
    )
    assert "<p:AutomaticStartupActionDelay><cim:Interval>P0DT0H0M0S</cim:Interval>" in raw
    assert '<p:Parent xsi:nil="true"/>' in raw
    assert "<p:RecoveryFile></p:RecoveryFile>" in raw
    assert re.search(r"<p:IsSaved>(true|false)</p:IsSaved>", raw)


def test_every_property_present_and_arrays_repeat(sim_host):
    items, _ = enumerate_all(sim_host, f"{CIMV2}/*", "SELECT * FROM Win32_ComputerSystem")
    cs = items[0]
    roles = [r.text for r in props(cs, "Roles")]
    assert roles == ["LM_Workstation", "LM_Server", "NT", "Server_NT"]
    assert props(cs, "OEMStringArray") == []  # an empty array is absent, as Windows sends it
    vms, _ = enumerate_all(sim_host, f"{V2}/Msvm_ComputerSystem")
    counts = {len(v) for v in vms}
    assert len(counts) == 1  # the host and every VM carry the same full property set
    nil = props(vms[1], "AvailableRequestedStates")
    assert len(nil) == 1
    assert nil[0].get(f"{{{NS['xsi']}}}nil") == "true"


def test_select_list_is_an_xml_fragment(sim_host):
    items, _ = enumerate_all(
        sim_host, f"{CIMV2}/*", "SELECT Version, Caption, LastBootUpTime FROM Win32_OperatingSystem"
    )
    frag = items[0]
    assert frag.tag == f"{{{NS['w']}}}XmlFragment"
    assert [c.tag for c in frag] == ["Caption", "LastBootUpTime", "Version"]
    assert frag[1][0].tag == "Datetime"
    assert frag[2].text == "10.0.20348"


def test_get_response_shape(sim_host):
    vm = sim_host.model.vms[0]
    r = get(
        sim_host, f"{V2}/Msvm_ComputerSystem", {"CreationClassName": "Msvm_ComputerSystem", "Name": vm.guid}
    )
    assert declared(r.body) == ["s", "a", "x", "w", "p"]
    assert header_names(r) == ["Action", "MessageID", "To", "RelatesTo"]
    assert (
        r.text("/s:Envelope/s:Header/a:Action")
        == "http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse"
    )
    body = r.xpath("/s:Envelope/s:Body/*")
    assert len(body) == 1
    assert prop(body[0], "Description") == "Microsoft Virtual Machine"


def test_references_render_as_eprs(sim_host):
    items, _ = enumerate_all(sim_host, f"{V2}/*", "SELECT * FROM Msvm_SettingsDefineState")
    me = props(items[0], "ManagedElement")[0]
    assert me.nsmap.get("a") == NS["a"]
    assert me.nsmap.get("w") == NS["w"]
    assert me.xpath("a:Address/text()", namespaces=NS) == [ANON]
    assert me.xpath("a:ReferenceParameters/w:ResourceURI/text()", namespaces=NS) == [
        f"{V2}/Msvm_ComputerSystem"
    ]
    sels = me.xpath("a:ReferenceParameters/w:SelectorSet/w:Selector/@Name", namespaces=NS)
    assert sels == ["CreationClassName", "Name"]


def _fault(reply, subcode: str, code: str | None, action: str, status: int = 500, receiver: bool = False):
    assert reply.status == status, reply.body[:600]
    assert declared(reply.body) == ["s", "a", "x", "e", "n", "w", "p"]
    assert reply.text("/s:Envelope/s:Header/a:Action") == action
    assert reply.text("//s:Fault/s:Code/s:Value") == ("s:Receiver" if receiver else "s:Sender")
    assert reply.subcode == subcode
    assert reply.text("//s:Reason/s:Text").endswith(" ")
    if code is not None:
        assert reply.fault_code == code
        assert reply.xpath("//s:Detail/f:WSManFault/@Machine") == ["127.0.0.1"]


W_FAULT = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
A_FAULT = "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"
N_FAULT = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault"


def test_fault_cannot_process_filter(sim_host):
    r = post(sim_host, envelope(ENUMERATE, f"{V2}/*", enumerate_body("SELECT * FROM Msvm_NoSuchClass")))
    _fault(r, "n:CannotProcessFilter", "2150858778", N_FAULT)
    inner = r.xpath("//f:ProviderFault/f:WSManFault")[0]
    assert inner.get("Code") == "2150858778"
    assert inner.get("Machine") == sim_host.name
    assert r.xpath("//f:ProviderFault/@provider") == ["WMI Provider"]
    assert (
        r.text("//f:ExtendedError/*[local-name()='__ExtendedStatus']/*[local-name()='Operation']")
        == "ExecQuery"
    )
    syntax = post(sim_host, envelope(ENUMERATE, f"{V2}/*", enumerate_body("SELEC * FROM")))
    _fault(syntax, "n:CannotProcessFilter", "2150858778", N_FAULT)
    v1 = post(sim_host, envelope(ENUMERATE, "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/*",
              enumerate_body("SELECT * FROM Msvm_ComputerSystem")))  # fmt: skip
    _fault(v1, "n:CannotProcessFilter", "2150858778", N_FAULT)


@pytest.mark.parametrize(
    ("selectors", "code", "detail"),
    [
        (
            {"CreationClassName": "Msvm_ComputerSystem", "Name": "X", "Bogus": "1"},
            "2150858843",
            "UnexpectedSelectors",
        ),
        ({"Name": "X"}, "2150858842", "InsufficientSelectors"),
    ],
)
def test_fault_invalid_selectors(sim_host, selectors, code, detail):
    r = get(sim_host, f"{V2}/Msvm_ComputerSystem", selectors)
    _fault(r, "w:InvalidSelectors", code, W_FAULT)
    assert r.text("//s:Detail/w:FaultDetail").endswith("/faultDetail/" + detail)


def test_fault_not_found(sim_host):
    r = get(sim_host, f"{V2}/Msvm_ComputerSystem",
            {"CreationClassName": "Msvm_ComputerSystem", "Name": "00000000-0000-0000-0000-000000000000"})  # fmt: skip  # noqa: E501
    _fault(r, "a:DestinationUnreachable", "2150858752", A_FAULT)
    assert r.text("//s:Detail/w:FaultDetail").endswith("/ResourceNotFound")


def test_fault_invalid_enumeration_context(sim_host):
    r = post(
        sim_host,
        envelope(PULL, f"{V2}/Msvm_ComputerSystem", pull_body("uuid:00000000-0000-0000-0000-000000000000")),
    )
    _fault(r, "n:InvalidEnumerationContext", "2150858779", N_FAULT, receiver=True)


def test_fault_bad_timeout_header(sim_host):
    r = post(sim_host, envelope(ENUMERATE, f"{V2}/Msvm_ComputerSystem", enumerate_body(), timeout="PT-1S"))
    _fault(r, "a:InvalidMessageInformationHeader", "2150858767", A_FAULT)
    assert "PT-1S" in r.text("//f:Message")


def test_fault_encoding_limits(sim_host):
    small = post(
        sim_host, envelope(ENUMERATE, f"{V2}/Msvm_ComputerSystem", enumerate_body(), max_envelope=4096)
    )
    _fault(small, "w:EncodingLimit", "2150858805", W_FAULT)
    vm = sim_host.model.vms[0]
    big = post(sim_host, envelope(GET, f"{V2}/Msvm_ComputerSystem", max_envelope=8192,
               selectors={"CreationClassName": "Msvm_ComputerSystem", "Name": vm.guid}))  # fmt: skip
    assert big.status == 200  # a VM instance fits in 8 KB
    summary = post(sim_host, envelope(
        f"{V2}/Msvm_VirtualSystemManagementService/GetSummaryInformation",
        f"{V2}/Msvm_VirtualSystemManagementService",
        f'<p:GetSummaryInformation_INPUT xmlns:p="{V2}/Msvm_VirtualSystemManagementService">'
        + "".join(f"<p:RequestedInformation>{c}</p:RequestedInformation>" for c in (0, 1, 3, 100, 101, 102, 103))  # noqa: E501
        + "</p:GetSummaryInformation_INPUT>",
        selectors={"CreationClassName": "Msvm_VirtualSystemManagementService"}, max_envelope=8192))  # fmt: skip  # noqa: E501
    _fault(summary, "w:EncodingLimit", "2150858805", W_FAULT)


def test_fault_cimnamespace_with_wmi_uri(sim_host):
    r = get(sim_host, f"{V2}/Msvm_ComputerSystem", {"__cimnamespace": "root/virtualization/v2", "Name": "x"})
    _fault(r, "w:InvalidSelectors", "2150858843", W_FAULT)
    assert "__cimnamespace" in r.text("//f:Message")


def test_fault_unknown_method(sim_host):
    r = post(sim_host, envelope(f"{V2}/Msvm_ComputerSystem/Explode", f"{V2}/Msvm_ComputerSystem",
             selectors={"CreationClassName": "Msvm_ComputerSystem", "Name": "x"}))  # fmt: skip
    _fault(r, "a:ActionNotSupported", "2150858771", A_FAULT)


def test_release_response(sim_host):
    r = post(sim_host, envelope(ENUMERATE, f"{V2}/Msvm_ComputerSystem", enumerate_body()))
    ctx = r.text("//n:EnumerationContext")
    rel = post(sim_host, envelope(RELEASE, f"{V2}/Msvm_ComputerSystem",
               f"<n:Release><n:EnumerationContext>{ctx}</n:EnumerationContext></n:Release>"))  # fmt: skip
    assert rel.status == 200
    assert (
        rel.text("/s:Envelope/s:Header/a:Action")
        == "http://schemas.xmlsoap.org/ws/2004/09/enumeration/ReleaseResponse"
    )
    again = post(sim_host, envelope(PULL, f"{V2}/Msvm_ComputerSystem", pull_body(ctx)))
    assert again.subcode == "n:InvalidEnumerationContext"
    assert items_of(r) == []
