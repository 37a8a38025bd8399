"""Defining and destroying VMs: "DefineSystem method of the Msvm_VirtualSystemManagementService
class" and "DestroySystem".

DefineSystem takes the VM's Msvm_VirtualSystemSettingData as embedded CIM-XML (ElementName,
VirtualSystemSubType ``Microsoft:Hyper-V:SubType:1|2`` — generation 1 when not given, as WMI
defaults — Notes, AutomaticStartupAction, SecureBootEnabled) and, in ResourceSettings, its
Msvm_ProcessorSettingData and Msvm_MemorySettingData (devices are added afterwards with
AddResourceSettings, because they hang off controllers that exist only once the VM does).
It answers 4096 with the job and ResultingSystem; the VM exists unless the job fails. A name
another VM has is allowed, as on Windows; memory that is not a multiple of 2 MiB, more vCPUs
than the host has logical processors, or a class it does not take are 32773.

DestroySystem(AffectedSystem) answers 4096 for a VM that is off or saved, 32775 for one that
runs, is paused or is changing state. The VM's disk files stay on the host, as Windows leaves them.
"""

from __future__ import annotations

import random
import uuid
import weakref

from lxml import etree

from hvtui.sim import soap_faults as faults
from hvtui.sim.devices import forget_devices, hardware_of
from hvtui.sim.guest import forget_guest_items
from hvtui.sim.hardware import GuestSpec, Hardware
from hvtui.sim.inventory import OFF, SAVED, VMSpec
from hvtui.sim.methods import (
    Output,
    embedded_param,
    instance_param,
    job_param,
    num_prop,
    prop,
    ref_param,
    selector_values,
)
from hvtui.sim.model import INVALID_PARAMETER, INVALID_STATE, STARTED, HostModel
from hvtui.sim.refs import class_ref
from hvtui.sim.soap_request import child_any_ns, q
from hvtui.sim.vhd_create import loose_files

_rngs: weakref.WeakKeyDictionary[HostModel, random.Random] = weakref.WeakKeyDictionary()
_SUBTYPE = "microsoft:hyper-v:subtype:"


def _new_guid(m: HostModel) -> str:
    rng = _rngs.setdefault(m, random.Random(f"hvtui-sim-define:{m.seed}:{m.spec.name}"))
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in ("true", "1")


def _generation(props: dict[str, str | list[str]]) -> int | None:
    subtype = str(prop(props, "VirtualSystemSubType") or "").lower()
    if not subtype:
        return 1
    if subtype.startswith(_SUBTYPE) and subtype[len(_SUBTYPE) :] in ("1", "2"):
        return int(subtype[len(_SUBTYPE) :])
    return None


def _apply_resources(m: HostModel, spec: VMSpec, els: list[etree._Element], machine: str) -> bool:
    """Processor and memory settings into ``spec``; False for anything Hyper-V would refuse."""
    logical = m.spec.sockets * m.spec.cores * m.spec.threads_per_core
    for el in els:
        if el.get(q("http://www.w3.org/2001/XMLSchema-instance", "nil")) == "true":
            continue
        cls_name, props = embedded_param(el, machine)
        kind = cls_name.lower()
        if kind == "msvm_processorsettingdata":
            vcpus = num_prop(props, "VirtualQuantity", machine)
            if vcpus is not None:
                if not 1 <= vcpus <= logical:
                    return False
                spec.vcpus = vcpus
        elif kind == "msvm_memorysettingdata":
            qty = num_prop(props, "VirtualQuantity", machine) or spec.memory_mb
            dynamic = _truthy(prop(props, "DynamicMemoryEnabled") or "false")
            low = num_prop(props, "Reservation", machine) if dynamic else qty
            high = num_prop(props, "Limit", machine) if dynamic else qty
            low, high = low or qty, high or qty
            if any(v % 2 or v < 32 for v in (qty, low, high)) or not low <= qty <= high <= m.spec.memory_mb:
                return False
            spec.memory_mb, spec.min_mb, spec.max_mb, spec.dynamic = qty, low, high, dynamic
        else:
            return False
    return True


def define_system(m: HostModel, body: etree._Element | None, machine: str) -> Output:
    props = instance_param(body, "SystemSettings", "Msvm_VirtualSystemSettingData", machine)
    generation = _generation(props) if props is not None else None
    if props is None or generation is None:
        return Output(INVALID_PARAMETER)
    name = str(prop(props, "ElementName") or "New Virtual Machine").strip()
    autostart = num_prop(props, "AutomaticStartupAction", machine)
    if not name or (autostart is not None and autostart not in (2, 3, 4)):
        return Output(INVALID_PARAMETER)
    secure = prop(props, "SecureBootEnabled")
    notes = prop(props, "Notes")
    guid = _new_guid(m)
    spec = VMSpec(
        name=name,
        guid=guid,
        vcpus=1,
        memory_mb=1024,
        min_mb=1024,
        max_mb=1024,
        generation=generation,
        version=m.spec.release.config_version,
        notes="\n".join(notes) if isinstance(notes, list) else str(notes or ""),
        autostart=autostart or 3,
        shutdown_service=False,  # no guest OS yet
        created=m.clock.wall(m.now()),
        load_seed=random.Random(guid).getrandbits(32),
        hardware=Hardware(
            disks=[],
            dvds=[],
            nics=[],
            com_ports=["", ""],
            guest=GuestSpec(fqdn=name, os_name="", os_version="0.0.0", build="0"),
        ),
        secure_boot=None if secure is None or generation == 1 else _truthy(secure),
    )
    if not _apply_resources(m, spec, child_any_ns(body, "ResourceSettings"), machine):
        return Output(INVALID_PARAMETER)
    job = m.change_job(None, "Define Virtual Machine")
    if not job.fail:
        m.add_vm(spec)
        hardware_of(m)[guid] = spec.hardware
        job.vm_guid = guid
        forget_devices(m)
        forget_guest_items(m)
    system = class_ref("Msvm_ComputerSystem", CreationClassName="Msvm_ComputerSystem", Name=guid)
    return Output(STARTED, [ref_param("ResultingSystem", system), *job_param(job)])


def destroy_system(m: HostModel, body: etree._Element | None, machine: str) -> Output:
    els = child_any_ns(body, "AffectedSystem")
    if not els:
        raise faults.invalid_parameter(machine, "AffectedSystem is missing")
    keys = {k.lower(): v for k, v in selector_values(els[0]).items()}
    vm = m.vms.get(keys.get("name", "").upper())
    if vm is None:
        return Output(INVALID_PARAMETER)
    if vm.transition is not None or vm.state not in (OFF, SAVED):
        return Output(INVALID_STATE)
    job = m.change_job(vm.guid, "Destroy Virtual Machine")
    if not job.fail:
        for disk in vm.spec.hardware.disks or []:
            if disk.path:
                disk.slot = None
                loose_files(m)[disk.path.lower()] = disk
        del m.vms[vm.guid]
        hardware_of(m).pop(vm.guid, None)
        forget_devices(m)
        forget_guest_items(m)
    return Output(STARTED, job_param(job))
