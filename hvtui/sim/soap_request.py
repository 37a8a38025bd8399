"""Safe, lenient parsing of incoming SOAP envelopes.

Lookups go by namespace URI and local name, never by prefix; whitespace, comments, a missing
XML declaration, unprefixed ``mustUnderstand`` attributes and MessageIDs without ``uuid:`` are
all accepted, as WinRM accepts them. The parser resolves no entities, loads no DTD (a DOCTYPE is
refused), touches no network and keeps lxml's size limits (huge_tree off).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from lxml import etree

from hvtui import namespaces as ns
from hvtui.sim import soap_faults as faults


def _safe_parser(encoding: str | None = None) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        encoding=encoding,
    )


_PARSER = _safe_parser()
_DURATION = re.compile(r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$")


def q(namespace: str, local: str) -> str:
    return f"{{{namespace}}}{local}"


@dataclass
class Request:
    """What the dispatcher needs from a request envelope."""

    action: str | None
    message_id: str | None
    resource_uri: str | None
    selectors: list[tuple[str, str]]
    max_envelope_size: int | None
    operation_timeout: float | None
    body: etree._Element | None
    identify: bool = False

    def selector_dict(self) -> dict[str, str]:
        return dict(self.selectors)


def parse_duration(text: str) -> float:
    """xs:duration (``PT60.000S``) in seconds; ValueError for anything else, negatives included."""
    m = _DURATION.match(text.strip())
    if m is None or text.strip() in ("P", "PT"):
        raise ValueError(text)
    d, h, mi, s = (m.group(k) for k in "dhms")
    return int(d or 0) * 86400 + int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    # Text parsed from bytes comes back as str; the stubs allow bytes for other inputs.
    return "".join(cast("Iterator[str]", el.itertext())).strip()


def parse_request(data: bytes) -> Request:
    """Parse a request envelope or raise SoapFault (HTTP 400 for XML that is not well formed)."""
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise faults.schema_validation("a DTD is not allowed")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise faults.schema_validation(f"not well-formed XML ({str(exc).split('(')[0].strip()})") from None
    if root.tag != q(ns.SOAP, "Envelope"):
        raise faults.schema_validation("the root element is not a SOAP 1.2 Envelope")
    header = root.find(q(ns.SOAP, "Header"))
    body_el = root.find(q(ns.SOAP, "Body"))
    if body_el is None:
        raise faults.schema_validation("the Envelope has no Body")
    body = next((c for c in body_el if isinstance(c.tag, str)), None)

    def h(namespace: str, local: str) -> etree._Element | None:
        return header.find(q(namespace, local)) if header is not None else None

    identify = body is not None and body.tag == q(ns.WSMAN_IDENTITY, "Identify")
    selectors: list[tuple[str, str]] = []
    sel_set = h(ns.WSMAN, "SelectorSet")
    if sel_set is not None:
        for sel in sel_set.iter(q(ns.WSMAN, "Selector")):
            value = _text(sel) or ""
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]  # libvirt quotes some selector values
            selectors.append((sel.get("Name", ""), value))
    max_env = None
    max_el = h(ns.WSMAN, "MaxEnvelopeSize")
    if max_el is not None:
        try:
            max_env = int(_text(max_el) or "")
        except ValueError:
            raise faults.invalid_header_generic("The MaxEnvelopeSize header is not a number.") from None
    timeout = None
    to_el = h(ns.WSMAN, "OperationTimeout")
    if to_el is not None:
        raw = _text(to_el) or ""
        try:
            timeout = parse_duration(raw)
        except ValueError:
            raise faults.invalid_header(raw) from None
    return Request(
        action=_text(h(ns.ADDRESSING, "Action")),
        message_id=_text(h(ns.ADDRESSING, "MessageID")),
        resource_uri=_text(h(ns.WSMAN, "ResourceURI")),
        selectors=selectors,
        max_envelope_size=max_env,
        operation_timeout=timeout,
        body=body,
        identify=identify,
    )


def child(el: etree._Element | None, namespace: str, local: str) -> etree._Element | None:
    if el is None:
        return None
    return el.find(q(namespace, local))


def child_any_ns(el: etree._Element | None, local: str) -> list[etree._Element]:
    """Children with this local name in any namespace (method parameters, _INPUT elements)."""
    if el is None:
        return []
    return [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname.lower() == local.lower()]


def text_of(el: etree._Element | None) -> str | None:
    return _text(el)


# The envelope's rules, but the text is already decoded: an XML declaration's encoding (.NET's
# XmlWriter over a StringWriter writes "utf-16") names what the text once was, not these bytes.
_FRAGMENT_PARSER = _safe_parser(encoding="utf-8")


def parse_fragment(text: str) -> etree._Element:
    """An embedded CIM-XML instance from a parameter's text, with the same safety rules."""
    data = text.strip().lstrip("\ufeff").encode("utf-8")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise ValueError("a DTD is not allowed")
    return etree.fromstring(data, _FRAGMENT_PARSER)
