"""CIM instances as the WinRM WMI plugin writes them, built from string templates.

Rules (DMTF DSP0230, the WS-CIM mapping, as the WinRM WMI plugin applies it): every property of
the class in case-insensitive alphabetical order; null as ``<p:X xsi:nil="true"/>``; an empty
string as ``<p:X></p:X>``; arrays as one element per value (a null array is one nil element, an
empty array no element at all); datetimes as ``<cim:Datetime>`` with only the significant
fraction digits; intervals as ``<cim:Interval>P0DT0H1M40S</cim:Interval>``; references as EPRs
that redeclare ``a`` and ``w``. Strings, not lxml trees: 10,000 instances must render in a
fraction of a second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hvtui import namespaces as ns
from hvtui.sim.schema import CimClass

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XSI_DECL = f'xmlns:xsi="{ns.XSI}"'
_A_W_DECL = f'xmlns:a="{ns.ADDRESSING}" xmlns:w="{ns.WSMAN}"'


@dataclass(frozen=True)
class Ref:
    """A CIM reference: the target's resource URI and its key selectors, in key order."""

    uri: str
    selectors: tuple[tuple[str, str], ...]

    @property
    def class_name(self) -> str:
        return self.uri.rsplit("/", 1)[-1]


def escape(text: str) -> str:
    """XML-escape text; control characters other than TAB/LF/CR become '?', as WinRM does."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if _CONTROL.search(text):
        text = _CONTROL.sub("?", text)
    return text


def escape_attr(text: str) -> str:
    return escape(text).replace('"', "&quot;")


def datetime_text(value: datetime) -> str:
    """``2013-04-15T16:28:43.488171Z``: UTC as Z, fraction digits only when significant."""
    offset = value.utcoffset() if value.tzinfo is not None else None
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T"
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def interval_text(value: timedelta) -> str:
    """``P{d}DT{h}H{m}M{s}S``, the WinRM form of a CIM interval."""
    micros = round(value.total_seconds() * 1_000_000)
    days, rest = divmod(micros, 86_400_000_000)
    hours, rest = divmod(rest, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    seconds, frac = divmod(rest, 1_000_000)
    sec = str(seconds) + (f".{frac:06d}".rstrip("0") if frac else "")
    return f"P{days}DT{hours}H{minutes}M{sec}S"


def scalar_text(value: Any) -> str:
    """Text of a non-null scalar that is not a datetime, interval or reference."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return escape(value)
    return str(value)


def epr_body(ref: Ref) -> str:
    """Address + ReferenceParameters of an EPR, prefixes a and w (declared by the caller)."""
    sels = "".join(f'<w:Selector Name="{k}">{escape(v)}</w:Selector>' for k, v in ref.selectors)
    return (
        f"<a:Address>{ns.ANONYMOUS}</a:Address><a:ReferenceParameters>"
        f"<w:ResourceURI>{ref.uri}</w:ResourceURI><w:SelectorSet>{sels}</w:SelectorSet>"
        "</a:ReferenceParameters>"
    )


def epr_element(ref: Ref) -> str:
    """``<a:EndpointReference>`` as an EnumerateEPR item (a and w declared on the envelope)."""
    return f"<a:EndpointReference>{epr_body(ref)}</a:EndpointReference>"


class _PropTemplate:
    __slots__ = ("close", "kind", "name", "nil", "open", "open_ref")

    def __init__(self, prefix: str, name: str, kind: str) -> None:
        q = f"{prefix}:{name}" if prefix else name
        self.name = name
        self.kind = kind
        self.open = f"<{q}>"
        self.close = f"</{q}>"
        self.nil = f'<{q} xsi:nil="true"/>'
        self.open_ref = f"<{q} {_A_W_DECL}>"


def _kind(cim_type: str) -> str:
    if cim_type in ("datetime", "interval", "ref"):
        return cim_type
    return "plain"


class ClassRenderer:
    """Pre-built templates for one class, rendered under a given namespace URI and prefix."""

    def __init__(self, cls: CimClass, element_ns: str | None = None) -> None:
        self.cls = cls
        uri = element_ns or cls.uri
        self.uri = uri
        self.templates = [(p.array, _PropTemplate("p", p.name, _kind(p.cim_type))) for p in cls.props]
        self.head = (
            f'<p:{cls.name} {_XSI_DECL} xmlns:p="{uri}" xmlns:cim="{ns.CIM_COMMON}" '
            f'xsi:type="p:{cls.name}_Type">'
        )
        self.tail = f"</p:{cls.name}>"

    def body(self, values: dict[str, Any], out: list[str], dt_tag: str = "cim:Datetime") -> None:
        for array, t in self.templates:
            value = values.get(t.name)
            if value is None:
                out.append(t.nil)
            elif array:
                for item in value:
                    _append_value(out, t, item, dt_tag)
            else:
                _append_value(out, t, value, dt_tag)

    def render(self, values: dict[str, Any]) -> str:
        out = [self.head]
        self.body(values, out)
        out.append(self.tail)
        return "".join(out)

    def render_named(self, values: dict[str, Any], element: str, type_name: str) -> str:
        """The instance under another element name (embedded objects in method output)."""
        out = [
            f'<p:{element} {_XSI_DECL} xmlns:p="{self.uri}" '
            f'xmlns:cim="{ns.CIM_COMMON}" xsi:type="{type_name}">'
        ]
        self.body(values, out)
        out.append(f"</p:{element}>")
        return "".join(out)


def _append_value(out: list[str], t: _PropTemplate, value: Any, dt_tag: str) -> None:
    kind = t.kind
    if kind == "plain":
        out.append(f"{t.open}{scalar_text(value)}{t.close}")
    elif kind == "datetime":
        out.append(f"{t.open}<{dt_tag}>{datetime_text(value)}</{dt_tag}>{t.close}")
    elif kind == "interval":
        tag = "cim:Interval" if dt_tag.startswith("cim:") else "Interval"
        out.append(f"{t.open}<{tag}>{interval_text(value)}</{tag}>{t.close}")
    else:
        out.append(f"{t.open_ref}{epr_body(value)}{t.close}")


_renderers: dict[str, ClassRenderer] = {}


def renderer(cls: CimClass) -> ClassRenderer:
    r = _renderers.get(cls.name)
    if r is None:
        r = _renderers[cls.name] = ClassRenderer(cls)
    return r


def render_instance(cls: CimClass, values: dict[str, Any]) -> str:
    return renderer(cls).render(values)


def render_fragment(cls: CimClass, values: dict[str, Any], selected: list[str]) -> str:
    """A WQL property-list item: ``w:XmlFragment`` with unqualified children, bare ``<Datetime>``."""
    out = [f'<w:XmlFragment {_XSI_DECL} xmlns:w="{ns.WSMAN}">']
    for name in sorted(selected, key=str.lower):
        prop = cls.prop(name)
        t = _PropTemplate("", prop.name if prop else name, _kind(prop.cim_type) if prop else "plain")
        value = values.get(t.name)
        if value is None:
            out.append(t.nil)
        elif (prop is not None and prop.array) or isinstance(value, list):
            for item in value:
                _append_value(out, t, item, "Datetime")
        else:
            _append_value(out, t, value, "Datetime")
    out.append("</w:XmlFragment>")
    return "".join(out)
