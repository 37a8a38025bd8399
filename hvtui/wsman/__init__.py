"""WS-Management client: SOAP envelopes, enumeration, transfer, invoke, CIM values, faults, auth.

The protocol layer under everything in hvtui. It speaks WS-Management to the WinRM service
of a Windows host and returns CIM objects; it knows nothing about virtual machines::

    from hvtui.wsman import ClientOptions, Credentials, WSManClient

    async with WSManClient("http://hv01:5985/wsman", Credentials("administrator", pw)) as client:
        async for vm in client.enumerate(uri, wql="SELECT * FROM Msvm_ComputerSystem"):
            ...
"""

from hvtui.wsman import httpx_import  # noqa: F401  (first: see the module)
from hvtui.wsman.cim import EPR, IdentifyResult, InvokeResult
from hvtui.wsman.client import WSManClient
from hvtui.wsman.client_options import ClientOptions
from hvtui.wsman.credentials import Credentials
from hvtui.wsman.embedded import EmbeddedInstance
from hvtui.wsman.errors import (
    AuthenticationError,
    ClientClosedError,
    ConfigurationError,
    FaultError,
    FaultInfo,
    LimitError,
    ProtocolError,
    ProviderFault,
    TimeoutExpired,
    TLSError,
    TooManyItems,
    TransportError,
    WSManError,
)
from hvtui.wsman.instance import CimInstance, CimProperties
from hvtui.wsman.schema import ClassSchema, PropertyType
from hvtui.wsman.stats import ClientStats

__all__ = [
    "EPR",
    "AuthenticationError",
    "CimInstance",
    "CimProperties",
    "ClassSchema",
    "ClientClosedError",
    "ClientOptions",
    "ClientStats",
    "ConfigurationError",
    "Credentials",
    "EmbeddedInstance",
    "FaultError",
    "FaultInfo",
    "IdentifyResult",
    "InvokeResult",
    "LimitError",
    "PropertyType",
    "ProtocolError",
    "ProviderFault",
    "TLSError",
    "TimeoutExpired",
    "TooManyItems",
    "TransportError",
    "WSManClient",
    "WSManError",
]
