"""Parsing untrusted XML from a host, safely and fast.

A host may be malicious or compromised, so a reply is parsed with entity resolution,
network access and DTD loading off and ``huge_tree`` off (which also keeps libxml2's
nesting limit of 256 levels), and any document type declaration is refused outright:
Windows never sends one, so a DOCTYPE is either an attack or not WinRM. The caller has
already capped the size while the bytes streamed in.
"""

from __future__ import annotations

import threading

from lxml import etree

from hvtui.wsman.errors import LimitError, ProtocolError

_DOCTYPE_MARKERS = (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))

_local = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parsers must not be shared between threads; replies may be parsed off the loop.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            collect_ids=False,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


def parse_xml(data: bytes, *, host: str | None = None, what: str | None = None) -> etree._Element:
    """Parse ``data`` into an element tree or raise a one-line ProtocolError/LimitError."""
    if what is None:
        what = f"the reply from {host}" if host else "the reply"
    if not data or not data.strip():
        raise ProtocolError(f"{what} from the host was empty where XML was expected", host=host)
    head = data[:4096]
    if any(marker in head for marker in _DOCTYPE_MARKERS) or b"<!DOCTYPE" in data:
        raise ProtocolError(
            f"{what} carries a DOCTYPE declaration, which WinRM never sends: refused (is this really a "
            "WinRM host?)",
            host=host,
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, what, host) from None
    except ValueError as exc:  # e.g. a unicode string with an encoding declaration
        raise ProtocolError(
            f"{what} is not well-formed XML ({exc}): check that the endpoint is WinRM", host=host
        ) from None
    docinfo = root.getroottree().docinfo
    # union-attr: lxml-stubs 0.5 leaves out DocInfo.doctype, which lxml has had since 2.0.
    doctype = docinfo.doctype  # type: ignore[union-attr]
    if doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise ProtocolError(
            f"{what} carries a DOCTYPE declaration, which WinRM never sends: refused", host=host
        )
    return root


def _syntax_error(exc: etree.XMLSyntaxError, what: str, host: str | None) -> Exception:
    detail = str(exc.msg if getattr(exc, "msg", None) else exc)
    low = detail.lower()
    if "depth" in low or "xml_parse_huge" in low or "huge" in low:
        return LimitError(f"{what} is nested deeper than the parser allows (256 levels): refused", host=host)
    if "utf-8" in low or "encoding" in low or ("char" in low and "range" in low):
        return ProtocolError(
            f"{what} is not valid UTF-8 XML ({detail}): the host or a proxy corrupted it; retry", host=host
        )
    if "premature end" in low or "end of data" in low or "not closed" in low or "eof" in low:
        return ProtocolError(
            f"{what} is truncated, the XML ends before the document does ({detail}): retry", host=host
        )
    if "entity" in low:
        return ProtocolError(
            f"{what} uses XML entities, which WinRM never sends: refused ({detail})", host=host
        )
    return ProtocolError(
        f"{what} is not well-formed XML ({detail}): check that the endpoint is WinRM, or retry", host=host
    )


TAG_NAMES: dict[str, str] = {}
TAG_NAMES_MAX = 8192


def local_name(tag: str) -> str:
    """``{ns}Name`` -> ``Name``, cached: the same few hundred tags recur on every refresh."""
    name = TAG_NAMES.get(tag)
    if name is None:
        name = tag[tag.index("}") + 1 :] if tag[:1] == "{" else tag
        if len(TAG_NAMES) >= TAG_NAMES_MAX:
            TAG_NAMES.clear()
        TAG_NAMES[tag] = name
    return name


def namespace_of(tag: str) -> str | None:
    """``{ns}Name`` -> ``ns`` (None for an unqualified tag)."""
    return tag[1 : tag.index("}")] if tag[:1] == "{" else None


def text_of(element: etree._Element) -> str:
    """All text inside ``element`` (mixed content included), whitespace-collapsed."""
    # arg-type: lxml-stubs types itertext() as str | bytes; a parsed document yields str only.
    return " ".join("".join(element.itertext()).split())  # type: ignore[arg-type]
