"""Every shape of WinRM fault seen from real hosts, as FaultError with codes, detail and a hint.

The fixtures are our own, modelled on captured Windows faults: compact and pretty-printed,
double- and single-quoted, ``xml:lang=""``, provider faults with an inner WSManFault and an
``__ExtendedStatus``, mixed-content provider text, ``w:FaultDetail``, an ``MSFT_WmiError``
detail instead of ``f:WSManFault``, addressing and enumeration families, no RelatesTo.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import wsman_replies as wr
from support.scripted_server import Reply

from hvtui import namespaces as ns
from hvtui.wsman import FaultError, ProtocolError

from .conftest import PLAIN

CS = f"{ns.VIRTUALIZATION_V2}/Msvm_ComputerSystem"
KEYS = {"CreationClassName": "Msvm_ComputerSystem", "Name": "4764334D-E001-4176-82EE-5594EC9B530E"}

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    """One of our fault fixtures; ``{relates}`` marks where the request's MessageID goes."""
    return (FIXTURES / name).read_text()


def templated(template: str):
    def respond(request):
        return Reply(500, body=template.replace("{relates}", request.message_id))

    return respond


async def fault_for(server, clients, responder) -> FaultError:
    server.script(responder)
    with pytest.raises(FaultError) as caught:
        await clients(server, **PLAIN).get(CS, KEYS)
    error = caught.value
    assert "\n" not in str(error)
    return error


async def test_provider_fault_with_extended_status_pretty_printed(server, clients):
    error = await fault_for(server, clients, templated(fixture("fault-provider-extended-status-pretty.xml")))
    fault = error.fault
    assert fault.code == (ns.SOAP, "Sender")
    assert error.subcode == (ns.ENUMERATION, "CannotProcessFilter")
    assert error.subcode_name == "n:CannotProcessFilter"
    assert error.wsman_code == 2150858778
    assert error.machine == "hv-lab01"
    assert fault.action == ns.ACTION_FAULT_ENUMERATION
    assert fault.http_status == 500
    assert fault.provider_fault.provider == "WMI Provider"
    assert fault.provider_fault.path == "%systemroot%\\system32\\WsmWmiPl.dll"
    assert fault.provider_fault.code == 2150858778
    assert fault.provider_fault.machine == "HV-LAB01"
    assert fault.provider_fault.text == "The specified class does not exist in the given namespace."
    assert fault.extended_status == {
        "Description": None,
        "Operation": "ExecQuery",
        "ParameterInfo": 'SELECT * FROM Msvm_ComputerSystemX WHERE Name="x"',
        "ProviderName": "WinMgmt",
        "StatusCode": None,
    }
    assert fault.reason.startswith("The data source could not process the filter.")
    text = str(error)
    assert "n:CannotProcessFilter 2150858778" in text
    assert "The specified class does not exist" in text
    assert "WQL" in text  # the hint


async def test_single_quoted_older_provider_empty_machine(server, clients):
    error = await fault_for(server, clients, templated(fixture("fault-single-quoted-old-provider.xml")))
    assert error.subcode == (ns.ENUMERATION, "CannotProcessFilter")
    assert error.machine == ""
    assert error.fault.provider_fault.provider == "WMIv1 plugin for Windows Remote Management"
    assert error.reason == (
        "The data source could not process the filter. The filter might be missing or it might be invalid."
    )


async def test_whitespace_padded_quota_fault_with_empty_lang(server, clients):
    error = await fault_for(server, clients, templated(fixture("fault-whitespace-padded-quota.xml")))
    assert error.fault.code == (ns.SOAP, "Receiver")
    assert error.subcode == (ns.WSMAN, "InternalError")
    assert error.wsman_code == 2150859174
    assert error.machine == "10.0.0.7"
    assert error.fault.message == (
        "This user is allowed a maximum number of 15 concurrent operations, which has been exceeded."
    )
    assert "MaxConcurrentOperationsPerUser" in str(error)


async def test_msft_wmierror_detail_without_relates_to(server, clients):
    error = await fault_for(server, clients, templated(fixture("fault-msft-wmierror-no-relatesto.xml")))
    assert error.subcode == (ns.WSMAN, "QuotaLimit")
    assert error.wsman_code is None
    assert error.wmi_error_code == 2150859173
    assert error.fault.wmi_error["MessageID"] == "HRESULT 0x803381a5"
    assert error.fault.wmi_error["CIMStatusCodeDescription"] is None
    assert error.fault.text.startswith("This user is allowed a maximum number of 30 concurrent shells")
    assert "2150859173" in str(error)


async def test_mixed_content_provider_fault_and_fault_detail(server, clients):
    error = await fault_for(server, clients, templated(fixture("fault-mixed-provider-text-faultdetail.xml")))
    assert error.subcode == (ns.WSMAN, "InvalidParameter")
    assert error.wsman_code == 87
    assert error.machine == "HV-2016.corp.test"
    assert error.fault.fault_detail == "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidValue"
    assert error.fault.provider_fault.text == "RequestedState 7 is not a valid value."
    assert error.fault.reason == "The parameter is incorrect."
    assert "RequestedState 7 is not a valid value" in str(error)


