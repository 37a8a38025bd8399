"""Request envelopes, written the way Windows expects them.

Headers follow what WinRM requires and what clients proven against it send:
``To``, ``ResourceURI`` (mustUnderstand), anonymous ``ReplyTo``, ``Action``
(mustUnderstand), ``MaxEnvelopeSize`` (mustUnderstand), a ``uuid:`` ``MessageID``,
``Locale`` (mustUnderstand false, so a host without that language still answers),
``OperationTimeout`` as ``PT60.000S``, then the ``SelectorSet``. Requests are small
templates filled with escaped text: faster than building trees, and easy to read on the wire.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from hvtui import namespaces as ns
from hvtui.wsman import xmlwrite
from hvtui.wsman.cim import EPR, render_selector_set
from hvtui.wsman.cimtime import format_datetime, format_interval
from hvtui.wsman.embedded import EmbeddedInstance
from hvtui.wsman.errors import ConfigurationError
from hvtui.wsman.instance import CimInstance

ENUMERATION_MODES = {"EPR": "EnumerateEPR", "ObjectAndEPR": "EnumerateObjectAndEPR"}

_NAMESPACES = (
    f'xmlns:s="{ns.SOAP}" xmlns:a="{ns.ADDRESSING}" xmlns:n="{ns.ENUMERATION}" '
    f'xmlns:w="{ns.WSMAN}" xmlns:xsi="{ns.XSI}" xmlns:cim="{ns.CIM_COMMON}"'
)

IDENTIFY_BODY = (
    f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{ns.SOAP}" '
    f'xmlns:wsmid="{ns.WSMAN_IDENTITY}">'
    "<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>"
).encode()


def new_message_id() -> str:
    return "uuid:" + str(uuid.uuid4()).upper()


def operation_timeout(seconds: float) -> str:
    return f"PT{seconds:.3f}S"


def request(
    *,
    to: str,
    resource_uri: str,
    action: str,
    message_id: str,
    max_envelope_size: int,
    timeout: float,
    locale: str,
    selectors: Iterable[tuple[str, Any]] = (),
    body: str = "",
) -> bytes:
    """One complete request envelope, UTF-8 encoded."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope {_NAMESPACES}><s:Header>'
        f"<a:To>{xmlwrite.text(to, 'the endpoint')}</a:To>"
        "<w:ResourceURI "
        f's:mustUnderstand="true">{xmlwrite.text(resource_uri, "the resource URI")}</w:ResourceURI>'
        f'<a:ReplyTo><a:Address s:mustUnderstand="true">{ns.ANONYMOUS}</a:Address></a:ReplyTo>'
        f'<a:Action s:mustUnderstand="true">{xmlwrite.text(action, "the action")}</a:Action>'
        f'<w:MaxEnvelopeSize s:mustUnderstand="true">{int(max_envelope_size)}</w:MaxEnvelopeSize>'
        f"<a:MessageID>{message_id}</a:MessageID>"
        f'<w:Locale xml:lang="{xmlwrite.attr(locale)}" s:mustUnderstand="false"/>'
        f"<w:OperationTimeout>{operation_timeout(timeout)}</w:OperationTimeout>"
        f"{render_selector_set(_selector_pairs(selectors))}"
        f"</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def _selector_pairs(selectors: Iterable[tuple[str, Any]]) -> list[tuple[str, str | EPR]]:
    pairs: list[tuple[str, str | EPR]] = []
    for name, value in selectors:
        if value is None:
            raise ConfigurationError(f"selector {name!r} has no value: give every key a value")
        if isinstance(value, EPR):
            pairs.append((name, value))
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        else:
            pairs.append((name, str(value)))
    return pairs


