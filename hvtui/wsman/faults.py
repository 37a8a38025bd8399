"""SOAP faults from WinRM, parsed into a FaultError whose one-line text says what to do.

The hint is chosen from the subcode and the numeric codes, never from the reason text:
that text follows the host's UI language (German and Chinese hosts exist) and wording
changes between Windows releases.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from hvtui import namespaces as ns
from hvtui.wsman.errors import FaultError, FaultInfo, ProviderFault, one_line
from hvtui.wsman.xmlparse import local_name

S = f"{{{ns.SOAP}}}"
F = f"{{{ns.WSMAN_FAULT}}}"
W_FAULT_DETAIL = f"{{{ns.WSMAN}}}FaultDetail"
NIL = f"{{{ns.XSI}}}nil"

#: Conventional prefixes, only for display ("w:TimedOut").
PREFIXES = {
    ns.SOAP: "s",
    ns.ADDRESSING: "a",
    ns.ENUMERATION: "n",
    ns.TRANSFER: "x",
    ns.EVENTING: "e",
    ns.WSMAN: "w",
    ns.WSMAN_MS: "p",
    ns.WSMAN_FAULT: "f",
}

# WinRM error codes (wsmerror.h: 0x80338000 + offset) and Win32 codes seen in faults.
ERROR_ACCESS_DENIED = 5
ERROR_INVALID_PARAMETER = 87
WSMAN_CANNOT_PROCESS = 2150858752  # 0x80338000 (e.g. instance not found)
WSMAN_INVALID_HEADER = 2150858767  # 0x8033800F
WSMAN_ACTION_NOT_SUPPORTED = 2150858771  # 0x80338013
WSMAN_CANNOT_PROCESS_FILTER = 2150858778  # 0x8033801A
WSMAN_INVALID_CONTEXT = 2150858779  # 0x8033801B
WSMAN_PULL_TIMED_OUT = 2150858780  # 0x8033801C
WSMAN_TIMED_OUT = 2150858793  # 0x80338029
WSMAN_ENCODING_LIMIT = 2150858805  # 0x80338035
WSMAN_INVALID_RESOURCE_URI = 2150858811  # 0x8033803B
WSMAN_INVALID_SELECTORS = 2150858813  # 0x8033803D
WSMAN_SCHEMA_VALIDATION = 2150858817  # 0x80338041
WSMAN_MAX_ENVELOPE_EXCEEDED = 2150858824  # 0x80338048
WSMAN_INSUFFICIENT_SELECTORS = 2150858842  # 0x8033805A
WSMAN_UNEXPECTED_SELECTORS = 2150858843  # 0x8033805B
WSMAN_QUOTA_SHELLS = 2150859173  # 0x803381A5
WSMAN_QUOTA_OPERATIONS = 2150859174  # 0x803381A6
WMI_ACCESS_DENIED = 0x80041003
WMI_INVALID_NAMESPACE = 0x8004100E
WMI_INVALID_CLASS = 0x80041010

NOT_FOUND_HINT = (
    "the instance or resource was not found on the host: refresh, and check that the Hyper-V role (the "
    "root/virtualization/v2 WMI namespace) is installed"
)

_HINTS: list[tuple[set[str], set[int], str]] = [
    (
        {"w:TimedOut", "n:TimedOut"},
        {WSMAN_TIMED_OUT, WSMAN_PULL_TIMED_OUT},
        "the host did not finish in time: retry, and if it keeps happening raise operation_timeout",
    ),
    (
        {"n:InvalidEnumerationContext"},
        {WSMAN_INVALID_CONTEXT},
        "the enumeration expired or was ended on the host: run it again",
    ),
    (
        {"w:AccessDenied"},
        {ERROR_ACCESS_DENIED, WMI_ACCESS_DENIED},
        "access denied: the user must be in Administrators or Hyper-V Administrators on the host (local "
        "accounts other than Administrator are also subject to UAC remote restrictions)",
    ),
    (
        {"w:QuotaLimit"},
        {WSMAN_QUOTA_OPERATIONS, WSMAN_QUOTA_SHELLS},
        "the user has too many operations open on the host: close other sessions or raise the quota "
        '(winrm set winrm/config/service @{MaxConcurrentOperationsPerUser="1500"})',
    ),
    (
        {"n:CannotProcessFilter"},
        {WSMAN_CANNOT_PROCESS_FILTER, WMI_INVALID_CLASS},
        "the host refused the WQL query (a class or property this Windows release does not have?): check "
        "the query and the host's version",
    ),
    (
        {"w:InvalidSelectors"},
        {WSMAN_INVALID_SELECTORS, WSMAN_INSUFFICIENT_SELECTORS, WSMAN_UNEXPECTED_SELECTORS},
        "the instance keys were refused, or the instance no longer exists: refresh and try again",
    ),
    ({"a:DestinationUnreachable"}, {WSMAN_CANNOT_PROCESS}, NOT_FOUND_HINT),
    (
        {"w:InvalidResourceURI", "a:ActionNotSupported"},
        {WSMAN_INVALID_RESOURCE_URI, WSMAN_ACTION_NOT_SUPPORTED, WMI_INVALID_NAMESPACE},
        "the host does not know this resource or method: check that the Hyper-V role is installed and that "
        "this Windows release has it",
    ),
    (
        {"w:EncodingLimit"},
        {WSMAN_ENCODING_LIMIT, WSMAN_MAX_ENVELOPE_EXCEEDED},
        "the reply would exceed the envelope size: lower max_elements, or raise max_envelope_size (the "
        "host's MaxEnvelopeSizekb caps it)",
    ),
    (
        {"w:InvalidParameter"},
        {ERROR_INVALID_PARAMETER},
        "the host refused a parameter of the request: check the values passed",
    ),
    (
        {"a:InvalidMessageInformationHeader", "s:MustUnderstand", "w:SchemaValidationError"},
        {WSMAN_INVALID_HEADER, WSMAN_SCHEMA_VALIDATION},
        "the host refused the request's format: this host may be running an unsupported WinRM version; "
        "please report it",
    ),
    (
        {"w:InternalError"},
        set(),
        "the host's WinRM service failed internally: retry later, and check the host's event log",
    ),
]


def _qname(element: etree._Element | None) -> tuple[str | None, str] | None:
    """A QName written as text (``w:TimedOut``), resolved through the element's namespace scope."""
    if element is None:
        return None
    text = (element.text or "").strip()
    if not text:
        return None
    prefix, _, local = text.rpartition(":")
    uri = element.nsmap.get(prefix or None) if element.nsmap else None
    return (uri, local)


