"""Running WQL against a host: instance selection, system properties, associations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hvtui.sim.instances import Instance, instances_of
from hvtui.sim.model import HostModel
from hvtui.sim.render import Ref
from hvtui.sim.schema import CLASSES, CimClass, find_class
from hvtui.sim.wql import Associators, Select, WQLError, parse, ref_path

SYSTEM_PROPS = ("__CLASS", "__GENUS", "__NAMESPACE", "__PATH", "__RELPATH", "__SERVER")


@dataclass
class Result:
    """The instances a query selected, and the property list (None for ``*``)."""

    items: list[Instance]
    props: list[str] | None = None


def system_value(inst: Instance, name: str, server: str) -> Any:
    upper = name.upper()
    if upper == "__CLASS":
        return inst.cls.name
    if upper == "__SERVER":
        return server
    if upper == "__NAMESPACE":
        return inst.cls.namespace.replace("/", "\\")
    if upper == "__GENUS":
        return 2
    if upper == "__PATH":
        return ref_path(inst.ref(), server, inst.cls.namespace)
    if upper == "__RELPATH":
        return ref_path(inst.ref(), "")
    raise KeyError(name)


def with_system_props(inst: Instance, props: list[str], server: str) -> dict[str, Any]:
    """Values for a property-list rendering, system properties included when selected."""
    values = dict(inst.values)
    for p in props:
        if p.upper() in SYSTEM_PROPS:
            values[p] = system_value(inst, p, server)
    return values


def _getter(inst: Instance, server: str) -> Any:
    def get(name: str) -> tuple[bool, Any]:
        if name.upper() in SYSTEM_PROPS:
            return True, system_value(inst, name, server)
        prop = inst.cls.prop(name)
        if prop is None:
            return False, None
        return True, inst.values.get(prop.name)

    return get


def run(model: HostModel, text: str, namespace: str) -> Result:
    """Run a WQL query in a namespace ("root/virtualization/v2" or "root/cimv2")."""
    query = parse(text)
    if isinstance(query, Select):
        return _select(model, query, namespace)
    return _associators(model, query, namespace)


def _class_in(name: str, namespace: str) -> CimClass:
    cls = find_class(name)
    if cls is None or cls.namespace != namespace:
        raise WQLError(f"class {name} does not exist in {namespace}", kind="class")
    return cls


def _select(model: HostModel, q: Select, namespace: str) -> Result:
    cls = _class_in(q.class_name, namespace)
    props: list[str] | None = None
    if q.props is not None:
        props = []
        for name in q.props:
            if name.upper() in SYSTEM_PROPS:
                props.append(name.upper())
                continue
            prop = cls.prop(name)
            if prop is None:
                raise WQLError(f"{cls.name} has no property {name}")
            props.append(prop.name)
    items = instances_of(model, cls)
    if q.where is not None:
        server = model.spec.name
        items = [i for i in items if q.where.eval(_getter(i, server))]
    return Result(items, props)


def _same(ref: Ref, inst: Instance) -> bool:
    if ref.class_name.lower() != inst.cls.name.lower():
        return False
    return all(str(inst.values.get(k, "")).lower() == v.lower() for k, v in ref.selectors)


def find_instance(model: HostModel, cls: CimClass, keys: dict[str, str]) -> Instance | None:
    for inst in instances_of(model, cls):
        if inst.key_matches(keys):
            return inst
    return None


def _associators(model: HostModel, q: Associators, namespace: str) -> Result:
    src_cls = _class_in(q.class_name, namespace)
    source = find_instance(model, src_cls, q.keys)
    if source is None:
        return Result([])
    if q.assoc_class is not None:
        assoc = find_class(q.assoc_class)
        if assoc is None or not assoc.association:
            raise WQLError(f"{q.assoc_class} is not an association class", kind="class")
        assocs = [assoc]
    else:
        assocs = [c for c in CLASSES.values() if c.association and c.namespace == src_cls.namespace]
    if q.kind == "references":
        out: list[Instance] = []
        for a in assocs:
            if q.result_class and a.name.lower() != q.result_class.lower():
                continue
            for inst in instances_of(model, a):
                roles = [k for k, v in inst.values.items() if isinstance(v, Ref) and _same(v, source)]
                if roles and (q.role is None or q.role.lower() in (r.lower() for r in roles)):
                    out.append(inst)
        return Result(out)
    targets: list[Ref] = []
    for a in assocs:
        for inst in instances_of(model, a):
            refs = {k: v for k, v in inst.values.items() if isinstance(v, Ref)}
            src_roles = [k for k, v in refs.items() if _same(v, source)]
            if not src_roles or (q.role and q.role.lower() not in (r.lower() for r in src_roles)):
                continue
            for k, v in refs.items():
                if k in src_roles or (q.result_role and k.lower() != q.result_role.lower()):
                    continue
                if q.result_class and v.class_name.lower() != q.result_class.lower():
                    continue
                if v not in targets:
                    targets.append(v)
    out = []
    for ref in targets:
        cls = find_class(ref.class_name)
        if cls is None:
            continue
        inst = find_instance(model, cls, dict(ref.selectors))
        if inst is not None:
            out.append(inst)
    return Result(out)
