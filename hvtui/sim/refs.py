"""References and object paths to served instances, as associations and Windows write them."""

from __future__ import annotations

from hvtui.sim.render import Ref
from hvtui.sim.schema import find_class
from hvtui.sim.wql.paths import ObjectPath


def class_ref(cls_name: str, **keys: str) -> Ref:
    """A reference to an instance of a served class, its keys in the class's key order."""
    cls = find_class(cls_name)
    assert cls is not None, cls_name
    return Ref(cls.uri, tuple((k, keys[k]) for k in cls.keys))


def setting_ref(cls_name: str, instance_id: str) -> Ref:
    return class_ref(cls_name, InstanceID=instance_id)


def object_path(server: str, ref: Ref, namespace: str = "root\\virtualization\\v2") -> str:
    """``__PATH`` text, as Windows writes it into Parent and HostResource:
    ``\\\\HOST\\root\\virtualization\\v2:Class.Key="value"`` with backslashes doubled in values."""
    return ObjectPath(ref.class_name, ref.selectors, server, namespace).text()
