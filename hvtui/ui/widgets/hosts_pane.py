"""The hosts pane: "All hosts" first, then each host with its release, VM counts and status.

A host's entry keeps its status word still while a refresh runs (see the scheduler), wraps
the reason of a failure over a few lines (without the host's own address, which its name
above already gives), and counts down to the next try of a failing host.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from hvtui.ui.hoststatus import wait_text
from hvtui.ui.hostview import HostView
from hvtui.ui.widgets.virtual_size import set_virtual_size

ALL_HOSTS = "*"  # the option id of the all-hosts entry (never a URI)
REASON_LINES = 3  # a failure's reason wraps over at most these many lines

_STATUS_STYLE = {
    "ok": "$text-success",
    "busy": "$text-accent",
    "warning": "$text-warning",
    "error": "$text-error",
}


def _line(left: Content, right: str, width: int) -> Content:
    room = max(1, width - len(right) - 1)
    return Content.assemble(left.truncate(room, ellipsis=True, pad=True), " ", right)


def reason_of(view: HostView) -> str:
    """The report's reason without a leading mention of the host's own address."""
    reason = view.report.error or ""
    uri = view.uri
    if uri is not None:
        for prefix in (f"{uri.display_host}:{uri.effective_port}", uri.display_host):
            for sep in (": ", " "):
                if reason.startswith(prefix + sep):
                    reason = reason[len(prefix) + len(sep) :]
                    return reason[:1].upper() + reason[1:]
    return reason


def _wrapped(text: str, width: int, style: str, lines: int) -> list[Content]:
    """``text`` over at most ``lines`` lines of ``width`` (less an indent), the last cut with …."""
    room = max(4, width - 2)
    wrapped = Content(text).wrap(room)
    if len(wrapped) > lines:
        wrapped = [
            *wrapped[: lines - 1],
            Content(" ").join(wrapped[lines - 1 :]).truncate(room, ellipsis=True),
        ]
    return [Content.assemble("  ", line.stylize(style)) for line in wrapped]


def host_prompt(view: HostView, width: int, now: float | None = None) -> Content:
    """Name and running/total; release, status and CPU load; then why, and when it is tried again."""
    counts = f"{view.running}/{view.total}" if view.snapshot is not None else ""
    head = Content.assemble((view.short_name, "bold"))
    report = view.report
    style = _STATUS_STYLE[report.status.style]
    parts: list[tuple[str, str] | str] = ["  "]
    if view.release_short:
        parts += [(view.release_short, "$text-muted"), " · "]
    parts.append((report.status.value, style))
    if view.tls_verified is False:
        parts += [" · ", ("TLS not verified", "$text-warning")]
    status = Content.assemble(*parts)
    if view.cpu_load is not None and report.status.healthy:
        with_load = Content.assemble(status, " · ", (f"CPU {view.cpu_load}%", "$text-muted"))
        status = with_load if with_load.cell_length <= width else status  # the detail has it too
    lines = [_line(head, counts, width), status.truncate(width, ellipsis=True)]
    reason = reason_of(view) if not report.status.healthy else ""
    if reason:
        lines += _wrapped(reason, width, style, REASON_LINES)
    if report.activity:
        lines += _wrapped(report.activity, width, "$text-muted", 1)
    if report.retry_at is not None and not report.status.healthy:
        left = report.retry_at - (time.monotonic() if now is None else now)
        lines += _wrapped(f"retry in {wait_text(left)}", width, "$text-muted", 1)
    return Content("\n").join(lines)


def all_hosts_prompt(views: Iterable[HostView], width: int, cadence: str | None = None) -> Content:
    """Totals; with hosts off screen, how often they refresh beside those on screen."""
    views = list(views)
    running = sum(v.running for v in views)
    total = sum(v.total for v in views)
    head = Content.assemble(("All hosts", "bold"))
    problems = sum(1 for v in views if v.report.failing)
    detail = f"  {len(views)} host{'s' if len(views) != 1 else ''}"
    second = Content.assemble(
        (detail, "$text-muted"),
        ((f" · {problems} not ok", "$text-warning") if problems else ""),
    )
    if second.cell_length > width:
        second = Content.assemble(("  ", ""), (f"{problems} of {len(views)} not ok", "$text-warning"))
    second = second.truncate(width, ellipsis=True)
    lines = [_line(head, f"{running}/{total}", width), second]
    if cadence:
        lines += _wrapped(cadence, width, "$text-muted", 4)
    return Content("\n").join(lines)


def _height(prompt: object) -> int:
    """Lines of a prompt: each is cut to the pane's width, so none wraps."""
    return prompt.plain.count("\n") + 1 if isinstance(prompt, Content) else 1


