"""Reading a reply: is it a SOAP 1.2 envelope answering *our* request, and what does it hold?

Anything else gets a ProtocolError that says what came back (an HTML page by its title,
SOAP 1.1, binary garbage, an empty body, a redirect), because "XML syntax error at line 1"
tells an administrator nothing about the proxy or the wrong port in between.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from lxml import etree

from hvtui import namespaces as ns
from hvtui.wsman.errors import LimitError, ProtocolError, one_line
from hvtui.wsman.faults import fault_error, is_fault
from hvtui.wsman.xmlparse import local_name, namespace_of, parse_xml

S = f"{{{ns.SOAP}}}"
A = f"{{{ns.ADDRESSING}}}"
ENVELOPE = f"{S}Envelope"
SOAP11_ENVELOPE = f"{{{ns.SOAP11}}}Envelope"

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


@dataclass
class Reply:
    """A reply whose body has been checked to be an answer to our request."""

    payload: etree._Element | None
    action: str | None
    relates_to: str | None
    size: int = 0  # bytes of the SOAP envelope, for bounds over many replies


def open_envelope(
    data: bytes,
    *,
    host: str | None,
    http_status: int,
    message_id: str | None,
    content_type: str | None = None,
) -> Reply:
    """Parse ``data`` as the SOAP 1.2 reply to ``message_id``; raise FaultError for a fault."""
    root = parse_xml(data, host=host)
    who = host or "the host"
    tag = root.tag
    if tag != ENVELOPE:
        if tag == SOAP11_ENVELOPE:
            raise ProtocolError(
                f"{who} answered in SOAP 1.1, not the SOAP 1.2 that WS-Management uses: is this endpoint "
                "really WinRM (check the port and the /wsman path)?",
                host=host,
                status=http_status,
                content_type=content_type,
            )
        shown = local_name(tag) if isinstance(tag, str) else "?"
        raise ProtocolError(
            f"{who} answered with an XML document <{shown}> (namespace {namespace_of(tag) or 'none'}), not "
            "a SOAP envelope: check that the endpoint is WinRM",
            host=host,
            status=http_status,
            content_type=content_type,
        )
    header = root.find(f"{S}Header")
    body = root.find(f"{S}Body")
    if body is None:
        raise ProtocolError(
            f"the SOAP envelope from {who} has no Body: refused", host=host, status=http_status
        )
    action = relates_to = None
    if header is not None:
        action_el = header.find(f"{A}Action")
        action = (action_el.text or "").strip() if action_el is not None else None
        relates_el = header.find(f"{A}RelatesTo")
        relates_to = (relates_el.text or "").strip() if relates_el is not None else None
    if message_id is not None and relates_to and relates_to.lower() != message_id.lower():
        raise ProtocolError(
            f"the reply from {who} answers another request (RelatesTo {relates_to[:60]}, we sent "
            f"{message_id}): refused; a proxy or the host mixed up replies",
            host=host,
            status=http_status,
        )
    payload = None
    for child in body:
        if type(child.tag) is str:
            payload = child
            break
    if payload is not None and is_fault(payload):
        raise fault_error(payload, action=action, http_status=http_status, host=host)
    return Reply(payload, action, relates_to, len(data))


def describe_body(data: bytes, content_type: str | None) -> str:
    """A short, safe description of a body that is not SOAP, for an error message."""
    if not data:
        return "an empty body"
    ctype = (content_type or "").split(";")[0].strip().lower() or "no content type"
    head = data[:65536]
    title = _TITLE.search(head)
    if title is not None or b"<html" in head[:2048].lower() or ctype == "text/html":
        name = (
            html.unescape(re.sub(rb"<[^>]+>", b"", title.group(1)).decode("utf-8", "replace"))
            if title
            else ""
        )
        name = one_line(name, 100)
        return f"an HTML page{f' titled {name!r}' if name else ''} ({ctype}, {len(data)} bytes)"
    sample = head[:200]
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in sample)
    if printable < len(sample) * 0.9:
        return f"{len(data)} bytes of binary data ({ctype})"
    text = one_line(sample.decode("ascii", "replace"), 80)
    return f"{ctype} text starting {text!r} ({len(data)} bytes)"


#: The media types a SOAP reply may come as.
XML_MEDIA_TYPES = frozenset({"application/soap+xml", "text/xml", "application/xml"})


def is_xml_media(content_type: str | None) -> bool:
    """True when a Content-Type (parameters and case aside) is one a SOAP reply comes as."""
    return (content_type or "").split(";")[0].strip().lower() in XML_MEDIA_TYPES


def looks_like_xml(data: bytes) -> bool:
    head = data[:64].lstrip()
    return head.startswith((b"<", b"\xef\xbb\xbf<", b"\xff\xfe<", b"\xfe\xff\x00<"))


def check_size(length: int, limit: int, host: str | None) -> None:
    if length > limit:
        raise LimitError(
            f"the reply is larger than max_reply_bytes ({limit} bytes): refused; raise max_reply_bytes if "
            "this host legitimately sends such replies",
            host=host,
        )
