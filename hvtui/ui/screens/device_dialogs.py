"""Small dialogs for a VM's media, disks and network adapters, opened from the VM screen.

Each is built from the VM's devices as the host reported them just before it opened (a
:class:`~hvtui.hyperv.device_layout.Layout`), so a drive or adapter is chosen from what is
there, and dismisses with one :class:`DeviceChange` (the flow sends it) or None.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from hvtui.hyperv.device_changes import DeviceChange
from hvtui.hyperv.device_layout import DriveSlot, Layout, NicSlot
from hvtui.ui.forms import FieldError, size_or_path


def drive_text(drive: DriveSlot) -> str:
    what = "DVD" if drive.device == "cdrom" else "disk"
    return f"{drive.target}: {what}, {drive.path or 'empty'}"


def nic_text(nic: NicSlot) -> str:
    return f"{nic.mac} · {nic.switch or 'not connected'}"


class DeviceDialog(ModalScreen[DeviceChange | None]):
    """What the three dialogs share: a title, the VM's devices, an error line and Cancel."""

    KIND = ""
    DEFAULT_CSS = """
    .device-dialog .device-form {
        grid-size: 2; grid-columns: 10 1fr; grid-rows: 1; grid-gutter: 0 1; height: auto; margin-top: 1;
    }
    .device-dialog #device-error { height: auto; margin-top: 1; }
    .device-dialog #devices-now { margin-top: 1; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, vm_name: str, layout: Layout) -> None:
        super().__init__(classes="dialog")
        self.vm_name = vm_name
        self.devices = layout

    def fail(self, message: str) -> None:
        self.query_one("#device-error", Static).update(message)

    def error_line(self) -> Static:
        return Static("", id="device-error", classes="error-text", markup=False)

    def choice(self, key: str) -> str | None:
        value = self.query_one(f"#{key}", Select).value
        return value if isinstance(value, str) else None

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class MediaDialog(DeviceDialog):
    AUTO_FOCUS = "#iso"

    def compose(self) -> ComposeResult:
        dvds = [d for d in self.devices.drives if d.device == "cdrom"]
        now = "\n".join(drive_text(d) for d in dvds) or "No DVD drive: inserting adds one."
        with Vertical(id="media-dialog", classes="dialog-box device-dialog"):
            yield Label(f"Media of {self.vm_name}", classes="dialog-title", markup=False)
            yield Static(now, id="devices-now", classes="muted", markup=False)
            with Grid(classes="device-form"):
                yield Label("ISO")
                yield Input(id="iso", compact=True, placeholder="a path on the host: C:\\ISO\\setup.iso")
            yield self.error_line()
            with Horizontal(classes="buttons"):
                yield Button("Insert", id="insert", variant="primary", compact=True)
                loaded = any(d.media_id for d in dvds)
                yield Button("Eject", id="eject", compact=True, disabled=not loaded)
                yield Button("Cancel", id="cancel", compact=True)

    @on(Input.Submitted)
    @on(Button.Pressed, "#insert")
    def _insert(self) -> None:
        path = self.query_one("#iso", Input).value.strip()
        if not path:
            self.fail("ISO: give the path of an ISO on the host")
            return
        self.dismiss(DeviceChange("media", "insert", (path,)))

    @on(Button.Pressed, "#eject")
    def _eject(self) -> None:
        self.dismiss(DeviceChange("media", "eject"))


class DiskDialog(DeviceDialog):
    AUTO_FOCUS = "#new-disk"

    def compose(self) -> ComposeResult:
        drives = [(drive_text(d), d.target) for d in self.devices.drives]
        with Vertical(id="disk-dialog", classes="dialog-box device-dialog"):
            yield Label(f"Disks of {self.vm_name}", classes="dialog-title", markup=False)
            with Grid(classes="device-form"):
                yield Label("Add")
                yield Input(
                    id="new-disk", compact=True, placeholder="a new disk's size in GiB, or a VHD path"
                )
                yield Label("Remove")
                yield Select(drives, id="drive", compact=True, prompt="a drive to remove")
            yield Static("A removed disk's file stays on the host.", id="devices-now", classes="muted")
            yield self.error_line()
            with Horizontal(classes="buttons"):
                yield Button("Add", id="add", variant="primary", compact=True)
                yield Button("Remove", id="remove", variant="error", compact=True, disabled=not drives)
                yield Button("Cancel", id="cancel", compact=True)

    @on(Input.Submitted)
    @on(Button.Pressed, "#add")
    def _add(self) -> None:
        try:
            size, path = size_or_path(self.query_one("#new-disk", Input).value)
        except FieldError as exc:
            self.fail(str(exc))
            return
        if size is None and path is None:
            self.fail("Add: give a size in GiB or the path of a disk file on the host")
            return
        self.dismiss(DeviceChange("disk", "add", (str(size) if size else path or "",)))

    @on(Button.Pressed, "#remove")
    def _remove(self) -> None:
        target = self.choice("drive")
        if target is None:
            self.fail("Remove: choose a drive first")
            return
        self.dismiss(DeviceChange("disk", "remove", (target,)))


class NicDialog(DeviceDialog):
    AUTO_FOCUS = "#nic"

    def compose(self) -> ComposeResult:
        nics = [(nic_text(n), n.mac) for n in self.devices.nics]
        switches = [(name, name) for name in sorted(self.devices.switches)]
        with Vertical(id="nic-dialog", classes="dialog-box device-dialog"):
            yield Label(f"Network adapters of {self.vm_name}", classes="dialog-title", markup=False)
            with Grid(classes="device-form"):
                yield Label("Adapter")
                yield Select(nics, id="nic", compact=True, prompt="choose an adapter" if nics else "none yet")
                yield Label("Switch")
                yield Select(switches, id="switch", compact=True, prompt="not connected")
            yield Static(
                "Add makes a new adapter on the switch chosen; the others act on the adapter chosen.",
                id="devices-now",
                classes="muted",
            )
            yield self.error_line()
            with Horizontal(classes="buttons"):
                yield Button("Add", id="add", variant="primary", compact=True)
                yield Button("Connect", id="connect", compact=True)
                yield Button("Disconnect", id="disconnect", compact=True)
                yield Button("Remove", id="remove", variant="error", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @on(Button.Pressed, "#add")
    def _add(self) -> None:
        self.dismiss(DeviceChange("nic", "add", switch=self.choice("switch")))

    @on(Button.Pressed, "#connect, #disconnect, #remove")
    def _on_adapter(self, event: Button.Pressed) -> None:
        verb = event.button.id or ""
        mac, switch = self.choice("nic"), self.choice("switch")
        if mac is None:
            self.fail(f"{verb.capitalize()}: choose an adapter first")
        elif verb != "connect":
            self.dismiss(DeviceChange("nic", verb, (mac,)))
        elif switch is None:
            self.fail("Connect: choose a switch first")
        else:
            self.dismiss(DeviceChange("nic", verb, (mac, switch)))
