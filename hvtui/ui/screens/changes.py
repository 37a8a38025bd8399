"""The keys that create, change and delete VMs, shared by the main screen and the VM screen.

Like the power verbs they are greyed in read-only mode, and a key pressed then says why
instead of doing nothing; they act on one VM (the cursor's, or the VM screen's), never on marks.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding

from hvtui.ui.screens.verbs import VerbScreen

SETTINGS = Binding(
    "E", "edit_settings", "VM settings: vCPUs, memory, name, notes, autostart", show=False, id="vm-settings"
)
DELETE = Binding("x", "delete_vm", "Delete the VM (type its name to confirm)", show=False, id="delete-vm")
MAIN_CHANGE_BINDINGS = [
    SETTINGS,
    Binding("n", "new_vm", "New VM on the selected host", show=False, id="new-vm"),
    DELETE,
]
VM_CHANGE_BINDINGS = [
    Binding("e,E", "edit_settings", SETTINGS.description, show=False, id="vm-settings"),
    Binding("m", "devices('media')", "Media: insert an ISO, eject", show=False, id="media"),
    Binding("h", "devices('disk')", "Disks: add one (new or a VHD), remove one", show=False, id="disks"),
    Binding(
        "w", "devices('nic')", "Network adapters: add, remove, connect to a switch", show=False, id="nics"
    ),
    DELETE,
]
CHANGE_ACTIONS = frozenset({"edit_settings", "new_vm", "delete_vm", "devices"})


def is_change(action: str) -> bool:
    """Whether a binding's action (``devices('media')`` included) is one of these keys'."""
    return action.split("(", maxsplit=1)[0] in CHANGE_ACTIONS


class ChangeScreen(VerbScreen):
    """A :class:`VerbScreen` with the change keys; :meth:`change_key` says which VM they act on."""

    def change_key(self) -> str | None:
        return self.hvtui.model.cursor_key

    def new_vm_host(self) -> str | None:
        """The host a new VM goes to: the one shown, else the cursor's VM's, else the only one."""
        model = self.hvtui.model
        if model.scope is not None:
            return model.scope
        key = self.change_key()
        if key is not None and key in model.rows:
            return model.rows[key].host
        return next(iter(self.hvtui.hosts)) if len(self.hvtui.hosts) == 1 else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in CHANGE_ACTIONS:
            if action != "new_vm" and self.change_key() is None:
                return False
            return None if self.hvtui.read_only else True
        return super().check_action(action, parameters)

    def on_key(self, event: events.Key) -> None:
        """In read-only mode a change key is greyed: say so rather than do nothing."""
        if not self.hvtui.read_only:
            return
        for binding in type(self).BINDINGS:
            if not isinstance(binding, Binding) or not is_change(binding.action):
                continue
            if event.key in (k.strip() for k in binding.key.split(",")):
                event.stop()
                self.hvtui.edit_vm_settings(None)  # the flow refuses first, with the reason
                return

    def action_edit_settings(self) -> None:
        self.hvtui.edit_vm_settings(self.change_key())

    def action_new_vm(self) -> None:
        self.hvtui.new_vm_dialog(self.new_vm_host())

    def action_delete_vm(self) -> None:
        self.hvtui.delete_vm_dialog(self.change_key())

    def action_devices(self, kind: str) -> None:
        self.hvtui.change_vm_devices(self.change_key(), kind)
