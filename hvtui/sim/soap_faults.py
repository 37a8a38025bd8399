"""WS-Management faults shaped like the real WinRM ones (DMTF DSP0226 section 14; [MS-WSMV] 2.2.4.43).

HTTP 500, SOAP 1.2 Code/Subcode, Action chosen by the subcode family (w:* → wsman/fault,
a:* → addressing/fault, n:* → enumeration/fault), ``f:WSManFault Code= Machine=`` with its
``f:Message`` (a ProviderFault where WinRM's WMI plugin produced the error), reason and message
text ending the way Windows ends them. Every fault raised by the simulator is a :class:`SoapFault`.
"""

from __future__ import annotations

from hvtui import namespaces as ns
from hvtui.sim.render import escape, escape_attr

WMI_PROVIDER = 'provider="WMI Provider" path="%systemroot%\\system32\\WsmWmiPl.dll"'
FAULT_DETAIL = "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/"


class SoapFault(Exception):
    """A fault reply. ``message_xml`` is the inside of ``f:Message`` (already XML)."""

    def __init__(
        self,
        subcode: str,
        reason: str,
        wsman_code: int | None,
        message_xml: str | None = None,
        *,
        receiver: bool = False,
        detail: str | None = None,
        http_status: int = 500,
        lang: str = "en-US",
        extra_detail: str = "",
    ) -> None:
        super().__init__(f"{subcode}: {reason.strip()}")
        self.subcode = subcode
        self.reason = reason
        self.wsman_code = wsman_code
        self.message_xml = message_xml if message_xml is not None else escape(reason)
        self.receiver = receiver
        self.detail = detail
        self.http_status = http_status
        self.lang = lang
        self.extra_detail = extra_detail

    @property
    def action(self) -> str:
        family = self.subcode.split(":", 1)[0]
        if family == "a" or self.subcode == "s:MustUnderstand":
            return ns.ACTION_FAULT_ADDRESSING
        if family == "n":
            return ns.ACTION_FAULT_ENUMERATION
        return ns.ACTION_FAULT_WSMAN

    def body(self, machine: str) -> str:
        code = "s:Receiver" if self.receiver else "s:Sender"
        detail = f"<w:FaultDetail>{FAULT_DETAIL}{self.detail}</w:FaultDetail>" if self.detail else ""
        wsman = ""
        if self.wsman_code is not None:
            wsman = (
                f'<f:WSManFault xmlns:f="{ns.WSMAN_FAULT}" Code="{self.wsman_code}" '
                f'Machine="{escape_attr(machine)}"><f:Message>{self.message_xml}</f:Message></f:WSManFault>'
            )
        return (
            f"<s:Fault><s:Code><s:Value>{code}</s:Value><s:Subcode><s:Value>{self.subcode}</s:Value>"
            f'</s:Subcode></s:Code><s:Reason><s:Text xml:lang="{self.lang}">{escape(self.reason)}</s:Text>'
            f"</s:Reason><s:Detail>{detail}{wsman}{self.extra_detail}</s:Detail></s:Fault>"
        )


def provider_fault(code: int, message: str, machine: str, extended: str = "") -> str:
    """The ``f:ProviderFault`` that wraps an error coming from the WMI plugin."""
    ext = f"<f:ExtendedError>{extended}</f:ExtendedError>" if extended else ""
    return (
        f"<f:ProviderFault {WMI_PROVIDER}>"
        f'<f:WSManFault xmlns:f="{ns.WSMAN_FAULT}" Code="{code}" Machine="{escape_attr(machine)}">'
        f"<f:Message>{escape(message)}</f:Message></f:WSManFault>{ext}</f:ProviderFault>"
    )


def extended_status(operation: str, parameter: str) -> str:
    uri = f"{ns.CIMV2}/__ExtendedStatus"
    return (
        f'<p:__ExtendedStatus xmlns:xsi="{ns.XSI}" xmlns:p="{uri}" xmlns:cim="{ns.CIM_COMMON}" '
        f'xsi:type="p:__ExtendedStatus_Type"><p:Description xsi:nil="true"/><p:Operation>{escape(operation)}'
        f"</p:Operation><p:ParameterInfo>{escape(parameter)}</p:ParameterInfo>"
        '<p:ProviderName>WinMgmt</p:ProviderName><p:StatusCode xsi:nil="true"/></p:__ExtendedStatus>'
    )


# --- the catalogue --------------------------------------------------------------------------

