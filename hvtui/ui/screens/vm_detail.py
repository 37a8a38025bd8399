"""Enter on a VM: everything known about it, kept live by the refreshes; verbs act on it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Static

from hvtui.ui.describe import vm_lines
from hvtui.ui.rows import Row
from hvtui.ui.screens.verbs import VERB_BINDINGS, VerbScreen
from hvtui.ui.widgets.host_detail import render_lines


class VMDetailScreen(VerbScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        Binding("question_mark", "app.help", "Help", id="help"),
        Binding("V", "console", "Console: screen and keyboard", show=False, id="console"),
        *VERB_BINDINGS,
    ]

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self._row: Row | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with VerticalScroll(id="vm-detail"):
            yield Static(id="vm-facts", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.update_vm()

    def on_resize(self) -> None:
        self.update_vm()

    @property
    def row(self) -> Row | None:
        return self.hvtui.model.rows.get(self.key)

    def host_refreshed(self, host: str) -> None:
        """Redraw after a refresh of ``host`` if it changed this VM: an unchanged VM keeps its Row."""
        row = self.row
        if row is self._row:
            return
        seen = row if row is not None else self._row
        if seen is not None and seen.host == host:
            self.update_vm()

    def update_vm(self) -> None:
        """Redraw from the latest refresh (called by the app after each one of the VM's host)."""
        facts = self.query_one("#vm-facts", Static)
        box = self.query_one("#vm-detail")
        row = self.row
        if row is None:
            name = self._row.vm.name if self._row else "This VM"
            facts.update(f"{name} is no longer on its host (deleted, or the host is not answering).")
            box.border_title = Content(name)  # plain text: VM names may hold "[...]"
            return
        self._row = row
        view = self.hvtui.hosts.get(row.host)
        host_name = view.name if view else row.host
        lines = vm_lines(row.vm, host_name, self.hvtui.model.jobs.get(row.key))
        width = max(20, box.content_region.width or self.app.size.width - 4)
        facts.update(render_lines(lines, width))
        box.border_title = Content(f"{row.vm.name} on {view.short_name if view else row.host}")
        self.refresh_footer()

    def action_console(self) -> None:
        self.hvtui.open_console(self.key)

    def verb_targets(self) -> list[Row]:
        row = self.row
        return [row] if row is not None else []
