"""A VM's display as Hyper-V serves it: its display controllers and video head, and the
``GetVirtualSystemThumbnailImage`` method that returns what the screen shows.

Generation 2 VMs have one synthetic display controller. Generation 1 VMs have two: the S3
controller shows the BIOS and early boot, and the synthetic one takes over once the guest
loads its video driver (libvirt's driver asks the synthetic head first for that reason, and
uses a head only while it is enabled). The thumbnail is RGB565 little-endian, exactly
WidthPixels × HeightPixels × 2 bytes, base64 in one ``ImageData`` element (libvirt decodes it
so; the method is in :mod:`hvtui.sim.thumbnail`). The picture follows the VM: black when off
or saved, the firmware while it starts, the lock screen with its name and clock while it
runs, and the text typed at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hvtui.sim.console_classes import HEAD, S3, SYNTHETIC
from hvtui.sim.inventory import PAUSED, RUNNING
from hvtui.sim.model import SAVING, STARTING, STOPPING, VM, HostModel
from hvtui.sim.picture import Scene, render
from hvtui.sim.render import Ref
from hvtui.sim.schema import find_class
from hvtui.sim.vm_screen import BOOT_RESOLUTION, VMScreen, screen_of

SYNTHETIC_DEV = "5BF7F5D3-8FE1-4B8C-B7A2-0C25B6D5E1C4"
S3_DEV = "C3A9F0E6-2D0B-4E0C-9F3B-1B7C0D8E5A21"
_CACHED_PICTURES = 4


def _ref(cls_name: str, **keys: str) -> Ref:
    cls = find_class(cls_name)
    assert cls is not None, cls_name
    return Ref(cls.uri, tuple((k, keys[k]) for k in cls.keys))


def _device_ref(cls_name: str, device_id: str, guid: str) -> Ref:
    return _ref(
        cls_name,
        CreationClassName=cls_name,
        DeviceID=device_id,
        SystemCreationClassName="Msvm_ComputerSystem",
        SystemName=guid,
    )


def _controllers(vm: VM) -> list[tuple[str, str]]:
    """(class, DeviceID) of each display controller of the VM."""
    guid = vm.spec.guid
    synthetic = (SYNTHETIC, f"Microsoft:{guid}\\{SYNTHETIC_DEV}")
    if vm.spec.generation == 1:
        return [(S3, f"Microsoft:{guid}\\{S3_DEV}"), synthetic]
    return [synthetic]


def _booting(vm: VM) -> bool:
    t = vm.transition
    return t is not None and t.shown == STARTING


def head_mode(model: HostModel, vm: VM, controller: str) -> tuple[bool, tuple[int, int]]:
    """Whether the controller's head is enabled, and its resolution."""
    screen = screen_of(model, vm)
    generation = vm.spec.generation
    booting = _booting(vm)
    on = (vm.state in (RUNNING, PAUSED) and vm.transition is None) or vm.transition is not None
    if controller == S3:
        return booting and generation == 1, BOOT_RESOLUTION[1]
    if booting:
        return generation == 2, BOOT_RESOLUTION[2]
    return on, screen.resolution


def current_resolution(model: HostModel, vm: VM) -> tuple[int, int]:
    """What the screen shows now: the enabled head's resolution (the synthetic one's when off)."""
    modes = [head_mode(model, vm, cls) for cls, _ in _controllers(vm)]
    enabled = [size for on, size in modes if on]
    return enabled[0] if enabled else modes[-1][1]


def _device(
    vm: VM, cls: str, device_id: str, caption: str, description: str, enabled: bool
) -> dict[str, Any]:
    return {
        "Caption": caption,
        "Description": description,
        "ElementName": caption,
        "Name": caption,
        "OperationalStatus": [2],
        "StatusDescriptions": ["OK"],
        "HealthState": 5,
        "EnabledState": 2 if enabled else 3,
        "RequestedState": 12,
        "EnabledDefault": 2,
        "TransitioningToState": 12,
        "SystemCreationClassName": "Msvm_ComputerSystem",
        "SystemName": vm.spec.guid,
        "CreationClassName": cls,
        "DeviceID": device_id,
        "Availability": 6,
        "AdditionalAvailability": [6],
    }


def display_controllers(model: HostModel, cls: str) -> Iterator[dict[str, Any]]:
    for vm in model.vms.values():
        for controller, device_id in _controllers(vm):
            if controller != cls:
                continue
            enabled, _ = head_mode(model, vm, controller)
            synthetic = controller == SYNTHETIC
            d = _device(
                vm,
                controller,
                device_id,
                "Display Controller",
                "Microsoft Synthetic Display Controller" if synthetic else "Microsoft S3 Display Controller",
                enabled,
            )
            d.update(
                ProtocolSupported=1,
                MaxNumberControlled=1,
                ProtocolDescription="Video",
                VideoProcessor="Synthetic Video Processor" if synthetic else "S3 Trio 32/64",
                VideoMemoryType=2,
                NumberOfVideoPages=1024 if synthetic else 1,
                MaxMemorySupported=4194304 if synthetic else 4096,
                AcceleratorCapabilities=[2],
                CapabilityDescriptions=["Graphics Accelerator"],
            )
            yield d