CANNOT_PROCESS_FILTER = 2150858778
INVALID_ENUMERATION_CONTEXT = 2150858779
TIMED_OUT = 2150858793
INVALID_SELECTORS = 2150858843
INSUFFICIENT_SELECTORS = 2150858842
DESTINATION_UNREACHABLE = 2150858752
INVALID_HEADER = 2150858767
ENCODING_LIMIT = 2150858805
ACTION_NOT_SUPPORTED = 2150858771
INVALID_RESOURCE_URI = 2150858811
SCHEMA_VALIDATION = 2150858817
QUOTA_INTERNAL = 2150859174
QUOTA_LIMIT = 2150859173
ACCESS_DENIED = 5


def cannot_process_filter(machine: str, query: str, inner: str) -> SoapFault:
    return SoapFault(
        "n:CannotProcessFilter",
        "The data source could not process the filter. The filter might be missing or it might be invalid. "
        "Change the filter and try the request again.  ",
        CANNOT_PROCESS_FILTER,
        provider_fault(CANNOT_PROCESS_FILTER, inner, machine, extended_status("ExecQuery", query)),
    )


def invalid_enumeration_context() -> SoapFault:
    text = (
        "The WS-Management service cannot process the request because the enumeration context "
        "supplied in the message is not valid. The enumeration may have expired or been released. "
    )
    return SoapFault("n:InvalidEnumerationContext", text, INVALID_ENUMERATION_CONTEXT, receiver=True)


def timed_out() -> SoapFault:
    text = "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  "  # noqa: E501
    return SoapFault("w:TimedOut", text, TIMED_OUT, receiver=True)


def invalid_selectors(insufficient: bool = False) -> SoapFault:
    return SoapFault(
        "w:InvalidSelectors",
        "The WS-Management service cannot process the request because the request contained invalid "
        "selectors for the resource. ",
        INSUFFICIENT_SELECTORS if insufficient else INVALID_SELECTORS,
        detail="InsufficientSelectors" if insufficient else "UnexpectedSelectors",
    )


def not_found(machine: str) -> SoapFault:
    text = (
        "The WS-Management service cannot process the request. The service cannot find the resource "
        "identified by the resource URI and selectors. "
    )
    return SoapFault(
        "a:DestinationUnreachable",
        text,
        DESTINATION_UNREACHABLE,
        provider_fault(DESTINATION_UNREACHABLE, text, machine),
        detail="ResourceNotFound",
    )


def access_denied() -> SoapFault:
    return SoapFault("w:AccessDenied", "Access is denied. ", ACCESS_DENIED)


def quota_internal(limit: int) -> SoapFault:
    return SoapFault(
        "w:InternalError",
        "The WS-Management service cannot process the request. The maximum number of concurrent operations "
        "for this user has been exceeded. Close existing operations for this user, or raise the quota for this "  # noqa: E501
        "user. ",
        QUOTA_INTERNAL,
        escape(
            f"The WS-Management service cannot process the request. This user is allowed a maximum number of "
            f"{limit} concurrent operations, which has been exceeded. Close existing operations for this user, "  # noqa: E501
            "or raise the quota for this user. "
        ),
        receiver=True,
        lang="",
    )


def quota_limit() -> SoapFault:
    text = (
        "The WS-Management service cannot process the request. The maximum number of concurrent shells for "
        "this user has been exceeded. Close existing shells or raise the quota for this user. "
    )
    uri = ns.MSFT_WMI_ERROR
    fields = [
        ("CIMStatusCode", "cimUnsignedInt", "27"),
        ("CIMStatusCodeDescription", "cimString", None),
        ("ErrorSource", "cimString", None),
        ("ErrorSourceFormat", "cimUnsignedShort", "0"),
        ("ErrorType", "cimUnsignedShort", "0"),
        ("Message", "cimString", text),
        ("MessageID", "cimString", "HRESULT 0x803381a5"),
        ("OtherErrorSourceFormat", "cimString", None),
        ("OtherErrorType", "cimString", None),
        ("OwningEntity", "cimString", None),
        ("PerceivedSeverity", "cimUnsignedShort", "0"),
        ("ProbableCause", "cimUnsignedShort", "0"),
        ("ProbableCauseDescription", "cimString", None),
        ("error_Category", "cimUnsignedInt", "30"),
        ("error_Code", "cimUnsignedInt", str(QUOTA_LIMIT)),
        ("error_Type", "cimString", "HRESULT"),
        ("error_WindowsErrorMessage", "cimString", text),
    ]
    inner = "".join(
        f'<p:{n} xsi:nil="true" xsi:type="cim:{t}"/>'
        if v is None
        else f'<p:{n} xsi:type="cim:{t}">{escape(v)}</p:{n}>'
        for n, t, v in fields
    )
    wmi_error = (
        f'<p:MSFT_WmiError b:IsCIM_Error="true" xmlns:b="{ns.CIM_BINDING}" xmlns:cim="{ns.CIM_COMMON}" '
        f'xmlns:p="{uri}" xsi:type="p:MSFT_WmiError_Type" xmlns:xsi="{ns.XSI}">{inner}</p:MSFT_WmiError>'
    )
    return SoapFault("w:QuotaLimit", text, None, extra_detail=wmi_error)


