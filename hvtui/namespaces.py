"""XML namespace and URI strings of WS-Management and WMI.

The one thing the client (``hvtui.wsman``) and the simulator (``hvtui.sim``) share: the
strings are fixed by the specifications, so sharing them cannot hide a bug on one side.
"""

SOAP = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
ADDRESSING = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
ENUMERATION = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
EVENTING = "http://schemas.xmlsoap.org/ws/2004/08/eventing"
WSMAN = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
WSMAN_MS = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
WSMAN_FAULT = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
WSMAN_IDENTITY = "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"
WSMAN_CONFIG = "http://schemas.microsoft.com/wbem/wsman/1/config"
CIM_BINDING = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd"
CIM_COMMON = "http://schemas.dmtf.org/wbem/wscim/1/common"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MSFT_WMI_ERROR = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError"

ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

# Resource URIs of the WinRM WMI plugin: <WMI_BASE><namespace path>/<Class> or .../*.
WMI_BASE = "http://schemas.microsoft.com/wbem/wsman/1/wmi/"
VIRTUALIZATION_V2 = WMI_BASE + "root/virtualization/v2"
CIMV2 = WMI_BASE + "root/cimv2"

# Filter dialects.
WQL_DIALECT = "http://schemas.microsoft.com/wbem/wsman/1/WQL"
SELECTOR_DIALECT = "http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter"

# Actions.
ACTION_ENUMERATE = ENUMERATION + "/Enumerate"
ACTION_ENUMERATE_RESPONSE = ENUMERATION + "/EnumerateResponse"
ACTION_PULL = ENUMERATION + "/Pull"
ACTION_PULL_RESPONSE = ENUMERATION + "/PullResponse"
ACTION_RELEASE = ENUMERATION + "/Release"
ACTION_RELEASE_RESPONSE = ENUMERATION + "/ReleaseResponse"
ACTION_GET = TRANSFER + "/Get"
ACTION_GET_RESPONSE = TRANSFER + "/GetResponse"
ACTION_FAULT_WSMAN = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
ACTION_FAULT_ADDRESSING = ADDRESSING + "/fault"
ACTION_FAULT_ENUMERATION = ENUMERATION + "/fault"

# Message encryption over HTTP (MS-WSMV 2.2.9.1).
SPNEGO_ENCRYPTED_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
KERBEROS_ENCRYPTED_PROTOCOL = "application/HTTP-Kerberos-session-encrypted"


def class_uri(namespace: str, class_name: str) -> str:
    """Resource URI of a WMI class, e.g. ``class_uri(VIRTUALIZATION_V2, "Msvm_ComputerSystem")``."""
    return f"{namespace}/{class_name}"


def namespace_of(class_name: str) -> str:
    """The WMI namespace a class lives in, by libvirt's rule: Msvm_* in v2, the rest in cimv2."""
    return VIRTUALIZATION_V2 if class_name.startswith("Msvm_") else CIMV2
