"""Decoding CIM instances and values from WinRM's XML: the hot path of every refresh.

WinRM renders a WMI instance as one element named after its class, in the class's
namespace, with one child per property (repeated for arrays, ``xsi:nil`` for NULL, a
``cim:Datetime``/``cim:Interval`` child for date-times, an EPR for references, nested
property elements for embedded objects). Children are visited once, tags are split
through a cache, and values stay text until they are read (see ``CimProperties``).
Everything is matched by namespace URI and local name, never by prefix, and unknown,
missing or reordered properties are simply taken as they come.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from hvtui import namespaces as ns
from hvtui.wsman.cim import EPR, LazyValue
from hvtui.wsman.errors import LimitError, ProtocolError
from hvtui.wsman.instance import CimInstance, CimProperties
from hvtui.wsman.schema import ClassSchema
from hvtui.wsman.xmlparse import TAG_NAMES, local_name, namespace_of

NIL = f"{{{ns.XSI}}}nil"
XSI_TYPE = f"{{{ns.XSI}}}type"
A_ADDRESS = f"{{{ns.ADDRESSING}}}Address"
A_REFERENCE_PARAMETERS = f"{{{ns.ADDRESSING}}}ReferenceParameters"
A_ENDPOINT_REFERENCE = f"{{{ns.ADDRESSING}}}EndpointReference"
W_RESOURCE_URI = f"{{{ns.WSMAN}}}ResourceURI"
W_SELECTOR_SET = f"{{{ns.WSMAN}}}SelectorSet"
W_SELECTOR = f"{{{ns.WSMAN}}}Selector"
W_ITEM = f"{{{ns.WSMAN}}}Item"
W_XML_FRAGMENT = f"{{{ns.WSMAN}}}XmlFragment"

_TIME_KINDS = ("Datetime", "Interval", "Date", "Time", "CIM_DateTime")
#: cim:Datetime and friends, and their unqualified forms in XmlFragments -> kind.
_TIME_TAGS = {**{f"{{{ns.CIM_COMMON}}}{k}": k for k in _TIME_KINDS}, **{k: k for k in _TIME_KINDS}}
_NIL_TRUE = frozenset({"true", "1"})
_SPACE = " \t\r\n"

#: Embedded objects inside embedded objects: real ones are one level deep.
MAX_NESTING = 8


def decode_instance(
    element: etree._Element,
    schema: ClassSchema | None = None,
    *,
    fragment_class: str = "",
    fragment_uri: str = "",
    epr: EPR | None = None,
    depth: int = 0,
) -> CimInstance:
    """An instance element (``p:Msvm_ComputerSystem`` or ``w:XmlFragment``) -> CimInstance."""
    tag = element.tag
    if tag == W_XML_FRAGMENT:
        class_name, resource_uri, is_fragment = fragment_class, fragment_uri, True
    else:
        class_name, resource_uri, is_fragment = local_name(tag), namespace_of(tag) or "", False
    raw = decode_properties(element, depth)
    return CimInstance(
        class_name, resource_uri, CimProperties(raw, schema, class_name), epr=epr, is_fragment=is_fragment
    )


def decode_outputs(
    payload: etree._Element, method: str, schema: ClassSchema | None = None, *, declared_only: bool = False
) -> CimProperties:
    """A method's ``<method>_OUTPUT`` element -> its outputs, typed lazily by ``schema``
    (ReturnValue a uint32 unless it says otherwise); ``declared_only``: only what the
    schemas declare is decoded (see :func:`decode_properties`)."""
    output_schema = ClassSchema(f"{method}_OUTPUT", {"ReturnValue": "uint32"})
    if schema is not None:
        output_schema = output_schema.merged(schema)
    raw = decode_properties(payload, schema=output_schema if declared_only else None)
    return CimProperties(raw, output_schema, f"{method}_OUTPUT")


def decode_properties(
    element: etree._Element, depth: int = 0, schema: ClassSchema | None = None
) -> dict[str, Any]:
    """Property children -> {name: text | None | LazyValue | EPR | CimInstance | list}.

    The hot loop of every refresh: one pass over the children, tag splitting through a
    cache, date-times recognised by their exact tag, nil looked up only on empty leaves.

    With ``schema``, only the properties it declares, the way ``CimProperties.typed()``
    reads them: lxml picks those children out in C (in any namespace, as the full pass
    matches them), so no Python object is made for the rest; an embedded instance it
    declares a schema for is read the same way. A value nobody reads is then not decoded
    either, so it cannot fail the read. When a declared property is missing under its
    declared name and another child spells it in other case, every child is read, as
    ``typed()`` finds such a property case-insensitively.
    """
    if schema is None:
        return _read(element, depth, None)
    raw = _read(element.iterchildren(*schema.element_tags()), depth, schema)
    if len(raw) < len(schema) and _spelled_otherwise(element, raw, schema):
        return _read(element, depth, None)
    return raw


def _read(children: Iterable[etree._Element], depth: int, schema: ClassSchema | None) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    names = TAG_NAMES
    for child in children:
        ctag = child.tag
        name = names.get(ctag)
        if name is None:
            if type(ctag) is not str:  # comment or processing instruction
                continue
            name = local_name(ctag)
        text = child.text
        if text is None:
            if len(child):
                value: Any = decode_complex(child, depth, _embedded(schema, name))
            else:
                nil = child.get(NIL)
                value = None if nil is not None and nil.strip() in _NIL_TRUE else ""
        elif text[0] in _SPACE and len(child) and text.isspace():
            value = decode_complex(child, depth, _embedded(schema, name))
        else:
            value = text
        if name in raw:
            previous = raw[name]
            if type(previous) is list:
                previous.append(value)
            else:
                raw[name] = [previous, value]
        else:
            raw[name] = value
    return raw


def _embedded(schema: ClassSchema | None, name: str) -> ClassSchema | None:
    """The schema ``schema`` declares for the embedded instance in property ``name``, if any."""
    if schema is None:
        return None
    ptype = schema.get(name)
    return ptype.embedded if ptype is not None else None


def _spelled_otherwise(element: etree._Element, raw: dict[str, Any], schema: ClassSchema) -> bool:
    """Whether a child names a declared property that ``raw`` lacks, in other case."""
    missing = {name.lower() for name in schema if name not in raw}
    for child in element:
        tag = child.tag
        if type(tag) is str and local_name(tag).lower() in missing:
            return True
    return False


def decode_complex(element: etree._Element, depth: int, schema: ClassSchema | None = None) -> Any:
    """A property element with element children: a date-time, a reference, or an embedded
    instance (of which only what ``schema`` declares is read, when given)."""
    first = element[0]
    tag = first.tag
    kind = _TIME_TAGS.get(tag) if type(tag) is str else None
    if kind is not None:
        return LazyValue(kind, first.text or "")
    if type(tag) is not str:  # a comment first: look further
        for first in element:
            if type(first.tag) is str:
                break
        else:
            return element.text or ""
        tag = first.tag
    if tag in (A_ADDRESS, A_REFERENCE_PARAMETERS):
        return decode_epr(element)
    if tag == A_ENDPOINT_REFERENCE:
        return decode_epr(first)
    kind = _TIME_TAGS.get(tag)
    if kind is not None:
        return LazyValue(kind, first.text or "")
    if depth >= MAX_NESTING:
        raise LimitError(f"embedded instances nested more than {MAX_NESTING} deep: refused")
    return decode_embedded(element, first, depth + 1, schema)


def _first_element(element: etree._Element) -> etree._Element | None:
    for child in element:
        if type(child.tag) is str:
            return child
    return None


def decode_embedded(
    element: etree._Element, first: etree._Element, depth: int, schema: ClassSchema | None = None
) -> CimInstance:
    """An embedded object rendered as nested property elements (e.g. GetSummaryInformation's
    ``SummaryInformation``): the class comes from ``xsi:type``, else the properties' namespace.
    With ``schema``, only the properties it declares are read (see :func:`decode_properties`);
    the instance stays untyped, as the caller types it by the schema of the property it is in."""
    child_ns = namespace_of(first.tag)
    class_name = ""
    xsi_type = element.get(XSI_TYPE)
    if xsi_type:
        type_name = xsi_type.rsplit(":", 1)[-1]
        class_name = type_name[:-5] if type_name.endswith("_Type") else type_name
    if not class_name and child_ns and "/" in child_ns:
        class_name = child_ns.rstrip("/").rsplit("/", 1)[-1]
    if not class_name:
        class_name = local_name(element.tag)
    raw = decode_properties(element, depth, schema)
    return CimInstance(class_name, child_ns or "", CimProperties(raw, None, class_name))


def decode_epr(element: etree._Element) -> EPR:
    """An element holding ``a:Address`` + ``a:ReferenceParameters`` -> EPR."""
    address = ns.ANONYMOUS
    resource_uri = None
    selectors: list[tuple[str, Any]] = []
    for child in element:
        tag = child.tag
        if tag == A_ADDRESS:
            address = (child.text or "").strip() or ns.ANONYMOUS
        elif tag == A_REFERENCE_PARAMETERS:
            for param in child:
                ptag = param.tag
                if ptag == W_RESOURCE_URI:
                    resource_uri = (param.text or "").strip()
                elif ptag == W_SELECTOR_SET:
                    for selector in param:
                        if selector.tag != W_SELECTOR:
                            continue
                        name = selector.get("Name")
                        if name is None:
                            raise ProtocolError("a reference from the host has a selector without a Name")
                        inner = _first_element(selector)
                        if inner is not None and inner.tag == A_ENDPOINT_REFERENCE:
                            selectors.append((name, decode_epr(inner)))
                        else:
                            selectors.append((name, selector.text or ""))
    if not resource_uri:
        raise ProtocolError("a reference from the host has no ResourceURI")
    return EPR(resource_uri, selectors, address)


def decode_item(
    item: etree._Element, schema: ClassSchema | None, fragment_class: str = "", fragment_uri: str = ""
) -> CimInstance | None:
    """One child of ``w:Items``/``n:Items`` in any enumeration mode -> CimInstance (None for junk)."""
    tag = item.tag
    if type(tag) is not str:
        return None
    if tag == A_ENDPOINT_REFERENCE:  # EnumerateEPR: the reference alone
        alone = decode_epr(item)
        return CimInstance(alone.class_name, alone.resource_uri, {}, epr=alone)
    if tag == W_ITEM:  # EnumerateObjectAndEPR: the instance, then its reference
        instance_element = None
        item_epr: EPR | None = None
        for child in item:
            ctag = child.tag
            if ctag == A_ENDPOINT_REFERENCE:
                item_epr = decode_epr(child)
            elif type(ctag) is str and instance_element is None:
                instance_element = child
        if instance_element is None:
            if item_epr is None:
                raise ProtocolError(
                    "an enumeration item from the host holds neither an instance nor a reference"
                )
            return CimInstance(item_epr.class_name, item_epr.resource_uri, {}, epr=item_epr)
        return decode_instance(
            instance_element, schema, fragment_class=fragment_class, fragment_uri=fragment_uri, epr=item_epr
        )
    return decode_instance(item, schema, fragment_class=fragment_class, fragment_uri=fragment_uri)