def selector_items(selectors: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> list[tuple[str, Any]]:
    if selectors is None:
        return []
    if isinstance(selectors, Mapping):
        return list(selectors.items())
    return list(selectors)


def enumerate_body(wql: str | None, *, optimize: bool, max_elements: int | None, mode: str | None) -> str:
    # Order as sent by clients proven against WinRM: OptimizeEnumeration, MaxElements,
    # EnumerationMode, Filter. Without MaxElements the host sends one item per page.
    parts = ["<n:Enumerate>"]
    if optimize:
        parts.append("<w:OptimizeEnumeration/>")
        if max_elements is not None:
            parts.append(f"<w:MaxElements>{int(max_elements)}</w:MaxElements>")
    if mode is not None:
        parts.append(f"<w:EnumerationMode>{ENUMERATION_MODES[mode]}</w:EnumerationMode>")
    if wql is not None:
        parts.append(f'<w:Filter Dialect="{ns.WQL_DIALECT}">{xmlwrite.text(wql, "the WQL query")}</w:Filter>')
    parts.append("</n:Enumerate>")
    return "".join(parts)


def pull_body(context: str, max_elements: int | None) -> str:
    batch = f"<n:MaxElements>{int(max_elements)}</n:MaxElements>" if max_elements is not None else ""
    return (
        f"<n:Pull><n:EnumerationContext>{xmlwrite.text(context, 'the enumeration context')}"
        f"</n:EnumerationContext>{batch}</n:Pull>"
    )


def release_body(context: str) -> str:
    return (
        f"<n:Release><n:EnumerationContext>{xmlwrite.text(context, 'the enumeration context')}"
        "</n:EnumerationContext></n:Release>"
    )


def invoke_body(
    class_uri: str, method: str, params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None
) -> str:
    """``<p:Method_INPUT xmlns:p="classURI">`` with one child per parameter (arrays repeat)."""
    _check_name(method, "method")
    items = params.items() if isinstance(params, Mapping) else (params or ())
    parts = [f'<p:{method}_INPUT xmlns:p="{xmlwrite.attr(class_uri, "the resource URI")}">']
    for name, value in items:
        _check_name(name, "parameter")
        if isinstance(value, list | tuple):
            parts.extend(render_param(name, item) for item in value)
        else:
            parts.append(render_param(name, value))
    parts.append(f"</p:{method}_INPUT>")
    return "".join(parts)


def _check_name(name: str, what: str) -> None:
    if (
        not name
        or not (name[0].isalpha() or name[0] == "_")
        or not all(c.isalnum() or c == "_" for c in name)
    ):
        raise ConfigurationError(f"{what} name {name!r} is not a CIM name (letters, digits and _ only)")


def render_param(name: str, value: Any) -> str:
    """One method parameter element ``p:<name>`` for a scalar, NULL, reference or embedded instance."""
    element = f"p:{name}"
    if value is None:
        return f'<{element} xsi:nil="true"/>'
    if isinstance(value, EPR):
        return value.render(element)
    if isinstance(value, EmbeddedInstance):
        return f"<{element}>{xmlwrite.text(value.to_cim_xml(), name)}</{element}>"
    if isinstance(value, CimInstance):
        raise ConfigurationError(
            f"parameter {name}: pass an instance as EmbeddedInstance(...) (CIM-XML) or a reference as its EPR"
        )
    if isinstance(value, bool):
        return f"<{element}>{'true' if value else 'false'}</{element}>"
    if isinstance(value, datetime):
        return f"<{element}><cim:Datetime>{format_datetime(value)}</cim:Datetime></{element}>"
    if isinstance(value, timedelta):
        return f"<{element}><cim:Interval>{format_interval(value)}</cim:Interval></{element}>"
    if isinstance(value, date | time):
        raise ConfigurationError(f"parameter {name}: pass a full datetime, not a {type(value).__name__}")
    if isinstance(value, int | float | str):
        return f"<{element}>{xmlwrite.text(str(value), f'parameter {name}')}</{element}>"
    raise ConfigurationError(f"parameter {name}: cannot send a {type(value).__name__}")
