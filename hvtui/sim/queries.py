"""Running WQL against a host: SELECT with its system properties; the association statements
are :mod:`hvtui.sim.associations`.

A query is parsed once per text and bound once per class (both cached), so the thousands of
enumerations a second the benchmarks send cost one dictionary look-up each before the scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hvtui.sim.associations import run_association, served_class
from hvtui.sim.hierarchy import derivation
from hvtui.sim.instances import Instance, instances_of
from hvtui.sim.model import HostModel
from hvtui.sim.schema import CimClass
from hvtui.sim.wql import SYSTEM_PROPERTIES, ObjectPath, Select, WQLError, compile_where, parse
from hvtui.sim.wql.evaluate import THIS, Predicate


@dataclass
class Result:
    """The objects a query selected, and the property list (None for ``*``)."""

    items: list[Instance]
    props: list[str] | None = None


def instance_path(inst: Instance, server: str | None) -> ObjectPath:
    """``__PATH`` (with ``server``) or ``__RELPATH`` (without) of an instance."""
    if not server:
        return ObjectPath(inst.cls.name, inst.selectors())
    return ObjectPath(inst.cls.name, inst.selectors(), server, inst.cls.namespace.replace("/", "\\"))


def system_value(inst: Instance, name: str, server: str) -> Any:
    """A system property ("WMI System Properties") by its upper-case name; paths as ObjectPath."""
    cls = inst.cls
    if name == "__CLASS":
        return cls.name
    if name == "__SERVER":
        return server
    if name == "__NAMESPACE":
        return cls.namespace.replace("/", "\\")
    if name == "__GENUS":
        return 2  # an instance; 1 is a class
    if name == "__PATH":
        return instance_path(inst, server)
    if name == "__RELPATH":
        return instance_path(inst, None)
    if name == "__DERIVATION":
        return list(derivation(cls.name))
    if name == "__SUPERCLASS":
        return next(iter(derivation(cls.name)), None)
    if name == "__DYNASTY":
        return (derivation(cls.name) or (cls.name,))[-1]
    if name == "__PROPERTY_COUNT":
        return len(cls.props)
    if name == THIS:
        return inst.ref()
    raise KeyError(name)


def with_system_props(inst: Instance, props: list[str], server: str) -> dict[str, Any]:
    """Values for a property-list rendering, system properties included when selected."""
    values = dict(inst.values)
    for p in props:
        if p in SYSTEM_PROPERTIES:
            value = system_value(inst, p, server)
            values[p] = value.text() if isinstance(value, ObjectPath) else value
    return values


def getter(inst: Instance, server: str) -> Any:
    """``get(name)`` over one instance, for a compiled WHERE predicate."""
    values = inst.values

    def get(name: str) -> Any:
        if name.startswith("__"):
            return system_value(inst, name, server)
        return values.get(name)

    return get


def run(model: HostModel, text: str, namespace: str) -> Result:
    """Run a WQL query in a namespace ("root/virtualization/v2" or "root/cimv2")."""
    query = parse(text)
    if isinstance(query, Select):
        return _select(model, query, namespace)
    return Result(run_association(model, query, namespace))


@lru_cache(maxsize=512)
def _select_plan(query: Select, namespace: str) -> tuple[CimClass, list[str] | None, Predicate | None]:
    cls = served_class(query.class_name, namespace)
    props: list[str] | None = None
    if query.props is not None:
        props = []
        for name in query.props:
            if name.upper() in SYSTEM_PROPERTIES:
                props.append(name.upper())
                continue
            prop = cls.prop(name)
            if prop is None:
                raise WQLError(f"{cls.name} has no property {name}")
            props.append(prop.name)
    where = compile_where(query.where, cls) if query.where is not None else None
    return cls, props, where


def _select(model: HostModel, query: Select, namespace: str) -> Result:
    cls, props, where = _select_plan(query, namespace)
    items = instances_of(model, cls)
    if where is not None:
        server = model.spec.name
        items = [i for i in items if where(getter(i, server))]
    return Result(items, None if props is None else list(props))
