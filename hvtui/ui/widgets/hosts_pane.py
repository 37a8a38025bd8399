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
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from hvtui.ui.hoststatus import wait_text
from hvtui.ui.hostview import HostView

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


def all_hosts_prompt(views: Iterable[HostView], width: int) -> Content:
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
    return Content("\n").join([_line(head, f"{running}/{total}", width), second])


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

    def on_mount(self) -> None:
        self.set_interval(1.0, self._count_down)

    def _count_down(self) -> None:
        """Redraw the hosts waiting for their next try, so the countdown moves."""
        for view in self._views.values():
            if view.report.retry_at is not None and not view.report.status.healthy:
                self.update_host(view)

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
        options = [Option(all_hosts_prompt(views, width), id=ALL_HOSTS)]
        options += [Option(host_prompt(v, width), id=v.key) for v in views]
        with self.prevent(OptionList.OptionHighlighted):
            self.clear_options()
            self.add_options(options)
            keys = [ALL_HOSTS, *self._views]
            self.highlighted = keys.index(current) if current in keys else 0

    def update_host(self, view: HostView) -> None:
        """Redraw one host's entry and the all-hosts totals."""
        if view.key not in self._views:
            return
        self._views[view.key] = view
        width = self._width()
        self.replace_option_prompt(view.key, host_prompt(view, width))
        self.replace_option_prompt(ALL_HOSTS, all_hosts_prompt(self._views.values(), width))

    def select_key(self, key: str | None) -> None:
        target = ALL_HOSTS if key is None else key
        try:
            self.highlighted = self.get_option_index(target)
        except OptionDoesNotExist:  # a host removed meanwhile: keep the highlight where it is
            return

    def on_resize(self) -> None:
        if self._views or self.option_count:
            self.set_hosts(list(self._views.values()))