def invalid_header(value: str) -> SoapFault:
    return SoapFault(
        "a:InvalidMessageInformationHeader",
        "The WS-Management service cannot process the request. The request contains one or more invalid SOAP "
        "headers. ",
        INVALID_HEADER,
        escape(
            "The WS-Management service cannot process the request. The XML contains an invalid timeout field "
            f"in the SOAP header: {value}. "
        ),
    )


def invalid_header_generic(what: str) -> SoapFault:
    return SoapFault(
        "a:InvalidMessageInformationHeader",
        "The WS-Management service cannot process the request. The request contains one or more invalid SOAP "
        "headers. ",
        INVALID_HEADER,
        escape(f"The WS-Management service cannot process the request. {what} "),
    )


def encoding_limit(detail: str, message: str) -> SoapFault:
    return SoapFault(
        "w:EncodingLimit",
        "The WS-Management service cannot process the request because the envelope size in the request is "
        "too small or the response would exceed the maximum envelope size. ",
        ENCODING_LIMIT,
        escape(message),
        detail=detail,
    )


def action_not_supported(action: str) -> SoapFault:
    return SoapFault(
        "a:ActionNotSupported",
        "The action is not supported by the service. ",
        ACTION_NOT_SUPPORTED,
        escape(
            f"The WS-Management service cannot process the request. The action {action} is not supported. "
        ),
        detail="ActionMismatch",
    )


def invalid_resource_uri(uri: str) -> SoapFault:
    return SoapFault(
        "w:InvalidResourceURI",
        "The WS-Management service cannot process the request. The resource URI is not valid or was not found. ",  # noqa: E501
        INVALID_RESOURCE_URI,
        escape(
            f"The WS-Management service cannot process the request. The resource URI ({uri}) was not found in "  # noqa: E501
            "the WS-Management catalog. The catalog contains the metadata that describes resources, or logical "  # noqa: E501
            "endpoints. "
        ),
    )


def schema_validation(what: str) -> SoapFault:
    return SoapFault(
        "w:SchemaValidationError",
        "The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and "  # noqa: E501
        "retry. ",
        SCHEMA_VALIDATION,
        escape(f"The WS-Management service cannot process the request because the XML is invalid: {what}. "),
        http_status=400,
    )


def invalid_parameter(machine: str, what: str) -> SoapFault:
    return SoapFault(
        "w:InvalidParameter",
        "The parameter is incorrect. ",
        87,
        provider_fault(87, f"The parameter is incorrect: {what}. ", machine),
        detail="InvalidValue",
        lang="",
    )


def cimnamespace_conflict() -> SoapFault:
    return SoapFault(
        "w:InvalidSelectors",
        "The WS-Management service cannot process the request because the request contained invalid selectors "  # noqa: E501
        "for the resource. ",
        INVALID_SELECTORS,
        escape(
            "The WS-Management service cannot process the request. The resource URI and __cimnamespace selector "  # noqa: E501
            "attempted to use different namespaces. Either remove the __cimnamespace selector or make it the same "  # noqa: E501
            "namespace as the one in the resource URI. "
        ),
        detail="UnexpectedSelectors",
    )


BY_NAME = {
    "timedout": lambda machine: timed_out(),
    "invalidselectors": lambda machine: invalid_selectors(),
    "accessdenied": lambda machine: access_denied(),
    "internalerror": lambda machine: quota_internal(1500),
    "quotalimit": lambda machine: quota_limit(),
    "cannotprocessfilter": lambda machine: cannot_process_filter(
        machine,
        "SELECT * FROM Msvm_ComputerSystem",
        "The specified class does not exist in the given namespace. ",
    ),
    "invalidenumerationcontext": lambda machine: invalid_enumeration_context(),
    "notfound": not_found,
}