def video_heads(model: HostModel) -> Iterator[dict[str, Any]]:
    for vm in model.vms.values():
        for controller, device_id in _controllers(vm):
            enabled, (width, height) = head_mode(model, vm, controller)
            d = _device(
                vm, HEAD, f"{device_id}\\Head\\0", "Video Head", "Microsoft Virtual Video Head", enabled
            )
            d.update(
                CurrentBitsPerPixel=32 if controller == SYNTHETIC else 16,
                CurrentHorizontalResolution=width,
                CurrentVerticalResolution=height,
                CurrentRefreshRate=60,
                MaxRefreshRate=60,
                MinRefreshRate=60,
                CurrentScanMode=3,
                CurrentNumberOfRows=0,
                CurrentNumberOfColumns=0,
                CurrentNumberOfColors=2**32 if controller == SYNTHETIC else 2**16,
            )
            yield d


PROVIDERS = {
    SYNTHETIC: lambda m: display_controllers(m, SYNTHETIC),
    S3: lambda m: display_controllers(m, S3),
    HEAD: video_heads,
}


def system_devices(model: HostModel) -> Iterator[dict[str, Any]]:
    """Msvm_SystemDevice: each VM's display controllers and heads are devices of it."""
    for guid, vm in model.vms.items():
        system = _ref("Msvm_ComputerSystem", CreationClassName="Msvm_ComputerSystem", Name=guid)
        for controller, device_id in _controllers(vm):
            yield {"GroupComponent": system, "PartComponent": _device_ref(controller, device_id, guid)}
            yield {
                "GroupComponent": system,
                "PartComponent": _device_ref(HEAD, f"{device_id}\\Head\\0", guid),
            }


def heads_on_controllers(model: HostModel) -> Iterator[dict[str, Any]]:
    for guid, vm in model.vms.items():
        for controller, device_id in _controllers(vm):
            yield {
                "Antecedent": _device_ref(controller, device_id, guid),
                "Dependent": _device_ref(HEAD, f"{device_id}\\Head\\0", guid),
            }


# --- the picture --------------------------------------------------------------------------------


def scene(model: HostModel, vm: VM) -> Scene:
    """What the VM's screen shows now."""
    screen = screen_of(model, vm)
    now = model.now()
    size = current_resolution(model, vm)
    name = vm.spec.name
    t = vm.transition
    if t is not None:
        step = int(4 * (now - t.job.submitted) / max(t.job.duration, 0.001)) % 4
        if t.shown == STARTING:
            return Scene("bios" if vm.spec.generation == 1 else "uefi", size, name, step=step)
        if t.shown == STOPPING:
            return Scene("message", size, name, prompt="Shutting down", step=step)
        if t.shown == SAVING:
            return Scene("message", size, name, prompt="Saving", step=step)
    if vm.state not in (RUNNING, PAUSED):
        return Scene("off", size)
    wall = model.clock.wall(now)
    return Scene(
        "login",
        size,
        name,
        clock=wall.strftime("%H:%M"),
        date=f"{wall.strftime('%A')}, {wall.day} {wall.strftime('%B %Y')}",
        lines=tuple(screen.lines),
        prompt="Sign in: Administrator" if screen.signing_in else "Press Ctrl+Alt+Delete to sign in.",
    )


def thumbnail(model: HostModel, vm: VM, width: int, height: int) -> bytes:
    """The screen at ``width`` × ``height``, RGB565 little-endian (the same scene is drawn once)."""
    screen: VMScreen = screen_of(model, vm)
    key = (scene(model, vm), width, height)
    picture = screen.cache.get(key)
    if picture is None:
        picture = render(key[0], width, height)
        if len(screen.cache) >= _CACHED_PICTURES:
            screen.cache.pop(next(iter(screen.cache)))
        screen.cache[key] = picture
    return picture


# --- for tests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenView:
    """What a test sees of a VM's screen at one instant."""

    lines: tuple[str, ...]
    signing_in: bool
    resolution: tuple[int, int]  # the head's now
    scene: Scene

    def picture(self, width: int, height: int) -> bytes:
        """The screen as the simulator draws it at that size (what a thumbnail must equal)."""
        return render(self.scene, width, height)


def _vm(model: HostModel, key: str) -> VM:
    vm = model.vms.get(key.upper()) or next((v for v in model.vms.values() if v.spec.name == key), None)
    if vm is None:
        raise KeyError(key)
    return vm


def screen_view(model: HostModel, key: str) -> ScreenView:
    """A VM's screen by GUID or name (the caller holds the model's lock)."""
    vm = _vm(model, key)
    screen = screen_of(model, vm)
    return ScreenView(tuple(screen.lines), screen.signing_in, current_resolution(model, vm), scene(model, vm))


def set_resolution(model: HostModel, key: str, width: int, height: int) -> None:
    """As if the guest changed its display settings."""
    screen_of(model, _vm(model, key)).resolution = (width, height)
