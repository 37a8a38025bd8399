"""Builders of replies shaped like a real Windows WinRM service's, for scripted servers.

Modelled on captured Windows replies: one compact line, ``xml:lang`` on the Envelope,
prefixes ``s a n w`` (plus ``x``/``e``/``p`` on some), header order Action, MessageID
(``uuid:`` + upper-case GUID), To (anonymous), RelatesTo (the request's MessageID echoed
byte for byte), no mustUnderstand attributes. Instances carry every property in
case-insensitive alphabetical order, ``xsi:nil`` for NULL, arrays as repeated elements,
``cim:Datetime``/``cim:Interval`` children, and EPR children for references; the ``p``
prefix is rebound to the class URI on each instance.

Every builder takes the :class:`~support.scripted_server.Request` being answered, so that
``RelatesTo`` echoes its MessageID; pass ``relates_to=`` to override (e.g. a wrong one).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from hvtui import namespaces as ns

from .scripted_server import Reply, Request

V2 = ns.VIRTUALIZATION_V2
WILDCARD_V2 = V2 + "/*"
_ENVELOPE_NS = (
    f'xmlns:s="{ns.SOAP}" xmlns:a="{ns.ADDRESSING}" xmlns:n="{ns.ENUMERATION}" xmlns:w="{ns.WSMAN}"'
)
_UNSET: Any = object()


def message_id() -> str:
    return "uuid:" + str(uuid.uuid4()).upper()


@dataclass(frozen=True)
class Ref:
    """A REF property value: rendered as an EPR child, as WinRM renders WMI references."""

    resource_uri: str
    selectors: dict[str, str]


@dataclass(frozen=True)
class Interval:
    text: str


@dataclass(frozen=True)
class Raw:
    """Already-rendered XML for a property's content (anything a test wants to try)."""

    xml: str


@dataclass
class Instance:
    """A WMI instance to render; ``properties`` in any order (rendered alphabetically)."""

    class_name: str
    properties: dict[str, Any]
    namespace: str = V2
    sort: bool = True
    extra_attributes: str = ""

    @property
    def class_uri(self) -> str:
        return f"{self.namespace}/{self.class_name}"


def render_value(name: str, value: Any, prefix: str = "p") -> str:
    tag = f"{prefix}:{name}" if prefix else name
    if value is None:
        return f'<{tag} xsi:nil="true"/>'
    if isinstance(value, list | tuple):
        if not value:
            return f'<{tag} xsi:nil="true"/>'
        return "".join(render_value(name, v, prefix) for v in value)
    if isinstance(value, bool):
        return f"<{tag}>{'true' if value else 'false'}</{tag}>"
    if isinstance(value, datetime):
        text = value.isoformat().replace("+00:00", "Z")
        cim = "cim:Datetime" if prefix else "Datetime"
        return f"<{tag}><{cim}>{text}</{cim}></{tag}>"
    if isinstance(value, Interval):
        cim = "cim:Interval" if prefix else "Interval"
        return f"<{tag}><{cim}>{value.text}</{cim}></{tag}>"
    if isinstance(value, Ref):
        return f'<{tag} xmlns:a="{ns.ADDRESSING}" xmlns:w="{ns.WSMAN}">{epr_body(value)}</{tag}>'
    if isinstance(value, Raw):
        return f"<{tag}>{value.xml}</{tag}>"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def epr_body(ref: Ref) -> str:
    selectors = "".join(
        f"<w:Selector Name={quoteattr(k)}>{escape(v)}</w:Selector>" for k, v in ref.selectors.items()
    )
    return (
        f"<a:Address>{ns.ANONYMOUS}</a:Address><a:ReferenceParameters>"
        f"<w:ResourceURI>{escape(ref.resource_uri)}</w:ResourceURI>"
        f"<w:SelectorSet>{selectors}</w:SelectorSet></a:ReferenceParameters>"
    )


def instance_xml(instance: Instance) -> str:
    names = sorted(instance.properties, key=str.lower) if instance.sort else list(instance.properties)
    props = "".join(render_value(n, instance.properties[n]) for n in names)
    return (
        f'<p:{instance.class_name} xmlns:xsi="{ns.XSI}" xmlns:p="{instance.class_uri}" '
        f'xmlns:cim="{ns.CIM_COMMON}" xsi:type="p:{instance.class_name}_Type"{instance.extra_attributes}>'
        f"{props}</p:{instance.class_name}>"
    )


def fragment_xml(properties: dict[str, Any]) -> str:
    """A WQL property-list item: ``w:XmlFragment`` with unqualified, alphabetical children."""
    names = sorted(properties, key=str.lower)
    props = "".join(render_value(n, properties[n], prefix="") for n in names)
    return f'<w:XmlFragment xmlns:xsi="{ns.XSI}" xmlns:w="{ns.WSMAN}">{props}</w:XmlFragment>'


