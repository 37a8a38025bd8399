"""CIM property types that callers declare, and the conversion of text to typed values.

The protocol layer knows no WMI class: WinRM renders every value as text and a one-element
array exactly like a scalar, so only the caller knows that ``EnabledState`` is a uint16 and
``OperationalStatus`` a uint16 array. It says so with a :class:`ClassSchema`; without one,
values stay strings (date-times, references and embedded instances are typed anyway,
because their XML shape says what they are).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, Union, overload

from hvtui.wsman.cimtime import CimTimeError, parse_datetime, parse_dmtf, parse_interval

_INT_RANGES: dict[str, tuple[int, int]] = {
    "uint8": (0, 2**8 - 1),
    "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
    "sint8": (-(2**7), 2**7 - 1),
    "sint16": (-(2**15), 2**15 - 1),
    "sint32": (-(2**31), 2**31 - 1),
    "sint64": (-(2**63), 2**63 - 1),
}
# libvirt's generator spells signed types int8..int64; accept both.
_INT_RANGES.update({"int" + k[4:]: v for k, v in list(_INT_RANGES.items()) if k.startswith("sint")})

CIM_TYPES: frozenset[str] = frozenset(
    {"boolean", "string", "char16", "real32", "real64", "datetime", "reference", "instance", *_INT_RANGES}
)


_T = TypeVar("_T")


class ValueTypeError(ValueError):
    """Text that does not fit the declared CIM type."""


def _to_bool(text: str) -> bool:
    value = _BOOLS.get(text)
    if value is None:
        value = _BOOLS.get(text.strip().lower())
        if value is None:
            raise ValueTypeError(f"{text[:40]!r} is not a boolean")
    return value


_BOOLS = {"true": True, "false": False, "1": True, "0": False}


def _int_converter(cim_type: str) -> Callable[[str], int]:
    low, high = _INT_RANGES[cim_type]

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueTypeError(f"{text[:40]!r} is not a {cim_type}") from None
        if not low <= value <= high:
            raise ValueTypeError(f"{value} is out of range for {cim_type}")
        return value

    return convert


def _to_real(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueTypeError(f"{text[:40]!r} is not a real number") from None


def _to_datetime(text: str) -> Any:
    # A datetime property that came as plain text: a DMTF string (CIM-XML, some providers)
    # or an xs:dateTime / xs:duration.
    stripped = text.strip()
    try:
        if stripped[:1] == "P" or stripped[:2] == "-P":
            return parse_interval(stripped)
        if len(stripped) == 25 and stripped[14:15] == ".":
            return parse_dmtf(stripped)
        return parse_datetime(stripped)
    except CimTimeError as exc:
        raise ValueTypeError(str(exc)) from None


def _identity(text: str) -> str:
    return text


CONVERTERS: dict[str, Callable[[str], Any]] = {
    "boolean": _to_bool,
    "string": _identity,
    "char16": _identity,
    "reference": _identity,
    "instance": _identity,
    "real32": _to_real,
    "real64": _to_real,
    "datetime": _to_datetime,
    **{t: _int_converter(t) for t in _INT_RANGES},
}


@dataclass(frozen=True, slots=True)
class PropertyType:
    """The declared type of one property: a CIM type name, array-ness, and for embedded
    instances (``cim_type == "instance"``) optionally the embedded class's schema."""

    cim_type: str
    is_array: bool = False
    embedded: ClassSchema | None = None
    #: text -> value for this type, looked up once (it runs for every property read).
    convert: Callable[[str], Any] = field(init=False, repr=False, compare=False)
    #: A scalar whose text converts directly (not an array, not an embedded instance).
    scalar_text: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "convert", CONVERTERS[self.cim_type])
        object.__setattr__(self, "scalar_text", not self.is_array and self.cim_type != "instance")

    @property
    def spec(self) -> str:
        return self.cim_type + ("[]" if self.is_array else "")


TypeSpec = Union[str, PropertyType, "ClassSchema", list["ClassSchema"]]


def parse_type(spec: TypeSpec) -> PropertyType:
    """``"uint16"``, ``"uint16[]"``, ``"datetime"``, a ClassSchema (an embedded instance) or
    ``[ClassSchema]`` (an array of them) -> PropertyType."""
    if isinstance(spec, PropertyType):
        return spec
    if isinstance(spec, ClassSchema):
        return PropertyType("instance", False, spec)
    if isinstance(spec, list) and len(spec) == 1 and isinstance(spec[0], ClassSchema):
        return PropertyType("instance", True, spec[0])
    if not isinstance(spec, str):
        raise ValueError(f"{spec!r} is not a CIM type such as 'uint16' or 'string[]'")
    text = spec.strip()
    is_array = text.endswith("[]")
    name = text[:-2].strip().lower() if is_array else text.lower()
    if name not in CIM_TYPES:
        raise ValueError(f"{spec!r} is not a CIM type (known: {', '.join(sorted(CIM_TYPES))})")
    return PropertyType(name, is_array)


class ClassSchema(Mapping[str, PropertyType]):
    """Property name -> :class:`PropertyType` for one class, looked up case-insensitively
    (WMI property names are case-insensitive; WinRM writes them in their declared case).

    ``ClassSchema("Msvm_ComputerSystem", {"EnabledState": "uint16", "OperationalStatus": "uint16[]"})``
    """

    __slots__ = ("_folded", "_tags", "_types", "class_name")

    def __init__(self, class_name: str, properties: Mapping[str, TypeSpec] | None = None) -> None:
        self.class_name = class_name
        self._types: dict[str, PropertyType] = {}
        for name, spec in (properties or {}).items():
            try:
                self._types[name] = parse_type(spec)
            except ValueError as exc:
                raise ValueError(f"{class_name}.{name}: {exc}") from None
        self._folded = {name.lower(): t for name, t in self._types.items()}
        self._tags: tuple[str, ...] | None = None

    def __getitem__(self, name: str) -> PropertyType:
        found = self._types.get(name)
        if found is None:
            found = self._folded[name.lower()]
        return found

    @overload
    def get(self, name: str, /) -> PropertyType | None: ...
    @overload
    def get(self, name: str, default: PropertyType, /) -> PropertyType: ...
    @overload
    def get(self, name: str, default: _T, /) -> PropertyType | _T: ...

    def get(self, name: str, default: object = None, /) -> object:
        # Mapping.get, without its extra frame and try/except: it runs for every property read.
        found = self._types.get(name)
        if found is None:
            return self._folded.get(name.lower(), default)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._types)

    def declared(self) -> Iterable[tuple[str, PropertyType]]:
        """(name, type) of every property, as declared: ``items()`` without a lookup per name."""
        return self._types.items()

    def element_tags(self) -> tuple[str, ...]:
        """``{*}Name`` for every declared property: what lxml matches, in any namespace or
        none, to pick out only these children of an instance element."""
        if self._tags is None:
            self._tags = tuple(f"{{*}}{name}" for name in self._types)
        return self._tags

    def __len__(self) -> int:
        return len(self._types)

    def __repr__(self) -> str:
        return f"ClassSchema({self.class_name!r}, {len(self._types)} properties)"

    def merged(self, other: ClassSchema) -> ClassSchema:
        """A schema with this one's properties plus ``other``'s (other wins on a clash)."""
        merged = ClassSchema(self.class_name)
        merged._types = {**self._types, **other._types}
        merged._folded = {name.lower(): t for name, t in merged._types.items()}
        return merged
