"""Instances passed *into* a method as CIM-XML text, as Hyper-V's settings methods take them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hvtui.wsman import xmlwrite
from hvtui.wsman.cim import EPR
from hvtui.wsman.cimtime import CimTimeError, format_dmtf
from hvtui.wsman.errors import ConfigurationError
from hvtui.wsman.instance import CimInstance
from hvtui.wsman.schema import ClassSchema, PropertyType, parse_type

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
