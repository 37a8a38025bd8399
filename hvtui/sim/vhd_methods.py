"""Msvm_ImageManagementService methods: "GetVirtualHardDiskSettingData" and
"GetVirtualHardDiskState" (Path in; an embedded instance as a CIM-XML string out, 0), 32779 (File
not found) for a path that is not a file on the host (:mod:`hvtui.sim.vhd_create`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from hvtui.sim import soap_faults as faults
from hvtui.sim.cimxml import embedded_instance
from hvtui.sim.devices import Attached
from hvtui.sim.methods import Output
from hvtui.sim.model import OK, HostModel
from hvtui.sim.render import escape
from hvtui.sim.schema import find_class
from hvtui.sim.soap_request import child_any_ns, text_of
from hvtui.sim.vhd import disk_settings, disk_state
from hvtui.sim.vhd_create import find_file

FILE_NOT_FOUND = 32779


def _file(m: HostModel, body: etree._Element | None, machine: str) -> Attached | None:
    found = child_any_ns(body, "Path")
    path = text_of(found[0]) if found else None
    if not path:
        raise faults.invalid_parameter(machine, "Path is missing")
    return find_file(m, path)


def _embedded(class_name: str, name: str, values: dict[str, Any]) -> tuple[str, str]:
    cls = find_class(class_name)
    assert cls is not None
    return name, f"<p:{name}>{escape(embedded_instance(cls, values))}</p:{name}>"


def get_settings(m: HostModel, body: etree._Element | None, machine: str) -> Output:
    attached = _file(m, body, machine)
    if attached is None:
        return Output(FILE_NOT_FOUND)
    return Output(OK, [_embedded("Msvm_VirtualHardDiskSettingData", "SettingData", disk_settings(attached))])


def get_state(m: HostModel, body: etree._Element | None, machine: str) -> Output:
    attached = _file(m, body, machine)
    if attached is None:
        return Output(FILE_NOT_FOUND)
    return Output(OK, [_embedded("Msvm_VirtualHardDiskState", "State", disk_state(m, attached))])


METHODS: dict[str, Callable[[HostModel, etree._Element | None, str], Output]] = {
    "getvirtualharddisksettingdata": get_settings,
    "getvirtualharddiskstate": get_state,
}
