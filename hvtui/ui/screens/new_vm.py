"""The New VM form: the fields of ``hvtui create``, with the host's switches and disk folder.

What the host knows (its switches, where new disks go, how many vCPUs it allows) is read before
the form opens, so the choices are the host's own. The form checks what it can (numbers, a
range, secure boot only for generation 2) and the domain checks the plan again before sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from hvtui.hyperv.errors import ActionRefused
from hvtui.hyperv.lifecycle import DiskPlan, NewVM, NicPlan
from hvtui.ui.forms import FieldError, mib_range, size_or_path, whole


@dataclass(frozen=True)
class HostChoices:
    """What the form offers, read from the host it makes the VM on."""

    host: str  # the host's key
    name: str  # its short name, as the screens show it
    switches: tuple[str, ...]
    vhd_folder: str
    max_vcpus: int | None


@dataclass(frozen=True)
class NewVMRequest:
    plan: NewVM
    start: bool


class NewVMScreen(ModalScreen[NewVMRequest | None]):
    AUTO_FOCUS = "#vm-name"
    DEFAULT_CSS = """
    #new-vm .new-vm-form {
        grid-size: 2; grid-columns: 14 1fr; grid-rows: 1; grid-gutter: 0 1; height: auto; margin-top: 1;
    }
    #new-vm Checkbox { border: none; padding: 0; height: 1; background: $panel; }
    #new-vm #new-vm-error { height: auto; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, choices: HostChoices) -> None:
        super().__init__(classes="dialog")
        self.choices = choices

    def compose(self) -> ComposeResult:
        choices = self.choices
        limit = f" (1 to {choices.max_vcpus})" if choices.max_vcpus else ""
        with Vertical(id="new-vm", classes="dialog-box"):
            yield Label(f"New VM on {choices.name}", classes="dialog-title", markup=False)
            yield Static(f"New disks go to {choices.vhd_folder}", classes="muted", markup=False)
            with Grid(classes="new-vm-form"):
                yield Label("Name")
                yield Input(id="vm-name", compact=True, placeholder="as Hyper-V Manager shows it")
                yield Label("Generation")
                yield Select((("2 (UEFI)", 2), ("1 (BIOS)", 1)), value=2, id="generation", compact=True,
                             allow_blank=False)  # fmt: skip
                yield Label("vCPUs")
                yield Input("1", id="vcpus", compact=True, placeholder=f"virtual processors{limit}")
                yield Label("Memory (MiB)")
                yield Input("1024", id="memory", compact=True)
                yield Label("Dynamic memory")
                yield Input(id="dynamic", compact=True, placeholder="MIN-MAX in MiB; empty: off")
                yield Label("Disk")
                yield Input(id="disk", compact=True, placeholder="a new disk's size in GiB, or a VHD path")
                yield Label("Switch")
                switches = [(name, name) for name in choices.switches]
                yield Select(switches, id="switch", compact=True, prompt="not connected")
                yield Label("ISO")
                yield Input(id="iso", compact=True, placeholder="a path on the host, in a DVD drive")
                yield Label("")
                yield Checkbox("Secure boot", value=True, id="secure-boot")
                yield Label("")
                yield Checkbox("Start it once created", id="start")
            yield Static("", id="new-vm-error", classes="error-text", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Create", id="create", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @on(Select.Changed, "#generation")
    def _generation(self, event: Select.Changed) -> None:
        secure = self.query_one("#secure-boot", Checkbox)
        secure.disabled = event.value == 1
        secure.value = event.value != 1

    def request(self) -> NewVMRequest:
        """The plan the fields make; a wrong field raises :class:`FieldError`."""

        def text(key: str) -> str:
            return self.query_one(f"#{key}", Input).value.strip()

        generation = self.query_one("#generation", Select).value
        switch = self.query_one("#switch", Select).value
        size, path = size_or_path(text("disk"))
        disks = (DiskPlan(size_gib=size, path=path),) if size or path else ()
        secure = self.query_one("#secure-boot", Checkbox)
        plan = NewVM(
            name=text("vm-name"),
            generation=generation if isinstance(generation, int) else 2,
            vcpus=whole("vCPUs", text("vcpus")),
            memory_mib=whole("Memory", text("memory"), least=32),
            dynamic=mib_range("Dynamic memory", text("dynamic")) if text("dynamic") else None,
            disks=disks,
            isos=(text("iso"),) if text("iso") else (),
            nics=(NicPlan(switch),) if isinstance(switch, str) else (),
            secure_boot=None if secure.disabled else secure.value,
        )
        try:
            plan.check(self.choices.max_vcpus)
        except ActionRefused as exc:
            raise FieldError(str(exc)) from None
        return NewVMRequest(plan, self.query_one("#start", Checkbox).value)

    @on(Input.Submitted)
    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        try:
            request = self.request()
        except FieldError as exc:
            self.query_one("#new-vm-error", Static).update(str(exc))
            return
        self.dismiss(request)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
