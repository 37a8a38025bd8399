"""``Msvm_VirtualSystemManagementService.GetVirtualSystemThumbnailImage``: a VM's screen, scaled.

TargetSystem is the VM's Msvm_VirtualSystemSettingData; WidthPixels and HeightPixels may be
anything from 1 to the head's current resolution (32773, "Invalid parameter", otherwise, and
for a setting that names no VM). ImageData comes back as WinRM writes an octet string: base64
in one element, RGB565 little-endian, exactly width × height × 2 bytes before encoding.
"""

from __future__ import annotations

import base64

from lxml import etree

from hvtui import namespaces as ns
from hvtui.sim import soap_faults as faults
from hvtui.sim.display import current_resolution, thumbnail
from hvtui.sim.methods import Output
from hvtui.sim.model import INVALID_PARAMETER, OK, HostModel
from hvtui.sim.soap_request import child_any_ns, q, text_of


def _target_instance_id(body: etree._Element | None) -> str:
    target = child_any_ns(body, "TargetSystem")
    if not target or target[0].get(q(ns.XSI, "nil")) == "true":
        return ""
    for selector in target[0].iter(q(ns.WSMAN, "Selector")):
        if (selector.get("Name") or "").lower() == "instanceid":
            return text_of(selector) or ""
    return ""


def _pixels(body: etree._Element | None, name: str, machine: str) -> int:
    els = child_any_ns(body, name)
    if not els:
        return 0
    try:
        return int(text_of(els[0]) or "")
    except ValueError:
        raise faults.invalid_parameter(machine, f"{name} must be a number") from None


def get_virtual_system_thumbnail_image(model: HostModel, body: etree._Element | None, machine: str) -> Output:
    instance_id = _target_instance_id(body)
    width, height = _pixels(body, "WidthPixels", machine), _pixels(body, "HeightPixels", machine)
    guid = instance_id.split(":", 1)[-1].upper() if instance_id.lower().startswith("microsoft:") else ""
    vm = model.vms.get(guid)
    if vm is None:
        return Output(INVALID_PARAMETER)
    max_w, max_h = current_resolution(model, vm)
    if not (1 <= width <= max_w and 1 <= height <= max_h):
        return Output(INVALID_PARAMETER)
    data = base64.b64encode(thumbnail(model, vm, width, height)).decode("ascii")
    return Output(OK, [("ImageData", f"<p:ImageData>{data}</p:ImageData>")])