def _short(qname: tuple[str | None, str] | None) -> str | None:
    if qname is None:
        return None
    uri, local = qname
    prefix = PREFIXES.get(uri) if uri else None
    return f"{prefix}:{local}" if prefix else local


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip(), 0) if value.strip().lower().startswith("0x") else int(value.strip())
    except ValueError:
        return None


def _flat_instance(element: etree._Element) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for child in element:
        if type(child.tag) is not str:
            continue
        nil = child.get(NIL)
        fields[local_name(child.tag)] = None if nil in ("true", "1") else " ".join((child.text or "").split())
    return fields


def _own_text(element: etree._Element, skip: set[str]) -> str:
    """Text of ``element`` and its descendants, leaving out subtrees whose tag is in ``skip``."""
    parts = [element.text or ""]
    for child in element:
        if type(child.tag) is str and child.tag not in skip:
            parts.append(_own_text(child, skip))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def parse_fault(fault: etree._Element, *, action: str | None, http_status: int) -> FaultInfo:
    code = _qname(fault.find(f"{S}Code/{S}Value"))
    subcode = _qname(fault.find(f"{S}Code/{S}Subcode/{S}Value"))
    reason_el = fault.find(f"{S}Reason/{S}Text")
    reason = one_line(reason_el.text or "") if reason_el is not None else ""
    detail = fault.find(f"{S}Detail")

    wsman_code = machine = None
    message = ""
    fault_detail = None
    provider: ProviderFault | None = None
    extended: dict[str, Any] | None = None
    wmi_error: dict[str, Any] | None = None
    if detail is not None:
        fault_detail_el = detail.find(W_FAULT_DETAIL)
        if fault_detail_el is not None:
            fault_detail = (fault_detail_el.text or "").strip() or None
        wsman_fault = detail.find(f"{F}WSManFault")
        if wsman_fault is not None:
            wsman_code = _int(wsman_fault.get("Code"))
            machine = wsman_fault.get("Machine")
            message_el = wsman_fault.find(f"{F}Message")
            if message_el is not None:
                provider_el = message_el.find(f"{F}ProviderFault")
                if provider_el is not None:
                    provider = _provider_fault(provider_el)
                    message = provider.text
                else:
                    message = _own_text(message_el, set())
        for element in detail.iter():
            tag = element.tag
            if type(tag) is not str:
                continue
            name = local_name(tag)
            if name == "__ExtendedStatus" and extended is None:
                extended = _flat_instance(element)
            elif name == "MSFT_WmiError" and wmi_error is None:
                wmi_error = _flat_instance(element)
        if not message and wmi_error:
            message = wmi_error.get("Message") or ""
    return FaultInfo(
        code=code,
        subcode=subcode,
        subcode_name=_short(subcode),
        reason=reason,
        wsman_code=wsman_code,
        machine=machine,
        message=one_line(message),
        fault_detail=fault_detail,
        provider_fault=provider,
        extended_status=extended,
        wmi_error=wmi_error,
        action=action,
        http_status=http_status,
    )


