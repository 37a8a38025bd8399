"""The app as its screens and the command palette see it: shared state, and what they may ask.

Screens and the palette type against :class:`AppFacade` instead of importing the app, which
imports them: so the app depends on its screens and never the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

from textual.signal import Signal

from hvtui.hyperv.actions import Verb
from hvtui.hyperv.devices import VMDetails
from hvtui.hyperv.models import VM
from hvtui.ui.graphics.detect import Graphics
from hvtui.ui.hostview import HostView
from hvtui.ui.rows import Row
from hvtui.ui.scheduler import Scheduler
from hvtui.ui.tablemodel import TableModel


@runtime_checkable
class AppFacade(Protocol):
    model: TableModel
    hosts: dict[str, HostView]
    read_only: bool
    paused: bool
    show_host_detail: bool
    scheduler: Scheduler
    graphics: Graphics  # how the console view draws a VM's screen
    state_changed: Signal[None]  # published whenever what a screen shows changed

    @property
    def config_path(self) -> Path: ...

    def request_verb(self, verb: Verb, rows: Iterable[Row]) -> None:
        """Check, confirm when destructive or bulk, then run a verb on VMs."""

    def open_vm(self, key: str, *, reveal: bool = False) -> None: ...

    def open_checkpoints(self, key: str) -> None:
        """The checkpoints view of a VM (its row key)."""

    def open_console(self, key: str) -> None:
        """The VM's live screen and keyboard."""

    async def vm_details(self, vm: VM) -> VMDetails:
        """One VM's devices and guest, read from its host (raises HyperVError)."""

    def copy_ip(self, row: Row | None) -> None:
        """Put the VM's first IP address on the clipboard (OSC 52), or say why not."""

    def set_sort(self, column: str, reverse: bool) -> None: ...

    def toggle_column(self, key: str) -> None: ...

    def add_host_dialog(self) -> None: ...

    def remove_host_dialog(self, key: str) -> None: ...

    def edit_host_dialog(self, key: str) -> None: ...

    def trust_dialog(self, key: str) -> None:
        """Show the certificate an untrusted host showed, and pin it when the person agrees."""

    def explain(self, what: str, key: str | None) -> None:
        """Say why a key does nothing here ("login", "host" or "trust"), rather than nothing."""

    def prompt_login(self, key: str | None = None) -> None: ...

    def show_host(self, key: str | None) -> None: ...

    def toggle_host_detail(self) -> None: ...

    def clear_marks(self) -> None: ...

    def vm_history(self, host: str, key: str) -> list[tuple[int, int]]:
        """A running VM's recent (CPU %, memory MiB) samples, oldest first."""

    def show_task_log(self) -> None: ...

    def vm_label(self, row: Row) -> str:
        """The VM's name, with its host where the name alone could be another VM on screen."""

    def edit_vm_settings(self, key: str | None) -> None:
        """The VM's settings form; the change it returns is applied (refused when read-only)."""

    def change_vm_devices(self, key: str | None, kind: str) -> None:
        """The VM's ``media``, ``disk`` or ``nic`` dialog, built from its devices as the host has them."""

    def new_vm_dialog(self, host: str | None) -> None:
        """The New VM form for a host, with its switches and disk folder."""

    def delete_vm_dialog(self, key: str | None) -> None:
        """Delete a VM that is off or saved, once its name is typed."""

    def action_refresh_now(self) -> None: ...

    def action_toggle_pause(self) -> None: ...

    def action_help(self) -> None: ...
