"""Every CIM value kind WinRM renders, decoded through the real client over a socket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from support import wsman_replies as wr

from hvtui import namespaces as ns
from hvtui.wsman import EPR, CimInstance, ClassSchema, ProtocolError

from .conftest import PLAIN

CS = f"{ns.VIRTUALIZATION_V2}/Msvm_ComputerSystem"
VSMS = f"{ns.VIRTUALIZATION_V2}/Msvm_VirtualSystemManagementService"
SUMMARY = f"{ns.VIRTUALIZATION_V2}/Msvm_SummaryInformation"
KEYS = {"CreationClassName": "Msvm_ComputerSystem", "Name": "4764334D-E001-4176-82EE-5594EC9B530E"}

SCHEMA = ClassSchema(
    "Msvm_ComputerSystem",
    {
        "EnabledState": "uint16",
        "OperationalStatus": "uint16[]",
        "AvailableRequestedStates": "uint16[]",
        "OnTimeInMilliseconds": "uint64",
        "ProcessID": "uint32",
        "HealthState": "uint16",
        "TimeOfLastStateChange": "datetime",
        "InstallDate": "datetime",
        "Notes": "string[]",
        "Roles": "string[]",
        "Offset": "sint32",
        "Tiny": "sint8",
        "Ratio": "real64",
        "Shielded": "boolean",
        "Legacy": "boolean",
        "Delay": "datetime",
        "DmtfStamp": "datetime",
        "DmtfInterval": "datetime",
    },
)


async def get_one(server, clients, body: str, schema=SCHEMA) -> CimInstance:
    server.script(lambda req: wr.get_response(req, body))
    return await clients(server, **PLAIN).get(CS, KEYS, schema=schema)


def cs(**properties) -> str:
    return wr.instance_xml(wr.Instance("Msvm_ComputerSystem", properties))


async def test_strings_stay_as_sent(server, clients):
    instance = await get_one(
        server,
        clients,
        cs(
            ElementName="web & db <01> \"prod\" 'x'",
            Caption="Microsoft Windows Server 2008 R2 Datacenter ",
            Description="",
            Status="   ",
            Name="Ünïcødé-虚拟机-🙂",
        ),
    )
    assert instance["ElementName"] == "web & db <01> \"prod\" 'x'"
    assert instance["Caption"] == "Microsoft Windows Server 2008 R2 Datacenter "  # trailing space kept
    assert instance["Description"] == ""
    assert instance["Status"] == "   "
    assert instance["Name"] == "Ünïcødé-虚拟机-🙂"


async def test_numbers_and_booleans_typed_by_schema(server, clients):
    instance = await get_one(
        server,
        clients,
        cs(
            EnabledState="2",
            OnTimeInMilliseconds="18446744073709551615",
            ProcessID="4242",
            Offset="-1",
            Tiny="-128",
            Ratio="0.5",
            Shielded="true",
            Legacy="0",
            Unknown="17",
        ),
    )
    assert instance["EnabledState"] == 2
    assert instance["OnTimeInMilliseconds"] == 2**64 - 1
    assert instance["ProcessID"] == 4242
    assert instance["Offset"] == -1
    assert instance["Tiny"] == -128
    assert instance["Ratio"] == 0.5
    assert instance["Shielded"] is True
    assert instance["Legacy"] is False
    assert instance["Unknown"] == "17"  # not in the schema: stays a string


async def test_without_a_schema_everything_plain_stays_text(server, clients):
    instance = await get_one(server, clients, cs(EnabledState="2", Shielded="true"), schema=None)
    assert instance.to_dict() == {"EnabledState": "2", "Shielded": "true"}


async def test_nil_is_none_and_missing_is_absent(server, clients):
    instance = await get_one(server, clients, cs(InstallDate=None, Notes=None, ElementName="x"))
    assert instance["InstallDate"] is None
    assert instance["Notes"] is None  # a NULL array is the element once with xsi:nil
    assert "HealthState" not in instance
    assert instance.get("HealthState", "absent") == "absent"
    with pytest.raises(KeyError):
        instance["HealthState"]


async def test_arrays(server, clients):
    instance = await get_one(
        server,
        clients,
        cs(
            OperationalStatus=["2", "32768"],
            AvailableRequestedStates=["3"],
            Roles=["LM_Workstation", "NT"],
            Other=["a", "b"],
        ),
    )
    assert instance["OperationalStatus"] == [2, 32768]
    assert instance["AvailableRequestedStates"] == [3]  # one element, still a list: the schema says array
    assert instance["Roles"] == ["LM_Workstation", "NT"]
    assert instance["Other"] == ["a", "b"]  # repeated elements are a list even without a schema


async def test_one_element_array_without_schema_looks_like_a_scalar(server, clients):
    instance = await get_one(server, clients, cs(OperationalStatus=["2"]), schema=None)
    assert instance["OperationalStatus"] == "2"


async def test_datetimes_and_intervals(server, clients):
    body = cs(
        InstallDate=wr.Raw("<cim:Datetime>2013-04-15T16:28:43.488171Z</cim:Datetime>"),
        TimeOfLastStateChange=wr.Raw("<cim:Datetime>2014-04-03T14:45:50.46875+08:00</cim:Datetime>"),
        Delay=wr.Interval("P0DT0H1M40S"),
        DmtfStamp="20240301102233.123456+060",
        DmtfInterval="00000001020304.000000:000",
        Untyped=wr.Raw("<cim:Datetime>2024-03-01T10:22:33Z</cim:Datetime>"),
    )
    instance = await get_one(server, clients, body)
    assert instance["InstallDate"] == datetime(2013, 4, 15, 16, 28, 43, 488171, tzinfo=UTC)
    assert instance["TimeOfLastStateChange"].utcoffset() == timedelta(hours=8)
    assert instance["Delay"] == timedelta(seconds=100)
    assert instance["DmtfStamp"] == datetime(
        2024, 3, 1, 10, 22, 33, 123456, tzinfo=timezone(timedelta(hours=1))
    )
    assert instance["DmtfInterval"] == timedelta(days=1, hours=2, minutes=3, seconds=4)
    # The cim:Datetime element says what it is even without a schema.
    assert instance["Untyped"] == datetime(2024, 3, 1, 10, 22, 33, tzinfo=UTC)


async def test_references_become_eprs(server, clients):
    ref = wr.Ref(
        f"{ns.VIRTUALIZATION_V2}/Msvm_ConcreteJob", {"InstanceID": "B5E4A44E-4E5E-4F1E-9E3D-1D3C2C2A7F11"}
    )
    instance = await get_one(server, clients, cs(Job=ref, Name="x"))
    job = instance["Job"]
    assert isinstance(job, EPR)
    assert job.resource_uri == f"{ns.VIRTUALIZATION_V2}/Msvm_ConcreteJob"
    assert job.selectors == {"InstanceID": "B5E4A44E-4E5E-4F1E-9E3D-1D3C2C2A7F11"}
    assert job.selector("instanceid") == "B5E4A44E-4E5E-4F1E-9E3D-1D3C2C2A7F11"
    assert job.address == ns.ANONYMOUS
    assert job.class_name == "Msvm_ConcreteJob"


async def test_pretty_printed_reference_with_nested_epr_selector(server, clients):
    inner = wr.epr_item(wr.Ref(CS, {"Name": "VM-1"}))
    body = f"""
    <p:Msvm_SettingsDefineState xmlns:p="{ns.VIRTUALIZATION_V2}/Msvm_SettingsDefineState"
            xmlns:xsi="{ns.XSI}">
        <p:ManagedElement xmlns:a="{ns.ADDRESSING}" xmlns:w="{ns.WSMAN}">
            <a:Address>{ns.ANONYMOUS}</a:Address>
            <a:ReferenceParameters>
                <w:ResourceURI>{ns.VIRTUALIZATION_V2}/Msvm_Assoc</w:ResourceURI>
                <w:SelectorSet>
                    <w:Selector Name="Antecedent">{inner}</w:Selector>
                    <w:Selector Name="Plain">text</w:Selector>
                </w:SelectorSet>
            </a:ReferenceParameters>
        </p:ManagedElement>
    </p:Msvm_SettingsDefineState>"""
    instance = await get_one(server, clients, body, schema=None)
    ref = instance["ManagedElement"]
    assert ref.selector("Plain") == "text"
    nested = ref.selector("Antecedent")
    assert isinstance(nested, EPR)
    assert nested.selectors == {"Name": "VM-1"}


async def test_prefixes_do_not_matter(server, clients):
    body = (
        f'<ns7:Msvm_ComputerSystem xmlns:ns7="{CS}" xmlns:i="{ns.XSI}" xmlns:c="{ns.CIM_COMMON}">'
        '<ns7:EnabledState>3</ns7:EnabledState><ns7:InstallDate i:nil="true"/>'
        "<ns7:TimeOfLastStateChange><c:Datetime>2024-03-01T10:22:33Z</c:Datetime></ns7:TimeOfLastStateChange>"
        f'<EnhancedSessionModeState xmlns="{CS}">2</EnhancedSessionModeState>'
        "</ns7:Msvm_ComputerSystem>"
    )
    instance = await get_one(server, clients, body)
    assert instance.class_name == "Msvm_ComputerSystem"
    assert instance.resource_uri == CS
    assert instance["EnabledState"] == 3
    assert instance["InstallDate"] is None
    assert instance["TimeOfLastStateChange"] == datetime(2024, 3, 1, 10, 22, 33, tzinfo=UTC)
    assert instance["EnhancedSessionModeState"] == "2"


async def test_a_prefix_named_like_xsi_but_bound_elsewhere_is_not_nil(server, clients):
    body = (
        f'<p:Msvm_ComputerSystem xmlns:p="{CS}" xmlns:xsi="urn:not-xsi">'
        '<p:Notes xsi:nil="true"/></p:Msvm_ComputerSystem>'
    )
    instance = await get_one(server, clients, body, schema=None)
    assert instance["Notes"] == ""


async def test_lenient_about_order_unknown_and_comments(server, clients):
    body = wr.instance_xml(
        wr.Instance(
            "Msvm_ComputerSystem",
            {"ZNew2030Property": "future", "Name": "VM-1", "EnabledState": "2", "AName": "first"},
            sort=False,
        )
    ).replace("<p:Name>", "<!-- a comment --><?pi stuff?><p:Name>")
    instance = await get_one(server, clients, body)
    assert list(instance.properties) == ["ZNew2030Property", "Name", "EnabledState", "AName"]
    assert instance["EnabledState"] == 2
    assert instance["ZNew2030Property"] == "future"


async def test_case_insensitive_lookup(server, clients):
    instance = await get_one(server, clients, cs(ProcessID="77"))
    assert instance["processid"] == 77
    assert instance["ProcessId"] == 77
    assert "PROCESSID" in instance
    properties = instance.properties
    assert properties.get("processid") == 77
    assert properties.get("ProcessID") == 77  # typed once, then from the cache
    assert properties.get("NoSuchProperty") is None
    assert properties.get("NoSuchProperty", "absent") == "absent"


async def test_malformed_typed_value_is_a_protocol_error_on_read(server, clients):
    instance = await get_one(server, clients, cs(EnabledState="two", ProcessID="99999999999", Name="ok"))
    assert instance["Name"] == "ok"  # the rest of the instance is fine
    with pytest.raises(ProtocolError, match=r"Msvm_ComputerSystem\.EnabledState"):
        instance["EnabledState"]
    with pytest.raises(ProtocolError, match="out of range"):
        instance["ProcessID"]


async def test_typed_types_the_declared_properties_at_once(server, clients):
    schema = ClassSchema(
        "Msvm_ComputerSystem",
        {"EnabledState": "uint16", "processid": "uint32", "InstallDate": "datetime", "Absent": "uint16"},
    )
    body = cs(
        EnabledState="2",
        ProcessID="77",
        InstallDate=datetime(2024, 3, 1, 10, 22, 33, tzinfo=UTC),
        HealthState="not read, not typed",
    )
    instance = await get_one(server, clients, body, schema=schema)
    assert instance.properties.typed() == {  # spelled as declared; undeclared and absent left out
        "EnabledState": 2,
        "processid": 77,
        "InstallDate": datetime(2024, 3, 1, 10, 22, 33, tzinfo=UTC),
    }
    bad = await get_one(server, clients, cs(EnabledState="2", ProcessID="x"), schema=schema)
    with pytest.raises(ProtocolError, match=r"Msvm_ComputerSystem\.processid"):
        bad.properties.typed()


async def test_typed_turns_embedded_instances_into_mappings(server, clients):
    job = ClassSchema("Msvm_ConcreteJob", {"JobState": "uint16"})
    summary = ClassSchema("Msvm_SummaryInformation", {"Name": "string", "AsynchronousTasks": [job]})
    out = (
        f'<p:SummaryInformation xmlns:q="{SUMMARY}"><q:Name>one</q:Name>'
        f'<q:AsynchronousTasks><j:JobState xmlns:j="{ns.VIRTUALIZATION_V2}/Msvm_ConcreteJob">4</j:JobState>'
        "</q:AsynchronousTasks></p:SummaryInformation><p:ReturnValue>0</p:ReturnValue>"
    )
    server.script(lambda req: wr.invoke_response(req, VSMS, "GetSummaryInformation", out))
    result = await clients(server, **PLAIN).invoke(
        VSMS,
        "GetSummaryInformation",
        {"CreationClassName": "Msvm_VirtualSystemManagementService"},
        {"RequestedInformation": 0},
        schema=ClassSchema("x", {"SummaryInformation": [summary]}),
    )
    [only] = result.outputs["SummaryInformation"]
    assert only.properties.typed() == {"Name": "one", "AsynchronousTasks": [{"JobState": 4}]}


async def test_to_dict_and_make_epr(server, clients):
    instance = await get_one(
        server, clients, cs(CreationClassName="Msvm_ComputerSystem", Name="VM-1", EnabledState="2")
    )
    assert instance.to_dict() == {
        "CreationClassName": "Msvm_ComputerSystem",
        "EnabledState": 2,
        "Name": "VM-1",
    }
    epr = instance.make_epr(["CreationClassName", "Name"])
    assert epr == EPR(CS, {"CreationClassName": "Msvm_ComputerSystem", "Name": "VM-1"})


async def test_get_summary_information_embedded_instances(server, clients):
    summary_schema = ClassSchema(
        "Msvm_SummaryInformation",
        {
            "EnabledState": "uint16",
            "NumberOfProcessors": "uint16",
            "MemoryUsage": "uint64",
            "UpTime": "uint64",
            "Heartbeat": "uint16",
            "CreationTime": "datetime",
            "Snapshots": "instance[]",
        },
    )

    def summary(prefix: str, name: str, typed: bool) -> str:
        xsi_type = f' xsi:type="{prefix}:Msvm_SummaryInformation_Type"' if typed else ""
        return (
            f'<p:SummaryInformation xmlns:{prefix}="{SUMMARY}"{xsi_type}>'
            f"<{prefix}:CreationTime><cim:Datetime>2024-03-01T10:22:33Z</cim:Datetime></{prefix}:CreationTime>"
            f"<{prefix}:ElementName>{name}</{prefix}:ElementName><{prefix}:EnabledState>2</{prefix}:EnabledState>"
            f"<{prefix}:MemoryUsage>2048</{prefix}:MemoryUsage><{prefix}:Name>GUID-{name}</{prefix}:Name>"
            f"<{prefix}:NumberOfProcessors>4</{prefix}:NumberOfProcessors><{prefix}:Snapshots "
            'xsi:nil="true"/>'
            f"<{prefix}:UpTime>123456</{prefix}:UpTime></p:SummaryInformation>"
        )

    outputs = summary("q1", "vm-a", True) + summary("q2", "vm-b", False) + "<p:ReturnValue>0</p:ReturnValue>"
    server.script(lambda req: wr.invoke_response(req, VSMS, "GetSummaryInformation", outputs))
    result = await clients(server, **PLAIN).invoke(
        VSMS,
        "GetSummaryInformation",
        {"CreationClassName": "Msvm_VirtualSystemManagementService"},
        {"RequestedInformation": [0, 1, 4, 100, 103, 105]},
        schema=ClassSchema("GetSummaryInformation_OUTPUT", {"SummaryInformation": [summary_schema]}),
    )
    assert result.return_value == 0
    first, second = result.outputs["SummaryInformation"]
    assert first.class_name == second.class_name == "Msvm_SummaryInformation"
    assert first.resource_uri == SUMMARY
    assert first["ElementName"] == "vm-a"
    assert first["EnabledState"] == 2
    assert first["MemoryUsage"] == 2048
    assert first["CreationTime"] == datetime(2024, 3, 1, 10, 22, 33, tzinfo=UTC)
    assert first["Snapshots"] is None
    assert second["Name"] == "GUID-vm-b"
    sent = server.soap_requests()[0].payload
    assert [e.text for e in sent] == ["0", "1", "4", "100", "103", "105"]


async def test_single_embedded_instance_still_a_list_when_the_schema_says_array(server, clients):
    out = (
        f'<p:SummaryInformation xmlns:q="{SUMMARY}"><q:Name>one</q:Name></p:SummaryInformation>'
        "<p:ReturnValue>0</p:ReturnValue>"
    )
    server.script(lambda req: wr.invoke_response(req, VSMS, "GetSummaryInformation", out))
    result = await clients(server, **PLAIN).invoke(
        VSMS,
        "GetSummaryInformation",
        {"CreationClassName": "Msvm_VirtualSystemManagementService"},
        {"RequestedInformation": 0},
        schema=ClassSchema("x", {"SummaryInformation": "instance[]"}),
    )
    [only] = result.outputs["SummaryInformation"]
    assert only["Name"] == "one"


async def test_embedded_instance_as_cim_xml_text(server, clients):
    cim_xml = (
        '<INSTANCE CLASSNAME="Msvm_VirtualSystemSettingData">'
        '<PROPERTY NAME="ElementName" TYPE="string"><VALUE>vm &amp; co</VALUE></PROPERTY>'
        '<PROPERTY NAME="AutomaticStartupAction" TYPE="uint16"><VALUE>4</VALUE></PROPERTY>'
        '<PROPERTY NAME="Notes" TYPE="string"></PROPERTY>'
        '<PROPERTY.ARRAY NAME="BootOrder" '
        'TYPE="uint16"><VALUE.ARRAY><VALUE>1</VALUE><VALUE>2</VALUE></VALUE.ARRAY>'
        "</PROPERTY.ARRAY></INSTANCE>"
    )
    from xml.sax.saxutils import escape

    out = f"<p:SystemSettings>{escape(cim_xml)}</p:SystemSettings><p:ReturnValue>0</p:ReturnValue>"
    server.script(lambda req: wr.invoke_response(req, VSMS, "Something", out))
    result = await clients(server, **PLAIN).invoke(
        VSMS, "Something", {}, {}, schema=ClassSchema("x", {"SystemSettings": "instance"})
    )
    settings = result.outputs["SystemSettings"]
    assert settings.class_name == "Msvm_VirtualSystemSettingData"
    assert settings["ElementName"] == "vm & co"
    assert settings["AutomaticStartupAction"] == 4  # typed by the CIM-XML TYPE attribute
    assert settings["Notes"] is None
    assert settings["BootOrder"] == [1, 2]


async def test_xml_fragment_bare_datetime(server, clients):
    fragment = wr.fragment_xml(
        {
            "InstallDate": datetime(2013, 3, 9, 2, 57, 32, tzinfo=UTC),
            "Name": "a",
            "Delay": wr.Interval("PT5M"),
        }
    )
    server.script(lambda req: wr.enumerate_response(req, [fragment]))
    [instance] = await clients(server, **PLAIN).enumerate_all(
        f"{ns.CIMV2}/*", "SELECT InstallDate, Name, Delay FROM Win32_OperatingSystem"
    )
    assert instance["InstallDate"] == datetime(2013, 3, 9, 2, 57, 32, tzinfo=UTC)
    assert instance["Delay"] == timedelta(minutes=5)
    assert instance.class_name == "Win32_OperatingSystem"
    assert instance.resource_uri == f"{ns.CIMV2}/Win32_OperatingSystem"


async def test_deep_embedded_nesting_is_bounded(server, clients):
    inner = "<q:Leaf>x</q:Leaf>"
    for _ in range(12):
        inner = f"<q:Level>{inner}</q:Level>"
    body = f'<p:Msvm_ComputerSystem xmlns:p="{CS}" xmlns:q="urn:q">{inner}</p:Msvm_ComputerSystem>'
    from hvtui.wsman import LimitError

    server.script(lambda req: wr.get_response(req, body))
    with pytest.raises(LimitError, match="nested"):
        await clients(server, **PLAIN).get(CS, KEYS)
