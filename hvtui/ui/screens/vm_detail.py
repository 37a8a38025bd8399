"""Enter on a VM: everything known about it, kept live by the refreshes; verbs act on it.

Above the facts, the VM's CPU and memory over the last refreshes as sparklines: the samples
the refreshes brought anyway (see :class:`~hvtui.ui.rows.RowBuilder`), a bounded history.
Below them, its Devices, Network and Guest: read from the host when the screen opens, and
again whenever the host's inventory is (on connect, every 30 s, after actions), not at every
refresh.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Label, Sparkline, Static

from hvtui.hyperv.devices import VMDetails
from hvtui.hyperv.errors import HyperVError
from hvtui.present.devices import vm_sections
from hvtui.present.formats import memory_cell
from hvtui.ui.describe import vm_lines
from hvtui.ui.rows import Row
from hvtui.ui.screens.verbs import VERB_BINDINGS, VerbScreen
from hvtui.ui.widgets.host_detail import LABEL, render_lines, render_pairs


class VMDetailScreen(VerbScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        Binding("question_mark", "app.help", "Help", id="help"),
        Binding("V", "console", "Console: screen and keyboard", show=False, id="console"),
        *VERB_BINDINGS,
        Binding("c", "copy_ip", "Copy IP", id="copy-ip"),
    ]

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self._row: Row | None = None
        self._inside: VMDetails | str = "Reading its devices …"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with VerticalScroll(id="vm-detail"):
            for kind, title in (("cpu", "CPU"), ("memory", "Memory")):
                with Horizontal(id=f"{kind}-trend", classes="trend"):
                    yield Label(title, classes="trend-title")
                    yield Sparkline([], id=f"{kind}-history")
                    yield Label("", id=f"{kind}-range", classes="trend-range", markup=False)
            yield Static(id="vm-facts", markup=False)
            yield Static(id="vm-inside", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.update_vm()
        self.read_inside()

    def on_resize(self) -> None:
        self.update_vm()

    @property
    def row(self) -> Row | None:
        return self.hvtui.model.rows.get(self.key)

    def host_refreshed(self, host: str) -> None:
        """Redraw after a refresh of ``host`` if it changed this VM: an unchanged VM keeps its Row.
        Devices are read again when the refresh read the host's inventory again."""
        row = self.row
        seen = row if row is not None else self._row
        view = self.hvtui.hosts.get(host)
        snapshot = view.snapshot if view is not None else None
        if row is not None and row.host == host and snapshot is not None and snapshot.inventory_refreshed:
            self.read_inside()
        if row is self._row:
            return
        if seen is not None and seen.host == host:
            self.update_vm()

    @property
    def inside_read(self) -> bool:
        """Whether the Devices, Network and Guest sections show a read (or why it failed)."""
        return not isinstance(self._inside, str) or self._inside.startswith("Could not")

    def read_inside(self) -> None:
        row = self.row
        if row is not None:
            self.run_worker(self._read(row), exclusive=True, group="inside", exit_on_error=False)

    async def _read(self, row: Row) -> None:
        try:
            self._inside = await self.hvtui.vm_details(row.vm)
        except HyperVError as exc:
            self._inside = f"Could not read its devices: {exc}"
        if self.is_mounted:
            self.update_vm()
            self.hvtui.state_changed.publish(None)

    def _render_inside(self, width: int) -> Content:
        if isinstance(self._inside, str):
            return Content.assemble((self._inside, LABEL))
        parts = []
        for title, pairs in vm_sections(self._inside):
            parts.append(Content.assemble("\n", (title, "bold")))
            parts.append(render_pairs(pairs, width))
        return Content("\n").join(parts)

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
        # The sections' lines are long (disk paths): cut them where the scrollbar starts.
        inside_width = max(20, box.scrollable_content_region.width or width)
        self.query_one("#vm-inside", Static).update(self._render_inside(inside_width))
        box.border_title = Content(f"{row.vm.name} on {view.short_name if view else row.host}")
        self._show_history(row, width)
        self.refresh_footer()

    def action_console(self) -> None:
        self.hvtui.open_console(self.key)

    def action_copy_ip(self) -> None:
        self.hvtui.copy_ip(self.row)

    def _show_history(self, row: Row, width: int) -> None:
        samples = self.hvtui.vm_history(row.host, row.key)
        room = max(4, width - 40)  # the title before, the range after
        for kind, series, text in (
            ("cpu", [cpu for cpu, _ in samples], lambda v: f"{v}%"),
            ("memory", [mib for _, mib in samples], memory_cell),
        ):
            values = series[-room:]
            shown = len(values) >= 2  # one sample is no history yet
            self.query_one(f"#{kind}-trend").display = shown
            if not shown:
                continue
            spark = self.query_one(f"#{kind}-history", Sparkline)
            spark.data = values
            spark.styles.width = len(values)
            low, high = min(values), max(values)
            spread = text(low) if low == high else f"{text(low)}–{text(high)}"
            refreshes = f"{len(values)} refresh{'es' if len(values) != 1 else ''}"
            summary = f"now {text(values[-1])} · {spread} over {refreshes}"
            self.query_one(f"#{kind}-range", Label).update(summary)

    def verb_targets(self) -> list[Row]:
        row = self.row
        return [row] if row is not None else []
