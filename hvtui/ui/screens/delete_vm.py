"""Deleting a VM: the user types its name, so a VM is never deleted by a key pressed in passing.

Delete stays disabled until the name typed is the VM's, exactly; "its disk files too" is off
until ticked (a differencing disk's parent is never deleted, see the domain).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static


@dataclass(frozen=True)
class DeleteRequest:
    delete_disks: bool


class DeleteVMScreen(ModalScreen[DeleteRequest | None]):
    AUTO_FOCUS = "#typed-name"
    DEFAULT_CSS = """
    #delete-vm Static { margin-top: 1; }
    #delete-vm Input { margin-top: 1; }
    #delete-vm Checkbox { border: none; padding: 0; height: 1; margin-top: 1; background: $panel; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, name: str, where: str, detail: str) -> None:
        super().__init__(classes="dialog")
        self.vm_name = name
        self.where = where
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="delete-vm", classes="dialog-box"):
            yield Label(
                f"Delete the VM {self.vm_name} on {self.where}?", classes="dialog-title", markup=False
            )
            yield Static(
                f"{self.detail}\nIts configuration and checkpoints go; this cannot be undone. "
                "Type its name to confirm.",
                classes="muted",
                markup=False,
            )
            yield Input(id="typed-name", compact=True, placeholder=self.vm_name)
            yield Checkbox("Delete its disk files too", id="delete-disks")
            with Horizontal(classes="buttons"):
                yield Button("Delete", id="delete", variant="error", disabled=True, compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @on(Input.Changed, "#typed-name")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#delete", Button).disabled = event.value != self.vm_name

    @on(Input.Submitted, "#typed-name")
    @on(Button.Pressed, "#delete")
    def _delete(self) -> None:
        if self.query_one("#typed-name", Input).value != self.vm_name:
            return
        self.dismiss(DeleteRequest(self.query_one("#delete-disks", Checkbox).value))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
