"""ASSOCIATORS OF and REFERENCES OF over every association class the simulator serves.

Generic by construction: an association instance is any instance of a class flagged as an
association, its roles are its reference properties (two or more), and nothing here names a
class, so an association added to the schema and the providers answers these queries as is.

"ASSOCIATORS OF Statement": the endpoints at the other roles of every association instance that
refers to the source, each returned once per association (no de-duplication); AssocClass and
ResultClass accept a class or any subclass; Role names the source's role, ResultRole the
endpoint's; RequiredQualifier / RequiredAssocQualifier filter endpoint / association classes.
"REFERENCES OF Statement": the association instances themselves (ResultClass and RequiredQualifier
apply to them). ClassDefsOnly answers with the classes of the result, KeysOnly with objects that
carry only their keys. "Schema Associations": with SchemaOnly, or a class path as the source, the
answer is the classes that can take part, from the reference classes in :mod:`hvtui.sim.hierarchy`.
Classes come back as objects with every property null.
"""

from __future__ import annotations

from collections.abc import Iterator

from hvtui.sim.hierarchy import is_a, qualifiers, reference_class
from hvtui.sim.instances import Instance, instances_of
from hvtui.sim.model import HostModel
from hvtui.sim.render import Ref
from hvtui.sim.schema import CLASSES, CimClass, find_class
from hvtui.sim.wql import AssocQuery, ObjectPath, WQLError
from hvtui.sim.wql.errors import WBEM_E_INVALID_CLASS

RefKey = tuple[str, frozenset[tuple[str, str]]]


def served_class(name: str, namespace: str) -> CimClass:
    """A served class of the namespace, or WBEM_E_INVALID_CLASS."""
    cls = find_class(name)
    if cls is None or cls.namespace != namespace:
        raise WQLError(f"class {name} does not exist in {namespace}", WBEM_E_INVALID_CLASS)
    return cls


def run_association(model: HostModel, q: AssocQuery, namespace: str) -> list[Instance]:
    source_cls = served_class(q.source.class_name, namespace)
    if q.source.namespace and q.source.namespace.replace("/", "\\").lower() != namespace.replace("/", "\\"):
        raise WQLError(f"{q.source.text()} is not in {namespace}", WBEM_E_INVALID_CLASS)
    assocs = _association_classes(q, namespace)
    if q.schema_only or q.source.is_class:
        return [Instance(c, {}) for c in _schema(q, source_cls, assocs, namespace)]
    source = _find(model, source_cls, q.source)
    if source is None:
        return []
    key = _key(source.ref())
    found = list(_references(model, q, assocs, key)) if q.references else _endpoints(model, q, assocs, key)
    if q.class_defs_only:
        classes = {i.cls.name: i.cls for i in found}
        return [Instance(c, {}) for c in classes.values()]
    if q.keys_only:
        return [Instance(i.cls, {k: i.values.get(k) for k in i.cls.keys}) for i in found]
    return found


def _association_classes(q: AssocQuery, namespace: str) -> list[CimClass]:
    wanted = q.assoc_class or (q.result_class if q.references else None)
    if q.assoc_class and not _known(q.assoc_class):
        raise WQLError(f"class {q.assoc_class} does not exist in {namespace}", WBEM_E_INVALID_CLASS)
    qualifier = q.required_qualifier if q.references else q.required_assoc_qualifier
    return [
        c
        for c in CLASSES.values()
        if c.association
        and c.namespace == namespace
        and (wanted is None or is_a(c.name, wanted))
        and (qualifier is None or qualifier.lower() in qualifiers(c))
    ]


def _known(name: str) -> bool:
    return find_class(name) is not None or any(is_a(c.name, name) for c in CLASSES.values())


def _key(ref: Ref) -> RefKey:
    return ref.class_name.lower(), frozenset((k.lower(), v.lower()) for k, v in ref.selectors)


def _find(model: HostModel, cls: CimClass, path: ObjectPath) -> Instance | None:
    for inst in instances_of(model, cls):
        if ObjectPath(cls.name, inst.selectors()).same(path):
            return inst
    return None


def _roles(inst: Instance) -> list[tuple[str, Ref]]:
    return [(k, v) for k, v in inst.values.items() if isinstance(v, Ref)]


def _references(model: HostModel, q: AssocQuery, assocs: list[CimClass], key: RefKey) -> Iterator[Instance]:
    for assoc in assocs:
        for inst in instances_of(model, assoc):
            if any(_key(v) == key and _role_ok(k, q.role) for k, v in _roles(inst)):
                yield inst


def _role_ok(role: str, wanted: str | None) -> bool:
    return wanted is None or role.lower() == wanted.lower()


def _endpoints(model: HostModel, q: AssocQuery, assocs: list[CimClass], key: RefKey) -> list[Instance]:
    targets: list[Ref] = []
    for assoc in assocs:
        for inst in instances_of(model, assoc):
            roles = _roles(inst)
            for role, ref in roles:
                if _key(ref) != key or not _role_ok(role, q.role):
                    continue
                targets.extend(
                    other
                    for other_role, other in roles
                    if other_role != role
                    and _role_ok(other_role, q.result_role)
                    and (q.result_class is None or is_a(other.class_name, q.result_class))
                )
    out: list[Instance] = []
    index: dict[str, dict[RefKey, Instance]] = {}
    for ref in targets:
        cls = find_class(ref.class_name)
        if cls is None or (q.required_qualifier and q.required_qualifier.lower() not in qualifiers(cls)):
            continue
        if cls.name not in index:
            index[cls.name] = {_key(i.ref()): i for i in instances_of(model, cls)}
        endpoint = index[cls.name].get(_key(ref))
        if endpoint is not None:
            out.append(endpoint)
    return out


def _schema(q: AssocQuery, source: CimClass, assocs: list[CimClass], namespace: str) -> list[CimClass]:
    found: list[CimClass] = []
    for assoc in assocs:
        roles = [p.name for p in assoc.props if p.cim_type == "ref"]
        declared = {r: reference_class(assoc, r) for r in roles}
        for role in roles:
            target = declared[role]
            if target is None or not is_a(source.name, target) or not _role_ok(role, q.role):
                continue
            if q.references:
                found.append(assoc)
                continue
            for other in roles:
                other_target = declared[other]
                if other == role or other_target is None or not _role_ok(other, q.result_role):
                    continue
                found.extend(
                    c
                    for c in CLASSES.values()
                    if c.namespace == namespace
                    and not c.association
                    and is_a(c.name, other_target)
                    and (q.result_class is None or is_a(c.name, q.result_class))
                    and (q.required_qualifier is None or q.required_qualifier.lower() in qualifiers(c))
                )
    return list(dict.fromkeys(found))
