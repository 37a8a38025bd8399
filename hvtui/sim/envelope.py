"""Reply envelopes in the exact shape of real WinRM replies: one compact line, the prefixes Windows
uses for each kind of reply, header order Action, MessageID (``uuid:`` + upper-case GUID), To
(anonymous), RelatesTo (the request's MessageID, echoed as sent), no mustUnderstand attributes.
"""

from __future__ import annotations

import uuid

from hvtui import namespaces as ns
from hvtui.sim.render import escape

_DECL = {
    "s": ns.SOAP,
    "a": ns.ADDRESSING,
    "x": ns.TRANSFER,
    "e": ns.EVENTING,
    "n": ns.ENUMERATION,
    "w": ns.WSMAN,
    "p": ns.WSMAN_MS,
}
ENUMERATION_PREFIXES = ("s", "a", "n", "w")
TRANSFER_PREFIXES = ("s", "a", "x", "w", "p")
FAULT_PREFIXES = ("s", "a", "x", "e", "n", "w", "p")


def message_id() -> str:
    return "uuid:" + str(uuid.uuid4()).upper()


def head(action: str, relates_to: str | None, prefixes: tuple[str, ...], lang: str = "en-US") -> str:
    decls = " ".join(f'xmlns:{p}="{_DECL[p]}"' for p in prefixes)
    relates = f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>" if relates_to is not None else ""
    return (
        f'<s:Envelope xml:lang="{lang}" {decls}><s:Header><a:Action>{action}</a:Action>'
        f"<a:MessageID>{message_id()}</a:MessageID><a:To>{ns.ANONYMOUS}</a:To>{relates}</s:Header><s:Body>"
    )


TAIL = "</s:Body></s:Envelope>"


def envelope(action: str, relates_to: str | None, prefixes: tuple[str, ...], body: str) -> str:
    return head(action, relates_to, prefixes) + body + TAIL


def identify_response(product_version: str, profiles: list[str], authenticated: bool) -> str:
    """IdentifyResponse as WinRM writes it (the unauthenticated one hides the OS version)."""
    idns = ns.WSMAN_IDENTITY
    if not authenticated:
        return (
            f'<s:Envelope xmlns:s="{ns.SOAP}"><s:Header/><s:Body><wsmid:IdentifyResponse xmlns:wsmid="{idns}">'  # noqa: E501
            f"<wsmid:ProtocolVersion>{ns.WSMAN}</wsmid:ProtocolVersion>"
            "<wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor>"
            "<wsmid:ProductVersion>OS: 0.0.0 SP: 0.0 Stack: 3.0</wsmid:ProductVersion>"
            "</wsmid:IdentifyResponse></s:Body></s:Envelope>"
        )
    names = "".join(f"<wsmid:SecurityProfileName>{p}</wsmid:SecurityProfileName>" for p in profiles)
    return (
        f'<s:Envelope xml:lang="en-US" xmlns:s="{ns.SOAP}"><s:Header></s:Header><s:Body>'
        f'<wsmid:IdentifyResponse xmlns:wsmid="{idns}"><wsmid:ProtocolVersion>{ns.WSMAN}</wsmid:ProtocolVersion>'  # noqa: E501
        "<wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor>"
        f"<wsmid:ProductVersion>{product_version}</wsmid:ProductVersion>"
        f"<wsmid:SecurityProfiles>{names}</wsmid:SecurityProfiles></wsmid:IdentifyResponse></s:Body></s:Envelope>"
    )
