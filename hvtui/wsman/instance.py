"""CIM instances as a caller reads them: properties typed by a schema on first read (or all at
once with ``typed()``), and instances embedded as CIM-XML text, which a host sends as strings.

Instances, their properties and the CIM-XML reader live together because each needs the
others: a property may hold an embedded instance, which is read into an instance with
properties of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from hvtui.wsman.cim import EPR, LazyValue
from hvtui.wsman.cimtime import CimTimeError
from hvtui.wsman.errors import ConfigurationError, ProtocolError
from hvtui.wsman.schema import CIM_TYPES, ClassSchema, PropertyType, ValueTypeError
from hvtui.wsman.xmlparse import parse_xml

_MISSING: Any = object()


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
            elif value is None:  # nil, of any type: most of a WinRM reply
                result[name] = None
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
            return instance_from_cim_xml(raw, ptype.embedded)
        return ptype.convert(raw)
    if isinstance(raw, LazyValue):
        return raw.value()
    if isinstance(raw, CimInstance) and ptype.embedded is not None and raw.schema is None:
        return raw.with_schema(ptype.embedded)
    return raw


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


def instance_from_cim_xml(text: str, schema: ClassSchema | None = None) -> CimInstance:
    """CIM-XML ``<INSTANCE CLASSNAME=…>`` text (an embedded object sent as a string) -> CimInstance."""
    root = parse_xml(text.encode("utf-8"), what="an embedded instance")
    if root.tag != "INSTANCE":
        raise ProtocolError(f"an embedded instance from the host starts with <{root.tag}>, not <INSTANCE>")
    class_name = root.get("CLASSNAME", "")
    raw: dict[str, Any] = {}
    declared: dict[str, str] = {}
    for prop in root:
        ptag = prop.tag
        name = prop.get("NAME")
        if name is None or type(ptag) is not str:
            continue
        cim_type = (prop.get("TYPE") or "").lower()
        if cim_type in CIM_TYPES:
            declared[name] = cim_type + ("[]" if ptag == "PROPERTY.ARRAY" else "")
        if ptag == "PROPERTY":
            value_element = prop.find("VALUE")
            raw[name] = None if value_element is None else (value_element.text or "")
        elif ptag == "PROPERTY.ARRAY":
            array = prop.find("VALUE.ARRAY")
            raw[name] = None if array is None else [v.text or "" for v in array.iterchildren("VALUE")]
        else:
            raw[name] = None
    typed = ClassSchema(class_name, declared)
    if schema is not None:
        typed = typed.merged(schema)
    return CimInstance(class_name, "", CimProperties(raw, typed, class_name))
