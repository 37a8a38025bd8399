"""The hosts pane: "All hosts" first, then each host with its release, VM counts and status."""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.hostview import HostView

ALL_HOSTS = "*"  # the option id of the all-hosts entry (never a URI)

_STATUS_STYLE = {
    "ok": "$text-success",
    "busy": "$text-accent",
    "warning": "$text-warning",
    "error": "$text-error",
}


def _line(left: Content, right: str, width: int) -> Content:
    room = max(1, width - len(right) - 1)
    return Content.assemble(left.truncate(room, ellipsis=True, pad=True), " ", right)


def host_prompt(view: HostView, width: int) -> Content:
    """Two lines: name, release and running/total; then the status (and TLS when unverified)."""
    counts = f"{view.running}/{view.total}" if view.snapshot is not None else ""
    head = Content.assemble((view.short_name, "bold"))
    status = view.report
    style = _STATUS_STYLE[status.status.style]
    text = status.text()
    parts: list[tuple[str, str] | str] = ["  "]
    if view.release_short:
        parts += [(view.release_short, "$text-muted"), " · "]
    parts.append((text, style))
    if view.tls_verified is False:
        parts += [" · ", ("TLS not verified", "$text-warning")]
    second = Content.assemble(*parts).truncate(width, ellipsis=True)
    return Content("\n").join([_line(head, counts, width), second])


def all_hosts_prompt(views: Iterable[HostView], width: int) -> Content:
    views = list(views)
    running = sum(v.running for v in views)
    total = sum(v.total for v in views)
    head = Content.assemble(("All hosts", "bold"))
    problems = sum(1 for v in views if not v.status.healthy and v.status is not HostStatus.CONNECTING)
    detail = f"  {len(views)} host{'s' if len(views) != 1 else ''}"
    second = Content.assemble(
        (detail, "$text-muted"),
        ((f" · {problems} not ok", "$text-warning") if problems else ""),
    ).truncate(width, ellipsis=True)
    return Content("\n").join([_line(head, f"{running}/{total}", width), second])


class HostsPane(OptionList):
    """An OptionList whose options are hosts; highlighting one switches the VM table to it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._views: dict[str, HostView] = {}

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
