"""The checkpoint dialogs: a name (for a new checkpoint, or a new name), and applying one.

Applying asks as Hyper-V Manager does: the VM's current state will be lost, and a checkpoint
of it can be made first; "No" has the focus, as in every confirmation.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

APPLY = "apply"
CHECKPOINT_THEN_APPLY = "checkpoint-then-apply"


class NameScreen(ModalScreen[str | None]):
    """A name, prefilled; dismisses with the name, or None when cancelled."""

    AUTO_FOCUS = "#name"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str, *, ok: str) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.value = value
        self.ok = ok

    def compose(self) -> ComposeResult:
        with Vertical(id="checkpoint-name", classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Input(self.value, id="name", compact=True, select_on_focus=True)
            with Horizontal(classes="buttons"):
                yield Button(self.ok, id="ok", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @on(Input.Changed, "#name")
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#ok", Button).disabled = not event.value.strip()

    @on(Input.Submitted, "#name")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(self.query_one("#name", Input).value.strip() if event.button.id == "ok" else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ApplyScreen(ModalScreen[str | None]):
    """Dismisses with APPLY, CHECKPOINT_THEN_APPLY, or None."""

    AUTO_FOCUS = "#no"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer('')", "No"),
        Binding("left,h", "app.focus_previous", "Previous", show=False),
        Binding("right,l", "app.focus_next", "Next", show=False),
    ]

    def __init__(self, vm_name: str, checkpoint_name: str) -> None:
        super().__init__(classes="dialog")
        self.vm_name = vm_name
        self.checkpoint_name = checkpoint_name

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog-box"):
            yield Label(
                f"Apply checkpoint {self.checkpoint_name!r} to {self.vm_name}?",
                id="question",
                classes="dialog-title",
                markup=False,
            )
            yield Static(
                f"The current state of {self.vm_name} will be lost. Create a checkpoint of it "
                "first to be able to come back to it.",
                id="detail",
                markup=False,
            )
            with Horizontal(classes="buttons"):
                yield Button(
                    "Checkpoint, then apply", id=CHECKPOINT_THEN_APPLY, variant="primary", compact=True
                )
                yield Button("Apply", id=APPLY, variant="error", compact=True)
                yield Button("No", id="no", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id if event.button.id in (APPLY, CHECKPOINT_THEN_APPLY) else None)

    def action_answer(self, value: str) -> None:
        self.dismiss(value or None)