class HostsPane(OptionList):
    """An OptionList whose options are hosts; highlighting one switches the VM table to it."""

    # The VM table's vim keys, here too: ? lists them for both panes.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._views: dict[str, HostView] = {}
        self._prompt_lines: dict[str, int] = {}  # lines of each option's prompt, as last set
        self.cadence: str | None = None  # how often hosts off screen refresh (None: all are on it)

    def on_mount(self) -> None:
        self.set_interval(1.0, self._count_down)

    def _count_down(self) -> None:
        """Redraw the hosts waiting for their next try, so the countdown moves."""
        waiting = [
            v for v in self._views.values() if v.report.retry_at is not None and not v.report.status.healthy
        ]
        if waiting:
            self.update_hosts(waiting)
            self.update_totals()

    @property
    def selected_key(self) -> str | None:
        """The highlighted host's key, or None for "All hosts"."""
        option = self.highlighted_option
        if option is None or option.id == ALL_HOSTS:
            return None
        return option.id

    def _width(self) -> int:
        """Room for text in an option (the region less the options' padding)."""
        width = self.scrollable_content_region.width or self.size.width
        return max(12, width - 2)

    def set_hosts(self, views: list[HostView]) -> None:
        """Rebuild the list (hosts added or removed), keeping the highlight on the same entry.

        No highlight message is sent: the caller brings the table's scope up to date.
        """
        current = self.highlighted_option.id if self.highlighted_option is not None else ALL_HOSTS
        self._views = {v.key: v for v in views}
        width = self._width()
        options = [Option(all_hosts_prompt(views, width, self.cadence), id=ALL_HOSTS)]
        options += [Option(host_prompt(v, width), id=v.key) for v in views]
        self._prompt_lines = {str(o.id): _height(o.prompt) for o in options}
        with self.prevent(OptionList.OptionHighlighted):
            self.clear_options()
            self.add_options(options)
            keys = [ALL_HOSTS, *self._views]
            self.highlighted = keys.index(current) if current in keys else 0

    def update_hosts(self, views: Iterable[HostView]) -> None:
        """Redraw these hosts' entries (the all-hosts totals follow in :meth:`update_totals`)."""
        width = self._width()
        moved: list[int] = []  # options whose height changed: the lines below them move
        for view in views:
            if view.key in self._views:
                self._views[view.key] = view
                moved += self._set_prompt(view.key, host_prompt(view, width))
        if moved:
            self._lay_out_from(min(moved))

    def update_totals(self) -> None:
        self._set_totals(all_hosts_prompt(self._views.values(), self._width(), self.cadence))

    def set_cadence(self, text: str | None) -> None:
        """Say how often the hosts off screen refresh (None: every host is on screen)."""
        if text != self.cadence:
            self.cadence = text
            self.update_totals()

    def _set_totals(self, prompt: Content) -> None:
        moved = self._set_prompt(ALL_HOSTS, prompt)
        if moved:
            self._lay_out_from(moved[0])

    def _set_prompt(self, key: str, prompt: Content) -> list[int]:
        """Replace one prompt and draw only it again; returns its index when its height changed
        (the caller lays the options out again from there, once for all of them).

        Textual's own replacement forgets every option's drawing and measures all of them again,
        which a thousand hosts made the main cost of the UI."""
        try:
            index = self.get_option_index(key)
        except OptionDoesNotExist:
            return []
        option = self.get_option_at_index(index)
        option._set_prompt(prompt)
        cache = self._option_render_cache
        drawn = [k for k in cache.keys() if k[0] is option]  # noqa: SIM118 - not iterable itself
        for stale in drawn:
            cache.discard(stale)
        height = _height(prompt)
        if self._prompt_lines.get(key) != height:
            self._prompt_lines[key] = height
            return [index]
        line = self._index_to_line.get(index)
        if line is not None:
            self.refresh_lines(line, height)
        return []

    def _lay_out_from(self, index: int) -> None:
        """Lines of the options from ``index`` on, from their known heights (each line of a prompt
        is cut to the width, so none wraps), and the whole pane drawn again: what lies below moved."""
        lines_of = self._line_cache
        first = lines_of.index_to_line.get(index)
        if first is not None:
            del lines_of.lines[first:]
            options = self.options
            heights = self._prompt_lines
            for position in range(index, len(options)):
                height = heights.get(str(options[position].id), 1)
                lines_of.index_to_line[position] = len(lines_of.lines)
                lines_of.heights[position] = height
                lines_of.lines.extend((position, offset) for offset in range(height))
            width = self.scrollable_content_region.width - self._get_left_gutter_width()
            set_virtual_size(self, Size(width, len(lines_of.lines)))
        self._update_lines()  # lays out what is not laid out yet (nothing, when the above ran)
        self.refresh()

    def visible_keys(self) -> set[str]:
        """The hosts whose entries are (partly) on screen now."""
        lines = self._lines
        top = int(self.scroll_y)
        bottom = min(len(lines), top + self.scrollable_content_region.height)
        options = self.options
        shown = {options[lines[y][0]].id for y in range(top, bottom)}
        return {key for key in shown if key is not None and key != ALL_HOSTS}

    def select_key(self, key: str | None) -> None:
        target = ALL_HOSTS if key is None else key
        try:
            self.highlighted = self.get_option_index(target)
        except OptionDoesNotExist:  # a host removed meanwhile: keep the highlight where it is
            return

    def on_resize(self) -> None:
        if self._views or self.option_count:
            self.set_hosts(list(self._views.values()))
