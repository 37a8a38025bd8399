"""The main screen: hosts on the left, their VMs on the right, the host's details below."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, OptionList, Static

from hvtui.ui.columns import BY_KEY
from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.rows import Row
from hvtui.ui.screens.changes import MAIN_CHANGE_BINDINGS, ChangeScreen
from hvtui.ui.screens.empty_texts import first_run_text, waiting_text
from hvtui.ui.screens.verbs import VERB_BINDINGS
from hvtui.ui.tablemodel import Change
from hvtui.ui.widgets.host_detail import HostDetail
from hvtui.ui.widgets.hosts_pane import HostsPane
from hvtui.ui.widgets.title_bar import TitleBar
from hvtui.ui.widgets.vm_table import VMTable

FILTER_HINT = "filter: words in name, host, state, status or GUID — ~regex — ! inverts — esc clears"
NARROW = 140  # below these many columns the hosts pane gets narrower
TIGHT = 100  # ... and below these, narrower still: the VM table needs the room


# The keys people use most, shown in the footer after the verbs while the width allows, in
# this order: the footer cannot scroll, so what does not fit is left out rather than cut.
HANDY_KEYS: dict[str, tuple[str, str]] = {  # key: (its action here, its word in the footer)
    "enter": ("open", "Details"),
    "space": ("mark", "Mark"),
    "i": ("toggle_detail", "Host info"),
    "o": ("sort_next", "Sort"),
    "tab": ("app.focus_next", "Next pane"),
}


class MainScreen(ChangeScreen):
    _titles: tuple[str, str] | None = None
    BINDINGS: ClassVar[list[BindingType]] = [
        # A priority binding runs before the keys typed after it are routed: "/backup" typed
        # in one go all lands in the filter, none of it on the table.
        Binding("slash", "filter", "Filter", id="filter", priority=True),
        Binding("question_mark", "app.help", "Help", id="help"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        *VERB_BINDINGS,
        *MAIN_CHANGE_BINDINGS,
        Binding("space", "mark", "Mark and move down", show=False, id="mark"),
        Binding("M", "mark_shown", "Mark every VM shown (again: clear marks)", show=False, id="mark-shown"),
        Binding("U", "clear_marks", "Clear marks", show=False, id="clear-marks"),
        Binding("o", "sort_next", "Sort by next column (numbers: biggest first)", show=False, id="sort"),
        Binding("O", "sort_reverse", "Reverse the sort", show=False, id="sort-reverse"),
        Binding("i", "toggle_detail", "Host info", show=False, id="host-detail"),
        Binding("S", "checkpoints", "Checkpoints (snapshots)", show=False, id="checkpoints"),
        Binding("c", "copy_ip", "Copy the VM's IP", show=False, id="copy-ip"),
        Binding("a", "add_host", "Add host", show=False, id="add-host"),
        Binding("e", "edit_host", "Edit host (URI, CA file, pin)", show=False, id="edit-host"),
        Binding("delete,D", "remove_host", "Remove host", show=False, id="remove-host"),
        Binding("C", "trust", "Trust the host's certificate", id="trust"),
        Binding("l", "login", "Log in", id="login"),
        Binding("V", "console", "Console: screen and keyboard", show=False, id="console"),
        # Where the keys above do not apply, the same keys say why instead of doing nothing.
        Binding("l", "explain('login')", show=False),
        Binding("delete,D,e", "explain('host')", show=False),
        Binding("C", "explain('trust')", show=False),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def compose(self) -> ComposeResult:
        app = self.hvtui
        yield TitleBar(show_clock=False, icon="≡")
        with Horizontal(id="body"):
            yield HostsPane(id="hosts")
            with Vertical(id="right"):
                yield Input(id="filter", placeholder=FILTER_HINT)
                yield VMTable(app.model, id="vms")
                yield Static(first_run_text(str(app.config_path)), id="first-run", markup=False)
                yield HostDetail(id="host-detail")
        yield Footer(show_command_palette=False)

    @property
    def table(self) -> VMTable:
        return self.query_one(VMTable)

    @property
    def hosts_pane(self) -> HostsPane:
        return self.query_one(HostsPane)

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self.query_one(HostDetail).display = self.hvtui.show_host_detail
        self.hosts_changed()
        self.table.focus()
        self._narrow(self.app.size.width)

    def on_resize(self) -> None:
        self._narrow(self.app.size.width)

    def _narrow(self, width: int) -> None:
        self.set_class(width < NARROW, "-narrow")
        self.set_class(width < TIGHT, "-tight")
        self.refresh_footer()  # the handy keys that fit depend on the width

    # -- footer -------------------------------------------------------------------------------

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's, with the handy keys shown after the others while they fit the width."""
        active = super().active_bindings
        if not self.is_mounted:
            return active
        shown = [key for key, item in active.items() if item.binding.show]
        room = self.app.size.width - sum(self._footer_width(active[key].binding) for key in shown)
        handy: dict[str, ActiveBinding] = {}
        for key, (action, description) in HANDY_KEYS.items():
            item = active.get(key)
            if item is None or not item.enabled or item.binding.action != action:
                continue  # not what the key does where the focus is (enter in the hosts pane)
            binding = replace(item.binding, description=description, show=True)
            room -= self._footer_width(binding)
            if room < 0:
                break
            handy[key] = item._replace(binding=binding)
        if not handy:
            return active
        # Before Quit, which ends the footer.
        ordered = {key: item for key, item in active.items() if key not in handy and key != "q"}
        ordered.update(handy)
        if "q" in active:
            ordered["q"] = active["q"]
        return ordered

    def _footer_width(self, binding: Binding) -> int:
        return len(self.app.get_key_display(binding)) + len(binding.description) + 3

    # -- what the app tells the screen ------------------------------------------------------------

    def hosts_changed(self) -> None:
        """Hosts were added or removed."""
        views = list(self.hvtui.hosts.values())
        self.hosts_pane.set_hosts(views)
        empty = not views
        self.query_one("#first-run").display = empty
        self.table.display = not empty
        self._scope_changed()

    def host_changed(self, key: str) -> None:
        """A host's status or counts changed: its entry, and what sums over every host."""
        self.hosts_updated((key,))
        self.totals_changed()  # a host's status decides whether "l Log in" applies

    def hosts_updated(self, keys: Collection[str]) -> None:
        """Hosts' statuses or counts changed; what sums over every host follows separately
        (:meth:`totals_changed`, see :mod:`hvtui.ui.redraw`)."""
        hosts = self.hvtui.hosts
        views = [hosts[key] for key in keys if key in hosts]
        if not views:
            return
        self.hosts_pane.update_hosts(views)
        detail = self._detail_host()
        if detail in keys and detail in hosts:
            self.query_one(HostDetail).show(hosts[detail])
        self._update_empty_text()

    def totals_changed(self) -> None:
        self.hosts_pane.update_totals()
        self.refresh_footer()

    def rows_changed(self, change: Change | None = None) -> None:
        self.table.update_view(change)
        self._update_title()
        self.refresh_footer()

    def job_changed(self, key: str) -> None:
        self.table.update_view(Change(dirty={key}))

    # -- view ---------------------------------------------------------------------------------

    def action_copy_ip(self) -> None:
        self.hvtui.copy_ip(self.hvtui.model.cursor_row)

    def _detail_host(self) -> str | None:
        scope = self.hvtui.model.scope
        if scope is not None:
            return scope
        row = self.hvtui.model.cursor_row
        if row is not None:
            return row.host
        return next(iter(self.hvtui.hosts), None)

    def _show_detail(self) -> None:
        detail = self.query_one(HostDetail)
        if detail.display:
            key = self._detail_host()
            detail.show(self.hvtui.hosts.get(key) if key else None)

    def _update_title(self) -> None:
        model = self.hvtui.model
        scope = model.scope
        if scope is None:
            where = "All hosts"
            total = len(model.rows)
        else:
            view = self.hvtui.hosts.get(scope)
            where = view.short_name if view else scope
            total = len(model.by_host.get(scope, {}))
        shown = len(model.order)
        parts = [where, f"{total} VM{'s' if total != 1 else ''}"]
        if model.filter.active:
            parts.append(f"filter “{model.filter.text}”: {shown} shown")
        if model.filter.error:
            parts.append(model.filter.error)
        if model.marks:
            hidden = model.hidden_marks
            parts.append(f"{len(model.marks)} marked" + (f" ({hidden} not shown)" if hidden else ""))
        stale = sum(1 for key in model.order if model.rows[key].host in model.stale) if model.stale else 0
        if stale:
            parts.append(f"{stale} stale")
        column = BY_KEY[model.sort_column].title
        title = " · ".join(parts)
        subtitle = f"sorted by {column}{'▼' if model.sort_reverse else '▲'}"
        # Textual repaints the whole widget whenever a border title is set, even to the same text:
        # set only what changed, so a refresh repaints just the lines whose VMs changed.
        if (title, subtitle) != self._titles:
            self._titles = (title, subtitle)
            self.table.border_title = Content(title)  # plain text: a filter may hold "[/]"
            self.table.border_subtitle = Content(subtitle)

    def _update_empty_text(self) -> None:
        model = self.hvtui.model
        if model.filter.active:
            text = f"No VM matches “{model.filter.text}”. Esc clears the filter."
        elif model.scope is not None:
            view = self.hvtui.hosts.get(model.scope)
            if view is None or view.snapshot is None:
                text = view.report.text() if view else ""
                busy = view is not None and view.status in (HostStatus.CONNECTING, HostStatus.REFRESHING)
                text = f"{text[:1].upper()}{text[1:]}{'…' if busy else ''}"
            else:
                text = "This host has no VMs."
        elif not model.rows:
            text = waiting_text(self.hvtui.hosts.values())
        else:
            text = ""
        if text != self.table.empty_text:
            self.table.empty_text = text
            if not model.order:
                self.table.refresh()

    def _scope_changed(self) -> None:
        key = self.hosts_pane.selected_key
        self.hvtui.model.set_scope(key)
        self.table.update_view()
        self._update_title()
        self._update_empty_text()
        self._show_detail()
        self.refresh_footer()

    @on(OptionList.OptionHighlighted, "#hosts")
    def _host_highlighted(self) -> None:
        self._scope_changed()

    @on(OptionList.OptionSelected, "#hosts")
    def _host_selected(self) -> None:
        self.table.focus()

    @on(VMTable.CursorMoved)
    def _cursor_moved(self) -> None:
        if self.hvtui.model.scope is None:
            self._show_detail()
        self.refresh_footer()

    @on(VMTable.Opened)
    def _opened(self, event: VMTable.Opened) -> None:
        self.hvtui.open_vm(event.key)

    def action_console(self) -> None:
        key = self.hvtui.model.cursor_key
        if key is not None:
            self.hvtui.open_console(key)

    @on(VMTable.SortRequested)
    def _sort_requested(self, event: VMTable.SortRequested) -> None:
        model = self.hvtui.model
        if event.column == model.sort_column:
            self.hvtui.set_sort(event.column, not model.sort_reverse)
        else:
            self.hvtui.set_sort(event.column, BY_KEY[event.column].descending_first)

    @on(VMTable.MarkRequested)
    def _mark_requested(self, event: VMTable.MarkRequested) -> None:
        self.hvtui.model.toggle_mark(event.key)
        self.table.refresh_row(event.key)
        self._update_title()
        self.refresh_footer()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self.hvtui.model.set_filter(event.value):
            self.table.update_view()
            self._update_title()
            self._update_empty_text()
            self.refresh_footer()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        model = self.hvtui.model
        model.move_cursor(model.cursor)  # the VM found with the filter stays chosen once it is cleared
        self.table.focus()
        if not self.hvtui.model.filter.text:
            self.query_one("#filter").display = False

    # -- actions ------------------------------------------------------------------------------

    def verb_targets(self) -> list[Row]:
        return self.hvtui.model.targets()

    def footer_signature(self) -> tuple[object, ...]:
        return (
            *super().footer_signature(),
            self.check_action("login", ()),
            self.check_action("trust", ()),
            self.app.size.width // 4,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "login":
            # Offered when a host waits for a password (the selected one, or any in All hosts);
            # the palette offers "Log in again" for the others.
            key = self.hosts_pane.selected_key
            if key is None:
                return any(v.status is HostStatus.AUTH_NEEDED for v in self.hvtui.hosts.values())
            view = self.hvtui.hosts.get(key)
            return view is not None and view.uri is not None and view.status is HostStatus.AUTH_NEEDED
        if action in ("remove_host", "edit_host"):
            return self.hosts_pane.selected_key is not None
        if action == "trust":
            view = self.hvtui.hosts.get(self.hosts_pane.selected_key or "")
            return view is not None and view.report.certificate is not None
        if action == "explain":
            return not self.check_action(str(parameters[0]) if parameters[0] != "host" else "remove_host", ())
        if action == "clear_filter":
            return self.hvtui.model.filter.active or self.query_one("#filter").display
        return super().check_action(action, parameters)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if self.focused is box:
            box.insert_text_at_cursor("/")  # a "/" typed in the filter is just a character
            return
        box.display = True
        # At once, not on the next turn of the queue: what is typed right after "/" is the filter.
        self.set_focus(box)

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        self.table.focus()

    def action_mark(self) -> None:
        model = self.hvtui.model
        key = model.cursor_key
        if key is None:
            return
        model.toggle_mark(key)
        self.table.refresh_row(key)
        self.table.action_cursor_down()
        self._update_title()
        self.refresh_footer()

    def action_clear_marks(self) -> None:
        self.clear_marks()

    def action_mark_shown(self) -> None:
        if self.hvtui.model.toggle_marks_shown():
            self.table.refresh()
            self._update_title()
            self.refresh_footer()

    def clear_marks(self) -> None:
        if self.hvtui.model.clear_marks():
            self.table.refresh()
            self._update_title()
            self.refresh_footer()

    def action_sort_next(self) -> None:
        column = self.hvtui.model.next_sort_column()
        self.hvtui.set_sort(column, BY_KEY[column].descending_first)

    def action_sort_reverse(self) -> None:
        model = self.hvtui.model
        self.hvtui.set_sort(model.sort_column, not model.sort_reverse)

    def action_toggle_detail(self) -> None:
        self.toggle_detail()

    def toggle_detail(self) -> None:
        detail = self.query_one(HostDetail)
        detail.display = not detail.display
        self.hvtui.show_host_detail = detail.display
        self._show_detail()
        self.table.scroll_to_cursor()

    def action_checkpoints(self) -> None:
        key = self.hvtui.model.cursor_key
        if key is None:
            self.app.notify("No VM selected", severity="warning")
            return
        self.hvtui.open_checkpoints(key)

    def action_add_host(self) -> None:
        self.hvtui.add_host_dialog()

    def action_remove_host(self) -> None:
        key = self.hosts_pane.selected_key
        if key is not None:
            self.hvtui.remove_host_dialog(key)

    def action_login(self) -> None:
        self.hvtui.prompt_login(self.hosts_pane.selected_key)

    def action_edit_host(self) -> None:
        key = self.hosts_pane.selected_key
        if key is not None:
            self.hvtui.edit_host_dialog(key)

    def action_trust(self) -> None:
        key = self.hosts_pane.selected_key
        if key is not None:
            self.hvtui.trust_dialog(key)

    def action_explain(self, what: str) -> None:
        self.hvtui.explain(what, self.hosts_pane.selected_key)

    def sort_changed(self) -> None:
        self.table.update_view()  # with no change given, it redraws everything
        self._update_title()