def epr_item(ref: Ref) -> str:
    return f"<a:EndpointReference>{epr_body(ref)}</a:EndpointReference>"


def object_and_epr_item(instance: Instance, ref: Ref) -> str:
    return f"<w:Item>{instance_xml(instance)}{epr_item(ref)}</w:Item>"


def envelope(
    request: Request | None,
    action: str,
    body: str,
    *,
    relates_to: str | None = _UNSET,
    lang: str = "en-US",
    extra_ns: str = "",
) -> str:
    relates = (request.message_id if request is not None else None) if relates_to is _UNSET else relates_to
    relates_xml = f"<a:RelatesTo>{relates}</a:RelatesTo>" if relates else ""
    return (
        f'<s:Envelope xml:lang="{lang}" {_ENVELOPE_NS}{extra_ns}><s:Header>'
        f"<a:Action>{action}</a:Action><a:MessageID>{message_id()}</a:MessageID>"
        f"<a:To>{ns.ANONYMOUS}</a:To>{relates_xml}</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )


def soap(request: Request | None, action: str, body: str, status: int = 200, **kw: Any) -> Reply:
    return Reply(status, body=envelope(request, action, body, **kw))


def enumerate_response(
    request: Request,
    items: Iterable[str] = (),
    *,
    context: str | None = None,
    end: bool = True,
    items_ns: str = "w",
    **kw: Any,
) -> Reply:
    """Optimized EnumerateResponse: items in ``w:Items``; done -> empty context + ``w:EndOfSequence``."""
    item_xml = "".join(items)
    parts = [f"<n:EnumerationContext>{context or ''}</n:EnumerationContext>"]
    if item_xml or end:
        parts.append(f"<{items_ns}:Items>{item_xml}</{items_ns}:Items>")
    if end:
        parts.append(f"<{items_ns}:EndOfSequence/>")
    return soap(
        request,
        ns.ACTION_ENUMERATE_RESPONSE,
        f"<n:EnumerateResponse>{''.join(parts)}</n:EnumerateResponse>",
        **kw,
    )


def pull_response(
    request: Request, items: Iterable[str] = (), *, context: str | None = None, end: bool = False, **kw: Any
) -> Reply:
    """PullResponse: a new context while more remains; the last has no context and ``n:EndOfSequence``."""
    parts = []
    if context is not None and not end:
        parts.append(f"<n:EnumerationContext>{context}</n:EnumerationContext>")
    parts.append(f"<n:Items>{''.join(items)}</n:Items>")
    if end:
        parts.append("<n:EndOfSequence/>")
    return soap(request, ns.ACTION_PULL_RESPONSE, f"<n:PullResponse>{''.join(parts)}</n:PullResponse>", **kw)


def release_response(request: Request) -> Reply:
    return soap(request, ns.ACTION_RELEASE_RESPONSE, "")


def get_response(request: Request, instance: Instance | str) -> Reply:
    body = instance if isinstance(instance, str) else instance_xml(instance)
    return soap(request, ns.ACTION_GET_RESPONSE, body, extra_ns=f' xmlns:x="{ns.TRANSFER}"')


def invoke_response(
    request: Request, class_uri: str, method: str, outputs: Sequence[tuple[str, Any]] | str, **kw: Any
) -> Reply:
    if isinstance(outputs, str):
        inner = outputs
    else:
        inner = "".join(render_value(name, value) for name, value in outputs)
    body = (
        f'<p:{method}_OUTPUT xmlns:p="{class_uri}" xmlns:xsi="{ns.XSI}" xmlns:cim="{ns.CIM_COMMON}">'
        f"{inner}</p:{method}_OUTPUT>"
    )
    return soap(request, f"{class_uri}/{method}Response", body, **kw)


def identify_response(product_version: str = "OS: 10.0.20348 SP: 0.0 Stack: 3.0") -> Reply:
    body = (
        f'<wsmid:IdentifyResponse xmlns:wsmid="{ns.WSMAN_IDENTITY}">'
        f"<wsmid:ProtocolVersion>{ns.WSMAN}</wsmid:ProtocolVersion>"
        "<wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor>"
        f"<wsmid:ProductVersion>{product_version}</wsmid:ProductVersion>"
        "<wsmid:SecurityProfiles><wsmid:SecurityProfileName>http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/"
        "http/spnego-kerberos</wsmid:SecurityProfileName></wsmid:SecurityProfiles>"
        "</wsmid:IdentifyResponse>"
    )
    envelope_xml = (
        f'<s:Envelope xml:lang="en-US" xmlns:s="{ns.SOAP}"><s:Header/><s:Body>{body}</s:Body></s:Envelope>'
    )
    return Reply(200, body=envelope_xml)


FAULT_ACTIONS = {
    "w": ns.ACTION_FAULT_WSMAN,
    "a": ns.ACTION_FAULT_ADDRESSING,
    "n": ns.ACTION_FAULT_ENUMERATION,
    "s": ns.ACTION_FAULT_ADDRESSING,
}


def fault(
    request: Request | None,
    subcode: str | None = "w:TimedOut",
    *,
    code: str = "s:Receiver",
    reason: str = "The WS-Management service cannot complete the operation within the time specified in "
    "OperationTimeout.  ",
    wsman_code: int | None = 2150858793,
    machine: str = "hv-lab01.example.test",
    message: str | None = None,
    detail_xml: str | None = None,
    fault_detail: str | None = None,
    status: int = 500,
    lang: str = "en-US",
    **kw: Any,
) -> Reply:
    """A WinRM fault; ``detail_xml`` replaces the default ``f:WSManFault`` detail."""
    family = (subcode or code).split(":")[0]
    subcode_xml = f"<s:Subcode><s:Value>{subcode}</s:Value></s:Subcode>" if subcode else ""
    if detail_xml is None:
        detail_parts = []
        if fault_detail:
            detail_parts.append(f"<w:FaultDetail>{fault_detail}</w:FaultDetail>")
        if wsman_code is not None:
            detail_parts.append(
                f'<f:WSManFault xmlns:f="{ns.WSMAN_FAULT}" Code="{wsman_code}" Machine="{machine}">'
                f"<f:Message>{escape(message if message is not None else reason)}</f:Message></f:WSManFault>"
            )
        detail_xml = "".join(detail_parts)
    detail = f"<s:Detail>{detail_xml}</s:Detail>" if detail_xml else ""
    body = (
        f"<s:Fault><s:Code><s:Value>{code}</s:Value>{subcode_xml}</s:Code>"
        f'<s:Reason><s:Text xml:lang="{lang}">{escape(reason)}</s:Text></s:Reason>{detail}</s:Fault>'
    )
    extra_ns = f' xmlns:x="{ns.TRANSFER}" xmlns:e="{ns.EVENTING}" xmlns:p="{ns.WSMAN_MS}"'
    return soap(
        request,
        FAULT_ACTIONS.get(family, ns.ACTION_FAULT_WSMAN),
        body,
        status=status,
        extra_ns=extra_ns,
        **kw,
    )


@dataclass
class Paging:
    """A stateful handler that serves one enumeration in pages, like WinRM.

    ``items`` are rendered item XML strings. The optimized EnumerateResponse carries
    ``first`` items (WinRM sends one), each Pull at most ``per_page`` (and at most the
    request's MaxElements), every page hands out a *new* context, and the last page has no
    context and ``n:EndOfSequence``. Release is answered and recorded. Contexts are
    checked: a Pull with a stale context gets ``n:InvalidEnumerationContext``.
    """

    items: list[str]
    first: int = 1
    per_page: int = 10
    optimized_reply: bool = True
    never_end: bool = False
    served: int = 0
    contexts: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    pulls: int = 0
    _live: str | None = None

    def _new_context(self) -> str:
        context = message_id()
        self._live = context
        self.contexts.append(context)
        return context

    def _take(self, limit: int) -> list[str]:
        if self.never_end:
            return [self.items[self.served % len(self.items)]] if self.items else []
        chunk = self.items[self.served : self.served + limit]
        self.served += len(chunk)
        return chunk

    def __call__(self, request: Request) -> Reply:
        action = request.action
        if action == ns.ACTION_ENUMERATE:
            self.served = 0  # every Enumerate starts a new enumeration from the first item
            optimize = request.body_text(f"{{{ns.WSMAN}}}OptimizeEnumeration") is not None
            if not (optimize and self.optimized_reply):
                return enumerate_response(request, [], context=self._new_context(), end=False)
            chunk = self._take(self.first)
            done = not self.never_end and self.served >= len(self.items)
            return enumerate_response(request, chunk, context=None if done else self._new_context(), end=done)
        if action == ns.ACTION_PULL:
            self.pulls += 1
            context = request.body_text(f"{{{ns.ENUMERATION}}}EnumerationContext")
            if context != self._live:
                return fault(
                    request,
                    "n:InvalidEnumerationContext",
                    wsman_code=2150858779,
                    reason="The WS-Enumeration context in the enumeration is not valid. ",
                )
            asked = int(request.body_text(f"{{{ns.ENUMERATION}}}MaxElements") or 1)
            chunk = self._take(min(asked, self.per_page))
            done = not self.never_end and self.served >= len(self.items)
            if done:
                self._live = None
                return pull_response(request, chunk, end=True)
            return pull_response(request, chunk, context=self._new_context())
        if action == ns.ACTION_RELEASE:
            context = request.body_text(f"{{{ns.ENUMERATION}}}EnumerationContext")
            self.released.append(context or "")
            self._live = None
            return release_response(request)
        return fault(request, "a:ActionNotSupported", code="s:Sender", wsman_code=2150858771, reason="no")
