"""A VM's settings: name, notes, vCPUs, memory, dynamic memory and automatic start.

What the VM's state does not let change is greyed, with the reason beside it (the rule is the
domain's, :func:`~hvtui.hyperv.vm_settings.locked`), so nobody fills in a field the host would
refuse. Only the fields that differ from the VM as the last refresh saw it are sent.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from hvtui.hyperv.models import VM
from hvtui.hyperv.vm_settings import SettingsChange, locked
from hvtui.present.changes import AUTOSTART_BY_CODE, AUTOSTART_CHOICES, dynamic_now
from hvtui.ui.forms import FieldError, mib_range, whole

DYNAMIC_HINT = "MIN-MAX in MiB, or off"


class SettingsScreen(ModalScreen[SettingsChange | None]):
    """Dismisses with the change asked for, or None when cancelled."""

    AUTO_FOCUS = "#name"
    DEFAULT_CSS = """
    #vm-settings .settings-form {
        grid-size: 3; grid-columns: 14 20 1fr; grid-rows: 1; grid-gutter: 0 1; height: auto; margin-top: 1;
    }
    #vm-settings .why { color: $text-muted; }
    #vm-settings #settings-error { height: auto; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, vm: VM, where: str) -> None:
        super().__init__(classes="dialog")
        self.vm = vm
        self.where = where
        self.locked = locked(vm)

    def compose(self) -> ComposeResult:
        vm = self.vm
        with Vertical(id="vm-settings", classes="dialog-box"):
            yield Label(f"Settings of {vm.name} on {self.where}", classes="dialog-title", markup=False)
            label = vm.power.label[:1].upper() + vm.power.label[1:]
            state = f"{label}: greyed settings change only while it is off" if self.locked else f"{label}"
            yield Static(state, classes="muted", markup=False)
            with Grid(classes="settings-form"):
                yield from self._field("Name", "name", vm.name, "")
                yield from self._field("Notes", "notes", vm.notes, "")
                yield from self._field("vCPUs", "vcpus", _text(vm.vcpus), "vcpus")
                yield from self._field("Memory (MiB)", "memory", _text(vm.startup_memory_mib), "memory")
                yield from self._field("Dynamic memory", "dynamic", "", "dynamic")
                yield Label("Autostart")
                code = AUTOSTART_BY_CODE.get(vm.autostart or -1, Select.BLANK)
                yield Select(AUTOSTART_CHOICES, value=code, id="autostart", compact=True, allow_blank=True)
                yield Label("when the host starts", classes="why")
            yield Static("", id="settings-error", classes="error-text", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Apply", id="apply", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _field(self, label: str, key: str, value: str, rule: str) -> ComposeResult:
        why = self.locked.get(rule, "")
        yield Label(label)
        field = Input(value, id=key, compact=True, disabled=bool(why))
        if key == "dynamic":
            field.placeholder = "MIN-MAX or off"
        yield field
        if not why and key == "dynamic":
            why = f"{DYNAMIC_HINT}; {dynamic_now(self.vm)}"
            if self.locked:
                why = f"range only, {dynamic_now(self.vm)}"
        yield Label(why, id=f"{key}-why", classes="why", markup=False)

    def change(self) -> SettingsChange:
        """The fields that differ from the VM, read; a wrong one raises :class:`FieldError`."""
        vm = self.vm

        def value(key: str) -> str | None:
            field = self.query_one(f"#{key}", Input)
            return None if field.disabled else field.value

        name, notes = value("name"), value("notes")
        vcpus_text, memory_text, dynamic_text = value("vcpus"), value("memory"), value("dynamic")
        vcpus = whole("vCPUs", vcpus_text) if vcpus_text and vcpus_text.strip() else None
        memory = whole("Memory", memory_text, least=32) if memory_text and memory_text.strip() else None
        if memory is not None and memory % 2:
            raise FieldError("Memory: Hyper-V counts in 2 MiB; give an even number of MiB")
        dynamic: tuple[int, int] | bool | None = None
        if dynamic_text and dynamic_text.strip():
            if dynamic_text.strip().lower() == "off":
                dynamic = False if vm.dynamic_memory else None
                if self.locked and vm.dynamic_memory:
                    raise FieldError(f"Dynamic memory: it turns off {self.locked['memory']}")
            else:
                dynamic = mib_range("Dynamic memory", dynamic_text)
        if name is not None and not name.strip():
            raise FieldError("Name: a VM needs a name")
        chosen = self.query_one("#autostart", Select).value
        autostart = chosen if isinstance(chosen, str) else None
        return SettingsChange(
            vcpus=vcpus if vcpus != vm.vcpus else None,
            memory_mib=memory if memory != vm.startup_memory_mib else None,
            dynamic=dynamic,
            autostart=autostart if autostart != AUTOSTART_BY_CODE.get(vm.autostart or -1) else None,
            notes=notes if notes is not None and notes != vm.notes else None,
            name=name.strip() if name is not None and name.strip() != vm.name else None,
        )

    @on(Input.Submitted)
    @on(Button.Pressed, "#apply")
    def _apply(self) -> None:
        error = self.query_one("#settings-error", Static)
        try:
            change = self.change()
        except FieldError as exc:
            error.update(str(exc))
            return
        if change.empty:
            error.update("Nothing changed yet: edit a field, or Cancel")
            return
        self.dismiss(change)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _text(value: int | None) -> str:
    return "" if value is None else str(value)
