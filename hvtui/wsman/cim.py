"""The CIM objects a caller gets back and passes in: instances, references, embedded
instances, method results, and the Identify answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hvtui import namespaces as ns
from hvtui.wsman import xmlwrite
from hvtui.wsman.cimtime import CimTimeError, format_dmtf
from hvtui.wsman.cimtime import decode as decode_time
from hvtui.wsman.errors import ConfigurationError, ProtocolError
from hvtui.wsman.schema import ClassSchema, PropertyType, ValueTypeError, parse_type

_MISSING: Any = object()


class EPR:
    """A WS-Addressing endpoint reference to one CIM instance (a WMI REF).

    ``EPR(resource_uri, {"CreationClassName": "Msvm_ComputerSystem", "Name": guid})``. Selector
    lookups are case-insensitive, as WinRM treats them.
    """

    __slots__ = ("_selectors", "address", "resource_uri")

    def __init__(
        self,
        resource_uri: str,
        selectors: Mapping[str, str | EPR] | Iterable[tuple[str, str | EPR]] = (),
        address: str = ns.ANONYMOUS,
    ) -> None:
        self.resource_uri = resource_uri
        self.address = address
        items = selectors.items() if isinstance(selectors, Mapping) else selectors
        self._selectors: tuple[tuple[str, str | EPR], ...] = tuple(
            (str(k), v if isinstance(v, EPR) else str(v)) for k, v in items
        )

    @property
    def selectors(self) -> dict[str, str | EPR]:
        return dict(self._selectors)

    @property
    def class_name(self) -> str:
        """The class the reference points at: the last segment of its resource URI."""
        return self.resource_uri.rstrip("/").rsplit("/", 1)[-1]

    def selector(self, name: str, default: Any = None) -> Any:
        folded = name.lower()
        for key, value in self._selectors:
            if key.lower() == folded:
                return value
        return default

    def render(self, element: str, namespace_declarations: bool = True) -> str:
        """This reference as an Invoke parameter or property element named ``element``
        (e.g. ``p:AffectedSystem``), the way WinRM and libvirt write it."""
        decl = f' xmlns:a="{ns.ADDRESSING}" xmlns:w="{ns.WSMAN}"' if namespace_declarations else ""
        return f"<{element}{decl}>{self.render_body()}</{element}>"

    def render_body(self) -> str:
        """``<a:Address>…</a:Address><a:ReferenceParameters>…`` (prefixes a and w in scope)."""
        return (
            f"<a:Address>{xmlwrite.text(self.address, 'an EPR address')}</a:Address>"
            f"<a:ReferenceParameters><w:ResourceURI>{xmlwrite.text(self.resource_uri, 'a resource URI')}"
            f"</w:ResourceURI>{render_selector_set(self._selectors)}</a:ReferenceParameters>"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EPR):
            return NotImplemented
        return (
            self.resource_uri == other.resource_uri
            and self.address == other.address
            and {k.lower(): v for k, v in self._selectors} == {k.lower(): v for k, v in other._selectors}
        )

    def __hash__(self) -> int:
        return hash((self.resource_uri, frozenset((k.lower(), v) for k, v in self._selectors)))

    def __repr__(self) -> str:
        sel = ", ".join(f"{k}={v!r}" for k, v in self._selectors)
        return f"EPR({self.class_name}: {sel})"


def render_selector_set(selectors: Iterable[tuple[str, str | EPR]]) -> str:
    parts = []
    for name, value in selectors:
        body = (
            value.render("a:EndpointReference")
            if isinstance(value, EPR)
            else xmlwrite.text(value, "a selector")
        )
        parts.append(f'<w:Selector Name="{xmlwrite.attr(name, "a selector name")}">{body}</w:Selector>')
    return f"<w:SelectorSet>{''.join(parts)}</w:SelectorSet>" if parts else ""


class CimProperties(Mapping[str, Any]):
    """The properties of an instance, typed lazily: the text stays as it came until a
    property is read, then it is converted once (by the schema's type) and cached.

    Lookups fall back to a case-insensitive match, as WMI property names are.
    Reading a value that does not fit its declared type raises a ProtocolError naming it.
    """

    __slots__ = ("_class_name", "_folded", "_raw", "_schema", "_typed")

    def __init__(self, raw: dict[str, Any], schema: ClassSchema | None, class_name: str = "") -> None:
        self._raw = raw
        self._schema = schema
        self._typed: dict[str, Any] = {}
        self._folded: dict[str, str] | None = None
        self._class_name = class_name

    def __getitem__(self, name: str) -> Any:
        value = self._typed.get(name, _MISSING)
        if value is not _MISSING:
            return value
        raw = self._raw.get(name, _MISSING)
        key = name
        if raw is _MISSING:
            if self._folded is None:
                self._folded = {k.lower(): k for k in self._raw}
            key = self._folded.get(name.lower(), _MISSING)
            if key is _MISSING:
                raise KeyError(name)
            raw = self._raw[key]
        schema = self._schema
        ptype = schema.get(key) if schema is not None else None
        if type(raw) is str and ptype is not None and ptype.scalar_text:
            try:  # the common case, kept short: plain text of a scalar type
                value = ptype.convert(raw)
            except ValueTypeError as exc:
                raise self._malformed(key, exc) from None
        elif ptype is None and type(raw) is str:
            value = raw
        else:
            value = self._convert(key, raw, ptype)
        self._typed[name] = value
        return value

    def get(self, name: str, default: Any = None) -> Any:
        # Mapping.get would work, but through an extra frame and a try/except; the refresh
        # path reads a dozen properties of every VM this way.
        value = self._typed.get(name, _MISSING)
        if value is not _MISSING:
            return value
        try:
            return self[name]
        except KeyError:
            return default

    def _malformed(self, name: str, exc: Exception) -> ProtocolError:
        owner = f"{self._class_name}." if self._class_name else ""
        return ProtocolError(f"property {owner}{name} from the host is malformed: {exc}")

    def _convert(self, name: str, raw: Any, ptype: PropertyType | None) -> Any:
        try:
            return convert_raw(raw, ptype)
        except (ValueTypeError, CimTimeError) as exc:
            raise self._malformed(name, exc) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, name: object) -> bool:
        if name in self._raw:
            return True
        if not isinstance(name, str):
            return False
        if self._folded is None:
            self._folded = {k.lower(): k for k in self._raw}
        return name.lower() in self._folded

    def raw(self, name: str) -> Any:
        """The value as it came, before typing (text, None, or a list of them)."""
        return self._raw[name]

    def typed(self) -> dict[str, Any]:
        """Every property the schema declares and the instance carries, typed now.

        For a caller that reads a few known properties and wants a value that does not fit
        its type to fail here, in one place, as a ProtocolError -- not wherever it is first
        read. Keys are spelled as the schema spells them; properties it does not declare are
        left out (typing them would only cost, and fail on values nobody reads). Embedded
        instances become dicts of their own typed properties, so nothing lazy is left.
        Without a schema: every property, as it types without one.
        """
        schema = self._schema
        if schema is None:
            return {name: _settled(self[name]) for name in self._raw}
        raw = self._raw
        result: dict[str, Any] = {}
        for name, ptype in schema.declared():
            value = raw.get(name, _MISSING)
            if value is _MISSING:
                if self._folded is None:
                    self._folded = {k.lower(): k for k in raw}
                key = self._folded.get(name.lower())
                if key is None:
                    continue
                value = raw[key]
            if type(value) is str and ptype.scalar_text:
                try:  # the common case, kept short, as in __getitem__
                    result[name] = ptype.convert(value)
                except ValueTypeError as exc:
                    raise self._malformed(name, exc) from None
            else:
                result[name] = _settled(self._convert(name, value, ptype))
        return result

    def __repr__(self) -> str:
        return f"CimProperties({len(self._raw)} properties)"


def convert_raw(raw: Any, ptype: PropertyType | None) -> Any:
    """Type one raw value (text, None, a parsed complex value, or a list of them)."""
    if ptype is not None and type(raw) is str and ptype.scalar_text:
        return ptype.convert(raw)
    if raw is None:
        return None
    if type(raw) is list:
        if ptype is None:
            return [convert_raw(item, None) for item in raw]
        return [_convert_one(item, ptype) for item in raw]
    value = _convert_one(raw, ptype) if ptype is not None else _plain(raw)
    if ptype is not None and ptype.is_array:
        return [value]
    return value


def _settled(value: Any) -> Any:
    """A typed value with its embedded instances turned into dicts of typed properties."""
    if isinstance(value, CimInstance):
        return value.properties.typed()
    if type(value) is list:
        return [_settled(item) for item in value]
    return value


def _plain(raw: Any) -> Any:
    if type(raw) is str:
        return raw
    if isinstance(raw, LazyValue):
        return raw.value()
    return raw


def _convert_one(raw: Any, ptype: PropertyType) -> Any:
    if raw is None:
        return None
    if type(raw) is str:
        if ptype.cim_type == "instance" and raw.lstrip()[:9].upper() == "<INSTANCE":
            from hvtui.wsman.decode import instance_from_cim_xml

            return instance_from_cim_xml(raw, ptype.embedded)
        return ptype.convert(raw)
    if isinstance(raw, LazyValue):
        return raw.value()
    if isinstance(raw, CimInstance) and ptype.embedded is not None and raw.schema is None:
        return raw.with_schema(ptype.embedded)
    return raw


class LazyValue:
    """A date-time or interval child element, kept as text until it is read."""

    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind
        self.text = text

    def value(self) -> Any:
        return decode_time(self.kind, self.text)

    def __repr__(self) -> str:
        return f"<{self.kind} {self.text!r}>"


class CimInstance:
    """One CIM instance: ``class_name``, ``resource_uri`` (its class URI), ``properties``
    (a mapping, typed lazily by ``schema``), ``epr`` (when the enumeration asked for
    references) and ``is_fragment`` (a WQL property-list reply, ``w:XmlFragment``).

    ``instance["EnabledState"]``, ``instance.get("Notes")`` and ``"Name" in instance`` work
    on the properties directly.
    """

    __slots__ = ("class_name", "epr", "is_fragment", "properties", "resource_uri")

    def __init__(
        self,
        class_name: str,
        resource_uri: str,
        properties: Mapping[str, Any] | None = None,
        *,
        epr: EPR | None = None,
        is_fragment: bool = False,
        schema: ClassSchema | None = None,
    ) -> None:
        self.class_name = class_name
        self.resource_uri = resource_uri
        if isinstance(properties, CimProperties):
            self.properties: CimProperties = properties
        else:
            self.properties = CimProperties(dict(properties or {}), schema, class_name)
        self.epr = epr
        self.is_fragment = is_fragment

    @property
    def schema(self) -> ClassSchema | None:
        return self.properties._schema

    def with_schema(self, schema: ClassSchema | None) -> CimInstance:
        """The same instance typed by another schema."""
        return CimInstance(
            self.class_name,
            self.resource_uri,
            CimProperties(self.properties._raw, schema, self.class_name),
            epr=self.epr,
            is_fragment=self.is_fragment,
        )

    def __getitem__(self, name: str) -> Any:
        return self.properties[name]

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self.properties[name]
        except KeyError:
            return default

    def __contains__(self, name: object) -> bool:
        return name in self.properties

    def to_dict(self) -> dict[str, Any]:
        """Every property, typed."""
        return {name: self.properties[name] for name in self.properties}

    def make_epr(self, keys: Iterable[str]) -> EPR:
        """A reference to this instance built from its key properties (no round trip)."""
        selectors = []
        for key in keys:
            value = self.get(key)
            if value is None:
                raise ConfigurationError(
                    f"{self.class_name} has no value for key {key!r}: cannot reference it"
                )
            selectors.append((key, value if isinstance(value, EPR) else _selector_text(value)))
        return EPR(self.resource_uri, selectors)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CimInstance):
            return NotImplemented
        return (
            self.class_name == other.class_name
            and self.resource_uri == other.resource_uri
            and self.epr == other.epr
            and self.to_dict() == other.to_dict()
        )

    # Unhashable on purpose: equal by content, which a caller could build differently. mypy
    # knows __hash__ only as a method, not as the None that says so.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        kind = " fragment" if self.is_fragment else ""
        ref = f" {self.epr!r}" if self.epr is not None else ""
        return f"<CimInstance{kind} {self.class_name} ({len(self.properties)} properties){ref}>"


def _selector_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_CIM_XML_TYPES = {
    bool: "boolean",
    str: "string",
    float: "real64",
    datetime: "datetime",
    timedelta: "datetime",
}


@dataclass(frozen=True)
class EmbeddedInstance:
    """An instance passed *into* a method as CIM-XML text (``<INSTANCE CLASSNAME=…>``), as
    Hyper-V's ModifySystemSettings, DefineSystem and ModifyResourceSettings expect.

    ``types`` gives each property's CIM type (``"uint16"``, ``"string[]"``…) or is a
    ClassSchema; strings, booleans, floats and date-times can be inferred, integers cannot
    (uint16 and sint64 would be written alike but mean different things to WMI).
    A None value is written as an explicit NULL property.
    """

    class_name: str
    properties: Mapping[str, Any]
    types: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_instance(
        cls, instance: CimInstance, schema: ClassSchema, changes: Mapping[str, Any] | None = None
    ) -> EmbeddedInstance:
        """The properties of ``instance`` that ``schema`` declares, with ``changes`` applied."""
        props = {name: instance.get(name) for name in schema if name in instance}
        props.update(changes or {})
        return cls(instance.class_name, props, schema)

    def to_cim_xml(self) -> str:
        parts = [f'<INSTANCE CLASSNAME="{xmlwrite.attr(self.class_name, "a class name")}">']
        for name, value in self.properties.items():
            ptype = self._type_of(name, value)
            attrs = f'NAME="{xmlwrite.attr(name, "a property name")}" TYPE="{ptype.cim_type}"'
            if ptype.is_array or isinstance(value, list | tuple):
                if value is None:
                    parts.append(f"<PROPERTY.ARRAY {attrs}></PROPERTY.ARRAY>")
                    continue
                items = value if isinstance(value, list | tuple) else [value]
                values = "".join(f"<VALUE>{self._text(name, v)}</VALUE>" for v in items if v is not None)
                parts.append(f"<PROPERTY.ARRAY {attrs}><VALUE.ARRAY>{values}</VALUE.ARRAY></PROPERTY.ARRAY>")
            elif value is None:
                parts.append(f"<PROPERTY {attrs}></PROPERTY>")
            else:
                parts.append(f"<PROPERTY {attrs}><VALUE>{self._text(name, value)}</VALUE></PROPERTY>")
        parts.append("</INSTANCE>")
        return "".join(parts)

    def _type_of(self, name: str, value: Any) -> PropertyType:
        spec = self.types.get(name) if self.types else None
        if spec is not None:
            try:
                return parse_type(spec)
            except ValueError as exc:
                raise ConfigurationError(f"{self.class_name}.{name}: {exc}") from None
        sample = value[0] if isinstance(value, list | tuple) and value else value
        inferred = _CIM_XML_TYPES.get(type(sample))
        if inferred is None:
            raise ConfigurationError(
                f"{self.class_name}.{name}: give its CIM type (e.g. 'uint16') in types; "
                f"it cannot be inferred from {type(sample).__name__}"
            )
        return PropertyType(inferred, isinstance(value, list | tuple))

    def _text(self, name: str, value: Any) -> str:
        if isinstance(value, EPR | CimInstance):
            raise ConfigurationError(
                f"{self.class_name}.{name}: a reference or instance cannot go into an embedded instance; "
                "pass the WMI object path as a string"
            )
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, datetime | timedelta):
            try:
                return format_dmtf(value)
            except CimTimeError as exc:
                raise ConfigurationError(f"{self.class_name}.{name}: {exc}") from None
        return xmlwrite.text(str(value), f"{self.class_name}.{name}")


@dataclass(frozen=True)
class InvokeResult:
    """What a method returned: ``return_value`` (an int for the usual uint32), the typed
    ``outputs`` (every ``_OUTPUT`` child, ReturnValue included) and ``job``, the Job
    reference a 4096 ("transition started") comes with. ``reply_bytes`` is the size of the
    SOAP reply it came in, measured on the reply itself, for callers that size batches."""

    return_value: Any
    outputs: Mapping[str, Any]
    job: EPR | None = None
    method: str = ""
    reply_bytes: int = 0


_PRODUCT_VERSION = re.compile(
    r"OS:\s*(?P<os>[\d.]+)(?:\s+SP:\s*(?P<sp>[\d.]+))?(?:\s+Stack:\s*(?P<stack>[\d.]+))?"
)


@dataclass(frozen=True)
class IdentifyResult:
    """The answer to ``wsmid:Identify``: protocol version, vendor, and the product version
    string WinRM sends, e.g. ``"OS: 10.0.20348 SP: 0.0 Stack: 3.0"``."""

    protocol_version: str = ""
    product_vendor: str = ""
    product_version: str = ""
    security_profiles: tuple[str, ...] = ()

    @property
    def os_version(self) -> str | None:
        """``"10.0.20348"`` from the product version, when it has that form."""
        match = _PRODUCT_VERSION.search(self.product_version)
        return match.group("os") if match else None

    @property
    def stack_version(self) -> str | None:
        match = _PRODUCT_VERSION.search(self.product_version)
        return match.group("stack") if match else None
