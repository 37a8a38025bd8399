"""The host's disk files, and making and resizing them: "CreateVirtualHardDisk method of the
Msvm_ImageManagementService class" and "ResizeVirtualHardDisk", both answered with 4096 and a job.

The simulated file system holds every file a VM uses (from the device table) and the files made
here or left behind when a VM was destroyed ("loose" files, as Windows keeps a deleted VM's
disks). Folders that exist: the host's default VHD folder, the template and ISO folders, and
the folder of any file. Windows reports what goes wrong with a file in the job, not in the return
value: a file that exists, a folder or parent that does not, shrinking below what the disk holds,
resizing a disk a running VM uses through IDE or as a VHD (only a VHDX on SCSI grows online).
``CIM_DataFile.Delete`` removes a loose file (0), refuses one a VM uses (15, sharing violation).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from lxml import etree

from hvtui.sim import soap_faults as faults
from hvtui.sim.devices import Attached, device_table
from hvtui.sim.hardware import DIFFERENCING, DYNAMIC, FIXED, GIB, DiskSpec
from hvtui.sim.hardware_seed import ISO_FOLDER, TEMPLATE_FOLDER, VHD_FOLDER
from hvtui.sim.inventory import OFF
from hvtui.sim.methods import Output, instance_param, job_param, num_prop, prop
from hvtui.sim.model import INVALID_PARAMETER, STARTED, HostModel
from hvtui.sim.soap_request import child_any_ns, text_of

_KINDS = {2: FIXED, 3: DYNAMIC, 4: DIFFERENCING}
_FORMATS = {2: ".vhd", 3: ".vhdx"}
_MAX_BYTES = {".vhd": 2040 * GIB, ".vhdx": 64 * 1024 * GIB}
SHARING_VIOLATION = 15

_loose: weakref.WeakKeyDictionary[HostModel, dict[str, DiskSpec]] = weakref.WeakKeyDictionary()


def loose_files(m: HostModel) -> dict[str, DiskSpec]:
    """Files on the host that no VM uses, by lower-case path."""
    return _loose.setdefault(m, {})


def find_file(m: HostModel, path: str) -> Attached | None:
    """A disk file on the host, used by VMs or not."""
    attached = device_table(m).files.get(path.lower())
    if attached is not None:
        return attached
    loose = loose_files(m).get(path.lower())
    return Attached(loose) if loose is not None else None


def _folder_exists(m: HostModel, path: str) -> bool:
    folder = path.rpartition("\\")[0].lower()
    known = {VHD_FOLDER.lower(), TEMPLATE_FOLDER.lower(), ISO_FOLDER.lower()}
    known |= {p.rpartition("\\")[0] for p in [*device_table(m).files, *loose_files(m)]}
    return folder in known


def _path_param(body: etree._Element | None, machine: str) -> str:
    found = child_any_ns(body, "Path")
    path = text_of(found[0]) if found else None
    if not path:
        raise faults.invalid_parameter(machine, "Path is missing")
    return path


_CAPTIONS = {"create": "Creating Virtual Hard Disk", "resize": "Resizing Virtual Hard Disk"}


def _failed(m: HostModel, verb: str, path: str, why: str) -> Output:
    """4096 and a job that fails saying why, as Windows reports a file it cannot make or change."""
    error = f"The system failed to {verb} '{path}': {why}"
    return Output(STARTED, job_param(m.change_job(None, _CAPTIONS[verb], error=error)))


def create_disk(m: HostModel, body: etree._Element | None, machine: str) -> Output:
    props = instance_param(body, "VirtualDiskSettingData", "Msvm_VirtualHardDiskSettingData", machine)
    if props is None:
        return Output(INVALID_PARAMETER)
    path = str(prop(props, "Path") or "")
    kind = _KINDS.get(num_prop(props, "Type", machine) or 0)
    ext = _FORMATS.get(num_prop(props, "Format", machine) or 0)
    size = num_prop(props, "MaxInternalSize", machine) or 0
    parent_path = str(prop(props, "ParentPath") or "")
    if not path or kind is None or ext is None or not path.lower().endswith(ext):
        return Output(INVALID_PARAMETER)
    if kind != DIFFERENCING and not 0 < size <= _MAX_BYTES[ext]:
        return Output(INVALID_PARAMETER)
    if find_file(m, path) is not None:
        return _failed(m, "create", path, "The file exists. (0x80070050)")
    if not _folder_exists(m, path):
        return _failed(m, "create", path, "The system cannot find the path specified.")
    parent = find_file(m, parent_path) if kind == DIFFERENCING else None
    if kind == DIFFERENCING:
        if parent is None:
            return _failed(m, "create", path, f"the parent '{parent_path}' was not found.")
        size = parent.disk.size_bytes
    job = m.change_job(None, _CAPTIONS["create"])
    if not job.fail:
        loose_files(m)[path.lower()] = DiskSpec(path, size, kind, parent_path or None, 0.0)
    return Output(STARTED, job_param(job))


def resize_disk(m: HostModel, body: etree._Element | None, machine: str) -> Output:
    path = _path_param(body, machine)
    found = child_any_ns(body, "MaxInternalSize")
    try:
        size = int(text_of(found[0]) or "") if found else 0
    except ValueError:
        raise faults.invalid_parameter(machine, "MaxInternalSize must be a number") from None
    attached = find_file(m, path)
    if attached is None:
        return _failed(m, "resize", path, "The system cannot find the file specified.")
    disk = attached.disk
    ext = ".vhdx" if disk.path.lower().endswith(".vhdx") else ".vhd"
    if size <= 0 or size > _MAX_BYTES[ext]:
        return Output(INVALID_PARAMETER)
    if size < int(disk.size_bytes * disk.used):
        return _failed(m, "resize", path, "the new size is smaller than the data it holds.")
    online = [g for g in attached.users if g in m.vms and (m.vms[g].state != OFF or m.vms[g].transition)]
    if online and (ext == ".vhd" or (disk.slot is not None and disk.slot[0].startswith("ide"))):
        return _failed(m, "resize", path, "it is in use by a running VM.")
    job = m.change_job(attached.users[0] if attached.users else None, _CAPTIONS["resize"])
    if not job.fail:
        disk.size_bytes = size
    return Output(STARTED, job_param(job))


def delete_file(m: HostModel, name: str, machine: str) -> Output:
    """CIM_DataFile.Delete of the file named (its Name, the lower-case full path)."""
    if name.lower() in device_table(m).files:
        return Output(SHARING_VIOLATION)
    if loose_files(m).pop(name.lower(), None) is None:
        raise faults.not_found(machine)
    return Output(0)


METHODS: dict[str, Callable[[HostModel, etree._Element | None, str], Output]] = {
    "createvirtualharddisk": create_disk,
    "resizevirtualharddisk": resize_disk,
}
