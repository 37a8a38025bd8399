"""What the client puts on the wire: headers as Windows expects them, Get, Invoke parameters, Identify."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree
from support import wsman_replies as wr

from hvtui import namespaces as ns
from hvtui.wsman import EPR, ClassSchema, ConfigurationError, EmbeddedInstance, FaultError, ProtocolError

from .conftest import PLAIN

CS = f"{ns.VIRTUALIZATION_V2}/Msvm_ComputerSystem"
VSMS = f"{ns.VIRTUALIZATION_V2}/Msvm_VirtualSystemManagementService"
JOB = f"{ns.VIRTUALIZATION_V2}/Msvm_ConcreteJob"
KEYS = {"CreationClassName": "Msvm_ComputerSystem", "Name": "4764334D-E001-4176-82EE-5594EC9B530E"}
S, A, W = f"{{{ns.SOAP}}}", f"{{{ns.ADDRESSING}}}", f"{{{ns.WSMAN}}}"
MUST = f"{S}mustUnderstand"


def header(request, tag):
    return request.xml.find(f"{S}Header/{tag}")


async def test_headers_as_windows_expects_them(server, clients):
    server.script(lambda req: wr.get_response(req, wr.Instance("Msvm_ComputerSystem", {"Name": "x"})))
    client = clients(server, **PLAIN, operation_timeout=60, read_timeout=70)
    await client.get(CS, KEYS)
    request = server.processed[0]

    assert request.method == "POST"
    assert request.path == "/wsman"
    assert request.header("Content-Type") == "application/soap+xml;charset=UTF-8"
    assert request.header("Accept-Encoding") == "identity"
    assert request.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert header(request, f"{A}To").text == server.url
    resource = header(request, f"{W}ResourceURI")
    assert (resource.text, resource.get(MUST)) == (CS, "true")
    reply_to = header(request, f"{A}ReplyTo/{A}Address")
    assert (reply_to.text, reply_to.get(MUST)) == (ns.ANONYMOUS, "true")
    action = header(request, f"{A}Action")
    assert (action.text, action.get(MUST)) == (ns.ACTION_GET, "true")
    size = header(request, f"{W}MaxEnvelopeSize")
    assert (size.text, size.get(MUST)) == ("512000", "true")
    assert re.fullmatch(
        r"uuid:[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}", request.message_id
    )
    locale = header(request, f"{W}Locale")
    assert locale.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-US"
    assert locale.get(MUST) == "false"
    assert header(request, f"{W}OperationTimeout").text == "PT60.000S"
    assert request.selectors == KEYS
    assert request.payload is None  # Get has an empty Body


async def test_options_reach_the_headers(server, clients):
    server.script(lambda req: wr.get_response(req, wr.Instance("Msvm_ComputerSystem", {"Name": "x"})))
    client = clients(
        server, **PLAIN, operation_timeout=20.5, read_timeout=30, max_envelope_size=153600, locale="de-DE"
    )
    await client.get(CS, KEYS)
    request = server.processed[0]
    assert header(request, f"{W}OperationTimeout").text == "PT20.500S"
    assert header(request, f"{W}MaxEnvelopeSize").text == "153600"
    assert header(request, f"{W}Locale").get("{http://www.w3.org/XML/1998/namespace}lang") == "de-DE"


async def test_each_request_has_its_own_message_id(server, clients):
    server.handler = lambda req: wr.get_response(req, wr.Instance("Msvm_ComputerSystem", {"Name": "x"}))
    client = clients(server, **PLAIN)
    for _ in range(3):
        await client.get(CS, KEYS)
    assert len({r.message_id for r in server.processed}) == 3


async def test_get_returns_the_instance(server, clients):
    server.script(
        lambda req: wr.get_response(
            req,
            wr.Instance("Msvm_ComputerSystem", {"Name": "x", "EnabledState": "3", "ElementName": "web01"}),
        )
    )
    schema = ClassSchema("Msvm_ComputerSystem", {"EnabledState": "uint16"})
    instance = await clients(server, **PLAIN).get(CS, KEYS, schema=schema)
    assert instance.class_name == "Msvm_ComputerSystem"
    assert instance.resource_uri == CS
    assert instance.to_dict() == {"ElementName": "web01", "EnabledState": 3, "Name": "x"}
    assert not instance.is_fragment


async def test_get_with_an_empty_body_is_refused(server, clients):
    server.script(lambda req: wr.soap(req, ns.ACTION_GET_RESPONSE, ""))
    with pytest.raises(ProtocolError, match="no instance"):
        await clients(server, **PLAIN).get(CS, KEYS)


async def test_invoke_request_state_change_returns_the_job(server, clients):
    job = wr.Ref(JOB, {"InstanceID": "B5E4A44E-4E5E-4F1E-9E3D-1D3C2C2A7F11"})
    server.script(
        lambda req: wr.invoke_response(req, CS, "RequestStateChange", [("Job", job), ("ReturnValue", "4096")])
    )
    client = clients(server, **PLAIN)
    result = await client.invoke(CS, "RequestStateChange", KEYS, {"RequestedState": 2})

    assert result.return_value == 4096
    assert result.method == "RequestStateChange"
    assert result.job == EPR(JOB, {"InstanceID": "B5E4A44E-4E5E-4F1E-9E3D-1D3C2C2A7F11"})
    assert result.outputs["ReturnValue"] == 4096
    request = server.processed[0]
    assert request.action == f"{CS}/RequestStateChange"
    assert request.resource_uri == CS
    assert request.selectors == KEYS
    assert request.payload.tag == f"{{{CS}}}RequestStateChange_INPUT"
    assert [(etree.QName(c).namespace, etree.QName(c).localname, c.text) for c in request.payload] == [
        (CS, "RequestedState", "2")
    ]


async def test_invoke_with_no_job(server, clients):
    server.script(
        lambda req: wr.invoke_response(req, CS, "RequestStateChange", [("Job", None), ("ReturnValue", "0")])
    )
    result = await clients(server, **PLAIN).invoke(CS, "RequestStateChange", KEYS, {"RequestedState": 3})
    assert (result.return_value, result.job) == (0, None)


async def test_invoke_error_return_value(server, clients):
    server.script(lambda req: wr.invoke_response(req, CS, "RequestStateChange", [("ReturnValue", "32775")]))
    result = await clients(server, **PLAIN).invoke(CS, "RequestStateChange", KEYS, {"RequestedState": 2})
    assert result.return_value == 32775


async def test_invoke_fault_is_raised_once(server, clients):
    server.script(lambda req: wr.fault(req, "w:InvalidSelectors", code="s:Sender", wsman_code=2150858843))
    with pytest.raises(FaultError):
        await clients(server, **PLAIN).invoke(CS, "RequestStateChange", KEYS, {"RequestedState": 2})
    assert len(server.processed) == 1


async def test_invoke_reply_for_another_method_is_refused(server, clients):
    server.script(lambda req: wr.invoke_response(req, CS, "Other", [("ReturnValue", "0")]))
    with pytest.raises(ProtocolError, match="RequestStateChange_OUTPUT"):
        await clients(server, **PLAIN).invoke(CS, "RequestStateChange", KEYS, {"RequestedState": 2})


async def test_invoke_parameters_of_every_kind(server, clients):
    server.script(lambda req: wr.invoke_response(req, VSMS, "ModifySystemSettings", [("ReturnValue", "0")]))
    settings = EmbeddedInstance(
        "Msvm_VirtualSystemSettingData",
        {
            "InstanceID": 'Microsoft:4764334D-E001-4176-82EE-5594EC9B530E & "co" <x>',
            "AutomaticStartupAction": 4,
            "Notes": ["first", "second"],
            "BootOrder": [],
            "SecureBootEnabled": False,
            "CreationTime": datetime(2024, 3, 1, 10, 22, 33, tzinfo=UTC),
            "AutomaticStartupActionDelay": timedelta(seconds=100),
            "Description": None,
        },
        {"AutomaticStartupAction": "uint16", "BootOrder": "uint16[]", "Description": "string"},
    )
    system = EPR(CS, KEYS)
    await clients(server, **PLAIN).invoke(
        VSMS,
        "ModifySystemSettings",
        {"CreationClassName": "Msvm_VirtualSystemManagementService"},
        {
            "SystemSettings": settings,
            "AffectedSystem": system,
            "Force": True,
            "Count": 3,
            "Ratio": 0.25,
            "Label": "a & b",
            "Nothing": None,
            "RequestedInformation": [4, 100],
            "When": datetime(2024, 3, 1, 12, 0, tzinfo=UTC),
            "Delay": timedelta(minutes=5, microseconds=500000),
        },
    )
    payload = server.processed[0].payload
    assert payload.tag == f"{{{VSMS}}}ModifySystemSettings_INPUT"
    by_name: dict[str, list] = {}
    for child in payload:
        by_name.setdefault(etree.QName(child).localname, []).append(child)
        assert etree.QName(child).namespace == VSMS

    # The embedded instance travels as escaped CIM-XML text.
    cim = etree.fromstring(by_name["SystemSettings"][0].text.encode())
    assert cim.tag == "INSTANCE"
    assert cim.get("CLASSNAME") == "Msvm_VirtualSystemSettingData"
    props = {p.get("NAME"): p for p in cim}
    assert props["InstanceID"].tag == "PROPERTY"
    assert props["InstanceID"].get("TYPE") == "string"
    assert (
        props["InstanceID"].findtext("VALUE") == 'Microsoft:4764334D-E001-4176-82EE-5594EC9B530E & "co" <x>'
    )
    assert (
        props["AutomaticStartupAction"].get("TYPE"),
        props["AutomaticStartupAction"].findtext("VALUE"),
    ) == (
        "uint16",
        "4",
    )
    assert props["Notes"].tag == "PROPERTY.ARRAY"
    assert [v.text for v in props["Notes"].find("VALUE.ARRAY")] == ["first", "second"]
    assert props["BootOrder"].tag == "PROPERTY.ARRAY"
    assert len(props["BootOrder"].find("VALUE.ARRAY")) == 0
    assert props["SecureBootEnabled"].findtext("VALUE") == "false"
    assert props["CreationTime"].findtext("VALUE") == "20240301102233.000000+000"
    assert props["AutomaticStartupActionDelay"].findtext("VALUE") == "00000000000140.000000:000"
    assert props["Description"].find("VALUE") is None  # NULL

    epr = by_name["AffectedSystem"][0]
    assert epr.findtext(f"{A}Address") == ns.ANONYMOUS
    assert epr.findtext(f"{A}ReferenceParameters/{W}ResourceURI") == CS
    selectors = epr.findall(f"{A}ReferenceParameters/{W}SelectorSet/{W}Selector")
    assert {s.get("Name"): s.text for s in selectors} == KEYS

    assert by_name["Force"][0].text == "true"
    assert by_name["Count"][0].text == "3"
    assert by_name["Ratio"][0].text == "0.25"
    assert by_name["Label"][0].text == "a & b"
    assert by_name["Nothing"][0].get(f"{{{ns.XSI}}}nil") == "true"
    assert [e.text for e in by_name["RequestedInformation"]] == ["4", "100"]
    assert by_name["When"][0].findtext(f"{{{ns.CIM_COMMON}}}Datetime") == "2024-03-01T12:00:00Z"
    assert by_name["Delay"][0].findtext(f"{{{ns.CIM_COMMON}}}Interval") == "P0DT0H5M0.5S"


async def test_embedded_instance_round_trips_through_a_schema(server, clients):
    schema = ClassSchema(
        "Msvm_VirtualSystemSettingData", {"AutomaticStartupAction": "uint16", "Notes": "string[]"}
    )
    server.script(
        lambda req: wr.get_response(
            req,
            wr.Instance(
                "Msvm_VirtualSystemSettingData",
                {"AutomaticStartupAction": "2", "Notes": ["n"], "ElementName": "vm"},
            ),
        )
    )
    instance = await clients(server, **PLAIN).get(
        f"{ns.VIRTUALIZATION_V2}/Msvm_VirtualSystemSettingData", {}, schema
    )
    embedded = EmbeddedInstance.from_instance(instance, schema, {"AutomaticStartupAction": 4})
    xml = etree.fromstring(embedded.to_cim_xml().encode())
    assert {p.get("NAME"): (p.tag, p.get("TYPE")) for p in xml} == {
        "AutomaticStartupAction": ("PROPERTY", "uint16"),
        "Notes": ("PROPERTY.ARRAY", "string"),
    }


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"Bad Name": 1}, "not a CIM name"),
        ({"Text": "nul\x00byte"}, r"U\+0000"),
        ({"Obj": object()}, "cannot send"),
        ({"Inst": EmbeddedInstance("C", {"Count": 3})}, "give its CIM type"),
    ],
)
async def test_bad_parameters_are_refused_before_sending(server, clients, params, words):
    with pytest.raises(ConfigurationError, match=words):
        await clients(server, **PLAIN).invoke(CS, "RequestStateChange", KEYS, params)
    assert server.requests == []


async def test_bad_selector_value(server, clients):
    with pytest.raises(ConfigurationError, match=r"U\+0001"):
        await clients(server, **PLAIN).get(CS, {"Name": "a\x01b"})
    with pytest.raises(ConfigurationError, match="no value"):
        await clients(server, **PLAIN).get(CS, {"Name": None})


async def test_identify_request(server, clients):
    server.script(wr.identify_response("OS: 6.3.9600 SP: 0.0 Stack: 3.0"))
    result = await clients(server, **PLAIN).identify()
    assert result.os_version == "6.3.9600"
    request = server.processed[0]
    assert request.action is None  # Identify has no Action header
    assert request.is_identify


async def test_identify_that_is_not_an_identify_response(server, clients):
    server.script(lambda req: wr.soap(req, ns.ACTION_GET_RESPONSE, "<x/>"))
    with pytest.raises(ProtocolError, match="IdentifyResponse"):
        await clients(server, **PLAIN).identify()


async def test_stats_count_operations_round_trips_and_bytes(server, clients):
    server.handler = wr.Paging(
        [wr.instance_xml(wr.Instance("Msvm_ComputerSystem", {"Name": str(i)})) for i in range(4)], per_page=2
    )
    client = clients(server, **PLAIN)
    await client.enumerate_all(CS)
    stats = client.stats
    assert (stats.operations, stats.round_trips) == (3, 3)
    assert stats.bytes_sent == sum(len(r.raw_body) for r in server.requests)
    assert stats.bytes_received > 1000
    snapshot = stats.snapshot()
    stats.reset()
    assert stats.snapshot() == dict.fromkeys(snapshot, 0)