def _provider_fault(element: etree._Element) -> ProviderFault:
    inner = element.find(f"{F}WSManFault")
    code = inner_machine = None
    if inner is not None:
        code = _int(inner.get("Code"))
        inner_machine = inner.get("Machine")
        inner_message = inner.find(f"{F}Message")
        text = _own_text(inner_message if inner_message is not None else inner, set())
    else:
        text = _own_text(element, {f"{F}ExtendedError"})
    return ProviderFault(
        provider=(element.get("provider") or "").strip() or None,
        path=element.get("path"),
        text=one_line(text),
        code=code,
        machine=inner_machine,
    )


def hint_for(info: FaultInfo) -> str:
    codes = set(info.codes)
    name = info.subcode_name or ""
    if info.code and info.code[1] == "MustUnderstand" and not name:
        name = "s:MustUnderstand"
    if info.fault_detail and info.fault_detail.endswith("/ResourceNotFound"):
        return NOT_FOUND_HINT
    for names, numbers, hint in _HINTS:
        if name in names or codes & numbers:
            return hint
    return "see the host's message; if it persists, check the host's WinRM event log"


def fault_error(
    fault: etree._Element, *, action: str | None, http_status: int, host: str | None
) -> FaultError:
    info = parse_fault(fault, action=action, http_status=http_status)
    label = info.subcode_name or (_short(info.code) if info.code else None) or "SOAP fault"
    numbers = f" {info.wsman_code}" if info.wsman_code is not None else ""
    if info.wmi_error_code is not None and info.wmi_error_code != info.wsman_code:
        numbers += f" (WMI {info.wmi_error_code})"
    where = f"{host} " if host else "the host "
    text = info.text.rstrip(". ")
    message = f"{where}answered with a fault, {label}{numbers}: {text}. What to do: {hint_for(info)}"
    return FaultError(message, info, host=host)


def is_fault(element: etree._Element) -> bool:
    return element.tag == f"{S}Fault"


def subcode_is(error: FaultError, namespace: str, local: str) -> bool:
    """True when ``error``'s subcode is ``{namespace}local`` (prefix-independent)."""
    subcode = error.fault.subcode
    return subcode is not None and subcode[1] == local and (subcode[0] == namespace or subcode[0] is None)
