"""WHERE trees bound to a class and compiled to predicates, once per query text and class.

Binding does what WMI checks before it runs a query ("WHERE Clause (WMI)", "WQL Operators"): every
name must be a property of the class or a system property ("WMI System Properties"); array
properties cannot be compared; booleans take only ``=``, ``<>`` and ``!=``; ISA tests a reference
(or ``__THIS``, the object itself) against a class and its subclasses ("ISA Operator for Data
Queries"). Each violation is WBEM_E_INVALID_QUERY. A predicate reads values through a getter,
``get(name)``, by the class's spelling of the name (system properties upper-case).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hvtui.sim.hierarchy import is_a
from hvtui.sim.render import Ref
from hvtui.sim.schema import CimClass
from hvtui.sim.wql.errors import WQLError
from hvtui.sim.wql.paths import ObjectPath
from hvtui.sim.wql.syntax import ORDERING, And, Compare, Condition, Const, Isa, IsNull, Like, Not, Or, Prop
from hvtui.sim.wql.values import compare, like_pattern, text_of

Getter = Callable[[str], Any]
Predicate = Callable[[Getter], bool]

SYSTEM_PROPERTIES = frozenset(
    {
        "__CLASS",
        "__DERIVATION",
        "__DYNASTY",
        "__GENUS",
        "__NAMESPACE",
        "__PATH",
        "__PROPERTY_COUNT",
        "__RELPATH",
        "__SERVER",
        "__SUPERCLASS",
    }
)
THIS = "__THIS"
_ARRAY_SYSTEM = frozenset({"__DERIVATION"})


def compile_where(where: Condition, cls: CimClass | None) -> Predicate:
    """A predicate for ``where``; with ``cls`` None names are taken as written, unchecked."""
    return _Binder(cls).compile(where)


class _Binder:
    def __init__(self, cls: CimClass | None) -> None:
        self.cls = cls

    def name(self, prop: Prop, *, compared: bool = False, ordered: bool = False, isa: bool = False) -> str:
        upper = prop.name.upper()
        if upper.startswith("__"):
            if upper == THIS and isa:
                return THIS
            if upper not in SYSTEM_PROPERTIES:
                raise WQLError(f"{prop.name} is not a system property")
            if compared and upper in _ARRAY_SYSTEM:
                raise WQLError(f"the array {upper} cannot be compared in WHERE")
            if isa:
                raise WQLError(f"ISA needs a reference property, not {upper}")
            return upper
        if self.cls is None:
            return prop.name
        found = self.cls.prop(prop.name)
        if found is None:
            raise WQLError(f"{self.cls.name} has no property {prop.name}")
        if compared and found.array:
            raise WQLError(f"the array property {found.name} cannot be compared in WHERE")
        if ordered and found.cim_type == "boolean":
            raise WQLError(f"the boolean {found.name} takes only =, <> and !=")
        if isa and found.cim_type != "ref":
            raise WQLError(f"ISA needs a reference property, not {found.name}")
        return found.name

    def compile(self, node: Condition) -> Predicate:
        if isinstance(node, And):
            parts = [self.compile(i) for i in node.items]
            return lambda get: all(p(get) for p in parts)
        if isinstance(node, Or):
            parts = [self.compile(i) for i in node.items]
            return lambda get: any(p(get) for p in parts)
        if isinstance(node, Not):
            inner = self.compile(node.item)
            return lambda get: not inner(get)
        if isinstance(node, Compare):
            return self.comparison(node)
        if isinstance(node, Like):
            name, regex, negated = (
                self.name(node.prop, compared=True),
                like_pattern(node.pattern),
                node.negated,
            )
            return lambda get: (
                (v := get(name)) is not None and (regex.fullmatch(text_of(v)) is not None) != negated
            )
        if isinstance(node, IsNull):
            name, negated = self.name(node.prop), node.negated
            return lambda get: (get(name) is None) != negated
        if isinstance(node, Isa):
            name, ancestor = self.name(node.prop, isa=True), node.class_name
            return lambda get: _isa(get(name), ancestor)
        raise TypeError(node)

    def comparison(self, node: Compare) -> Predicate:
        op, ordered = node.op, node.op in ORDERING
        left = self.name(node.left, compared=True, ordered=ordered)
        if isinstance(node.right, Const):
            value = node.right.value
            if ordered and isinstance(value, bool):
                raise WQLError("TRUE and FALSE take only =, <> and !=")
            return lambda get: compare(op, get(left), value)
        right = self.name(node.right, compared=True, ordered=ordered)
        return lambda get: compare(op, get(left), get(right))


def _isa(value: Any, ancestor: str) -> bool:
    if isinstance(value, Ref | ObjectPath):
        return is_a(value.class_name, ancestor)
    return False