@pytest.mark.parametrize(
    ("subcode", "code", "wsman_code", "fault_detail", "hint_word", "family_action"),
    [
        ("w:TimedOut", "s:Receiver", 2150858793, None, "operation_timeout", ns.ACTION_FAULT_WSMAN),
        (
            "n:InvalidEnumerationContext",
            "s:Receiver",
            2150858779,
            None,
            "run it again",
            ns.ACTION_FAULT_ENUMERATION,
        ),
        (
            "w:InvalidSelectors",
            "s:Sender",
            2150858843,
            "UnexpectedSelectors",
            "refresh",
            ns.ACTION_FAULT_WSMAN,
        ),
        ("w:AccessDenied", "s:Sender", 5, None, "Hyper-V Administrators", ns.ACTION_FAULT_WSMAN),
        (
            "a:DestinationUnreachable",
            "s:Sender",
            2150858752,
            "ResourceNotFound",
            "not found",
            ns.ACTION_FAULT_ADDRESSING,
        ),
        ("w:InvalidResourceURI", "s:Sender", 2150858811, None, "Hyper-V role", ns.ACTION_FAULT_WSMAN),
        (
            "a:InvalidMessageInformationHeader",
            "s:Sender",
            2150858767,
            None,
            "report",
            ns.ACTION_FAULT_ADDRESSING,
        ),
        ("w:EncodingLimit", "s:Sender", 2150858805, None, "max_envelope_size", ns.ACTION_FAULT_WSMAN),
        ("a:ActionNotSupported", "s:Sender", 2150858771, None, "method", ns.ACTION_FAULT_ADDRESSING),
        ("w:SchemaValidationError", "s:Sender", 2150858817, None, "report", ns.ACTION_FAULT_WSMAN),
        ("w:SomethingNew", "s:Receiver", 2150859999, None, "event log", ns.ACTION_FAULT_WSMAN),
    ],
)
async def test_subcode_families(
    server, clients, subcode, code, wsman_code, fault_detail, hint_word, family_action
):
    detail_uri = (
        f"http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/{fault_detail}" if fault_detail else None
    )
    error = await fault_for(
        server,
        clients,
        lambda req: wr.fault(
            req, subcode, code=code, wsman_code=wsman_code, fault_detail=detail_uri, reason="x. "
        ),
    )
    prefix, local = subcode.split(":")
    uri = {"w": ns.WSMAN, "n": ns.ENUMERATION, "a": ns.ADDRESSING}[prefix]
    assert error.subcode == (uri, local)
    assert error.subcode_name == subcode
    assert error.wsman_code == wsman_code
    assert error.fault.action == family_action
    assert error.fault.fault_detail == detail_uri
    assert hint_word in str(error)


async def test_must_understand_without_subcode(server, clients):
    body = (
        "<s:Fault><s:Code><s:Value>s:MustUnderstand</s:Value></s:Code>"
        '<s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot process a SOAP header. </s:Text>'
        "</s:Reason></s:Fault>"
    )
    error = await fault_for(
        server, clients, lambda req: wr.soap(req, ns.ACTION_FAULT_ADDRESSING, body, status=500)
    )
    assert error.fault.code == (ns.SOAP, "MustUnderstand")
    assert error.subcode is None
    assert "format" in str(error)


async def test_reason_language_does_not_change_the_hint(server, clients):
    error = await fault_for(
        server,
        clients,
        lambda req: wr.fault(
            req,
            "w:TimedOut",
            reason="Der WS-Verwaltungsdienst kann den Vorgang nicht in der in OperationTimeout "
            "angegebenen Zeit abschließen.  ",
            lang="de-DE",
        ),
    )
    assert "operation_timeout" in str(error)
    assert "Der WS-Verwaltungsdienst" in str(error)


async def test_fault_with_http_400_and_200(server, clients):
    await fault_for(
        server, clients, lambda req: wr.fault(req, "w:InvalidSelectors", wsman_code=2150858813, status=400)
    )
    await fault_for(
        server, clients, lambda req: wr.fault(req, "w:InvalidSelectors", wsman_code=2150858813, status=200)
    )


async def test_unprefixed_subcode_and_unknown_prefix(server, clients):
    error = await fault_for(server, clients, lambda req: wr.fault(req, "zz:Weird", wsman_code=None))
    assert error.subcode == (None, "Weird")
    assert error.wsman_code is None


async def test_fault_that_answers_another_request_is_refused(server, clients):
    server.script(
        lambda req: wr.fault(req, "w:TimedOut", relates_to="uuid:00000000-0000-0000-0000-000000000000")
    )
    with pytest.raises(ProtocolError, match="answers another request"):
        await clients(server, **PLAIN).get(CS, KEYS)


async def test_500_without_a_fault_is_a_protocol_error(server, clients):
    server.script(
        lambda req: wr.get_response(req, wr.Instance("Msvm_ComputerSystem", {"Name": "x"})).__class__(
            500, body=wr.envelope(req, ns.ACTION_GET_RESPONSE, "<x/>")
        )
    )
    with pytest.raises(ProtocolError, match="not a fault"):
        await clients(server, **PLAIN).get(CS, KEYS)
