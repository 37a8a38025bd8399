"""The parsed forms of a WQL query: immutable, so one parse can be cached and shared.

A WHERE clause is a tree of :class:`Compare`, :class:`Like`, :class:`IsNull` and :class:`Isa`
leaves under :class:`And`, :class:`Or` and :class:`Not`. Either side of a comparison is a
:class:`Prop` or a :class:`Const` ("WHERE Clause (WMI)": property operator constant, constant
operator property; WMI also compares two properties).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hvtui.sim.wql.paths import ObjectPath

ORDERING = frozenset({"<", ">", "<=", ">="})
FLIPPED = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "<>": "<>"}


@dataclass(frozen=True, slots=True)
class Prop:
    """A property or system property, by the name the query wrote (or, once bound, the class's)."""

    name: str


@dataclass(frozen=True, slots=True)
class Const:
    value: Any  # str, int, float, bool or None


Operand = Prop | Const


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # = <> < > <= >= ("!=" is read as "<>")
    left: Prop  # the parser puts the property first, flipping the operator
    right: Operand


@dataclass(frozen=True, slots=True)
class Like:
    prop: Prop
    pattern: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class IsNull:
    prop: Prop
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Isa:
    prop: Prop
    class_name: str


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Condition, ...]


Condition = Compare | Like | IsNull | Isa | Not | And | Or


@dataclass(frozen=True, slots=True)
class Select:
    """ "SELECT Statement for Data Queries": ``props`` is None for ``*``."""

    class_name: str
    props: tuple[str, ...] | None
    where: Condition | None = None


@dataclass(frozen=True, slots=True)
class AssocQuery:
    """ "ASSOCIATORS OF Statement" (``references`` False) or "REFERENCES OF Statement" (True)."""

    references: bool
    source: ObjectPath
    assoc_class: str | None = None
    result_class: str | None = None
    role: str | None = None
    result_role: str | None = None
    required_qualifier: str | None = None
    required_assoc_qualifier: str | None = None
    class_defs_only: bool = False
    keys_only: bool = False
    schema_only: bool = False


Query = Select | AssocQuery
