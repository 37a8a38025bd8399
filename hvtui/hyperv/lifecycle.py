"""Making and deleting VMs: a new VM from a plan (``hvtui create``, or a libvirt definition), and a
VM deleted with or without its disk files.

A new VM is several requests: DefineSystem, then for each disk a file (CreateVirtualHardDisk) and a
drive with the file in it, each DVD, each NIC and its connection, the COM ports' pipes. Each is
sent once and followed to its end; when one fails, the VM and the files made for it are removed
again (DestroySystem, CIM_DataFile.Delete) and the message says what failed and what is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hvtui.hyperv import queries
from hvtui.hyperv.device_layout import read_layout
from hvtui.hyperv.devices_edit import DeviceEditor, create_vhd
from hvtui.hyperv.errors import ActionFailed, ActionRefused, HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.lenient import as_text
from hvtui.hyperv.models import VM
from hvtui.hyperv.states import PowerState, VMState, decode_enabled_state
from hvtui.hyperv.vsms import delete_file, embedded, send, vm_ref

PROCESSOR_DEFAULT = "Microsoft:Definition\\b637f346-6a0e-4dec-af52-bd70cb80a21d\\Default"
MEMORY_DEFAULT = "Microsoft:Definition\\4764334d-e001-4176-82ee-5594ec9b530e\\Default"
_DELETABLE = {VMState.OFF, VMState.SAVED, VMState.FAST_SAVED}


@dataclass(frozen=True, slots=True)
class DiskPlan:
    """A new disk of ``size_gib`` (made in the host's VHD folder), or an existing file."""

    size_gib: int | None = None
    path: str | None = None


@dataclass(frozen=True, slots=True)
class NicPlan:
    switch: str | None = None  # a switch's name or GUID; None: not connected
    mac: str | None = None  # a static MAC; None: the host gives one


@dataclass(frozen=True, slots=True)
class NewVM:
    """What ``hvtui create`` and ``hvtui define`` ask for."""

    name: str
    generation: int = 2
    vcpus: int = 1
    memory_mib: int = 1024
    dynamic: tuple[int, int] | None = None  # minimum and maximum MiB
    disks: tuple[DiskPlan, ...] = ()
    isos: tuple[str, ...] = ()
    nics: tuple[NicPlan, ...] = ()
    serial_pipes: tuple[str, ...] = ()  # COM 1, COM 2
    secure_boot: bool | None = None
    notes: str = ""
    steps: list[str] = field(default_factory=list, compare=False)  # what was done, for the report

    def check(self, max_vcpus: int | None) -> None:
        """The refusals the host would give, said before anything is sent."""
        if not self.name.strip():
            raise ActionRefused("a VM needs a name")
        if self.generation not in (1, 2):
            raise ActionRefused(f"generation {self.generation}: Hyper-V has generations 1 and 2")
        if self.vcpus < 1 or (max_vcpus and self.vcpus > max_vcpus):
            raise ActionRefused(f"{self.vcpus} virtual processors: this host allows 1 to {max_vcpus}")
        sizes = [self.memory_mib, *(self.dynamic or ())]
        if any(m < 32 or m % 2 for m in sizes):
            raise ActionRefused("memory must be an even number of MiB, 32 at least (Hyper-V counts in 2 MiB)")
        if self.dynamic and not self.dynamic[0] <= self.memory_mib <= self.dynamic[1]:
            raise ActionRefused("dynamic memory: the startup memory must lie between the minimum and maximum")
        if self.secure_boot and self.generation == 1:
            raise ActionRefused("secure boot needs a generation 2 VM")
        if len(self.serial_pipes) > 2:
            raise ActionRefused("a Hyper-V VM has two COM ports")


async def default_folders(host: HyperVHost) -> tuple[str, str]:
    """The host's default folders: (virtual machines, virtual hard disks)."""
    row = await host.session.first(queries.DEFAULT_FOLDERS)
    data = as_text(row.get("DefaultExternalDataRoot")) if row else None
    vhds = as_text(row.get("DefaultVirtualHardDiskPath")) if row else None
    return (
        data or "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V",
        vhds or "C:\\Users\\Public\\Documents\\Hyper-V",
    )


async def switch_names(host: HyperVHost) -> list[str]:
    """The host's virtual switches by name: what a new VM's adapter may be connected to."""
    rows = await host.session.query(queries.SWITCHES)
    return sorted({name for name in (as_text(r.get("ElementName")) for r in rows) if name})


async def _define(host: HyperVHost, plan: NewVM) -> str:
    system = {
        "ElementName": plan.name,
        "VirtualSystemSubType": f"Microsoft:Hyper-V:SubType:{plan.generation}",
    }
    types = {"ElementName": "string", "VirtualSystemSubType": "string"}
    if plan.notes:
        system["Notes"], types["Notes"] = plan.notes, "string"
    values: dict[str, object] = dict(system)
    if plan.generation == 2 and plan.secure_boot is not None:
        values["SecureBootEnabled"], types["SecureBootEnabled"] = plan.secure_boot, "boolean"
    low, high = plan.dynamic or (plan.memory_mib, plan.memory_mib)
    memory = embedded(
        "Msvm_MemorySettingData",
        {
            "InstanceID": MEMORY_DEFAULT,
            "VirtualQuantity": plan.memory_mib,
            "DynamicMemoryEnabled": bool(plan.dynamic),
            "Reservation": low,
            "Limit": high,
        },
        {
            "InstanceID": "string",
            "VirtualQuantity": "uint64",
            "DynamicMemoryEnabled": "boolean",
            "Reservation": "uint64",
            "Limit": "uint64",
        },
    )
    processor = embedded(
        "Msvm_ProcessorSettingData",
        {"InstanceID": PROCESSOR_DEFAULT, "VirtualQuantity": plan.vcpus},
        {"InstanceID": "string", "VirtualQuantity": "uint64"},
    )
    refs = await send(
        host.session,
        "DefineSystem",
        [
            ("SystemSettings", embedded("Msvm_VirtualSystemSettingData", values, types)),
            ("ResourceSettings", [memory, processor]),
            ("ReferenceConfiguration", None),
        ],
        f"defining {plan.name}",
    )
    made = refs.get("ResultingSystem") or [{}]
    guid = next((v for k, v in made[0].items() if k.lower() == "name"), None)
    if not guid:
        raise ActionFailed(f"defining {plan.name}: the host did not say which VM it made")
    return guid.upper()


async def create_vm(host: HyperVHost, plan: NewVM, on_step: Callable[[str], None] | None = None) -> VM:
    """Define the VM and add what the plan asks for; undone as far as possible when a step fails."""
    facts = await host.host_facts()
    plan.check(facts.max_vcpus)
    _, vhd_folder = await default_folders(host) if any(d.size_gib for d in plan.disks) else ("", "")
    say = on_step or (lambda _: None)
    say(f"defining {plan.name}")
    guid = await _define(host, plan)
    host.invalidate_inventory()
    made_files: list[str] = []
    vm = VM(
        host=host.key, guid=guid, name=plan.name, power=decode_enabled_state(3), generation=plan.generation
    )
    editor = DeviceEditor(host.session, facts.hostname.split(".")[0], vm)
    try:
        for n, disk in enumerate(plan.disks):
            path = disk.path
            if disk.size_gib is not None:
                suffix = "" if n == 0 else f"-{n + 1}"
                path = f"{vhd_folder.rstrip(chr(92))}\\{plan.name}{suffix}.vhdx"
                say(f"creating {path}")
                await create_vhd(host.session, path, disk.size_gib)
                made_files.append(path)
            assert path is not None
            say(f"attaching {path}")
            layout = await read_layout(host.session, guid)
            drive_id, _ = await editor.add_drive(layout, "disk", ide=True)
            await editor.put_media(drive_id, "disk", path)
        for iso in plan.isos:
            say(f"inserting {iso}")
            layout = await read_layout(host.session, guid)
            drive_id, _ = await editor.add_drive(layout, "cdrom", ide=True)
            await editor.put_media(drive_id, "cdrom", iso)
        for nic in plan.nics:
            say("adding a network adapter" + (f" on {nic.switch}" if nic.switch else ""))
            await editor.add_nic(nic.switch, nic.mac)
        for port, pipe in enumerate(plan.serial_pipes, start=1):
            if pipe:
                say(f"connecting COM {port} to {pipe}")
                await _serial(host, guid, port, pipe)
    except HyperVError as exc:
        left = await _take_back(host, vm, made_files)
        raise type(exc)(f"creating {plan.name} failed: {exc}; {left}") from None
    return vm


async def _serial(host: HyperVHost, guid: str, port: int, pipe: str) -> None:
    instance = embedded(
        "Msvm_SerialPortSettingData",
        {
            "InstanceID": f"Microsoft:{guid}\\8E3A359F-559A-4B6A-98A9-1690A6100ED7\\{port - 1}",
            "Connection": [pipe],
        },
        {"InstanceID": "string", "Connection": "string[]"},
    )
    await send(
        host.session, "ModifyResourceSettings", [("ResourceSettings", [instance])], f"connecting COM {port}"
    )


async def _take_back(host: HyperVHost, vm: VM, files: list[str]) -> str:
    """Remove a half-made VM and the files made for it; what was undone and what is left."""
    left = []
    try:
        await send(
            host.session, "DestroySystem", [("AffectedSystem", vm_ref(vm.guid))], f"removing {vm.name}"
        )
    except HyperVError as exc:
        left.append(f"the VM {vm.name} ({vm.guid}) could not be removed ({exc})")
    for path in files:
        try:
            await delete_file(host.session, path, f"deleting {path}")
        except HyperVError:
            left.append(f"the file {path}")
    host.invalidate_inventory()
    if not left:
        return "undone: nothing of it is left on the host"
    return "left on the host: " + "; ".join(left)


async def delete_vm(host: HyperVHost, vm: VM, *, delete_disks: bool = False, where: str = "") -> str:
    """DestroySystem, once; refused unless the VM is off or saved. With ``delete_disks``, its disk
    files are deleted afterwards (a differencing disk's parent is left alone). The outcome names
    the host as ``where`` (as the screen names it), its address when not given."""
    where = where or host.uri.display_host
    fresh = await host.session.computer_system(vm.guid)
    if fresh is None:
        raise ActionRefused(f"{vm.name} is no longer on {host.uri.display_host}")
    power: PowerState = decode_enabled_state(fresh.get("EnabledState"))
    if power.state not in _DELETABLE:
        raise ActionRefused(f"{vm.name} is {power.label}: turn it off (or save it) before deleting it")
    files = []
    if delete_disks:
        layout = await read_layout(host.session, vm.guid)
        files = [d.path for d in layout.drives if d.device == "disk" and d.path]
    await send(host.session, "DestroySystem", [("AffectedSystem", vm_ref(vm.guid))], f"deleting {vm.name}")
    host.invalidate_inventory()
    kept = []
    for path in files:
        try:
            await delete_file(host.session, path, f"deleting {path}")
        except HyperVError as exc:
            kept.append(f"{path} ({exc})")
    if kept:
        raise ActionFailed(f"{vm.name} deleted from {where}, but not its files: " + "; ".join(kept))
    gone = f" and {len(files)} disk file{'s' if len(files) != 1 else ''}" if files else ""
    return f"{vm.name} deleted from {where}{gone}"
