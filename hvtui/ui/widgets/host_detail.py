"""The host detail pane: release, versions, CPU and its load history, memory, uptime, VMs, connection."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Label, Sparkline

from hvtui.ui.describe import Pair, host_lines
from hvtui.ui.hostview import HostView

LABEL = "$text-muted"
# Below this width the pairs stack in one column.
TWO_COLUMNS_FROM = 100
VALUE_LINES = 2  # in the host detail, a long value wraps over at most these many lines


def render_lines(pairs: list[Pair], width: int, split: int | None = None, value_lines: int = 1) -> Content:
    """One column when narrow, else two: the pairs before ``split`` (default: half) on the left."""
    if width < TWO_COLUMNS_FROM:
        return render_pairs(pairs, width, value_lines)
    middle = (len(pairs) + 1) // 2 if split is None else split
    return two_columns(pairs[:middle], pairs[middle:], width, value_lines)


def render_pairs(pairs: list[Pair], width: int, value_lines: int = 1) -> Content:
    """Label/value lines; a long value wraps over ``value_lines`` lines, the last cut with an ellipsis."""
    label_width = max((len(label) for label, _ in pairs), default=0) + 1
    room = max(4, width - label_width - 1)
    lines = []
    for label, value in pairs:
        wrapped = Content(value).wrap(room)
        if len(wrapped) > value_lines:
            rest = Content(" ").join(wrapped[value_lines - 1 :])
            wrapped = [*wrapped[: value_lines - 1], rest.truncate(room, ellipsis=True)]
        for index, line in enumerate(wrapped or [Content("")]):
            head = label if index == 0 else ""
            lines.append(Content.assemble((head.ljust(label_width), LABEL), " ", line.rstrip()))
    return Content("\n").join(lines)


def two_columns(left: list[Pair], right: list[Pair], width: int, value_lines: int = 1) -> Content:
    half = (width - 2) // 2
    a = render_pairs(left, half, value_lines).split("\n")
    b = render_pairs(right, width - half - 2, value_lines).split("\n")
    rows = []
    for index in range(max(len(a), len(b))):
        first = a[index] if index < len(a) else Content("")
        second = b[index] if index < len(b) else Content("")
        rows.append(Content.assemble(first.pad_right(half - first.cell_length), "  ", second))
    return Content("\n").join(rows)


class HostDetail(Vertical):
    """Shows the host of the current view (or of the cursor's VM in the all-hosts view)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: HostView | None = None

    def compose(self) -> ComposeResult:
        yield HostFacts(id="host-facts")
        with Horizontal(id="host-load"):
            yield Label("", id="host-load-label")
            yield Sparkline([], id="host-load-chart")
            yield Label("", id="host-load-range")

    @property
    def facts(self) -> HostFacts:
        return self.query_one(HostFacts)

    @property
    def text(self) -> str:
        """What the pane says (its text, without the load chart)."""
        return str(self.facts.render())

    def on_mount(self) -> None:
        self.query_one("#host-load").display = False

    def show(self, view: HostView | None) -> None:
        self.view = view
        self.facts.show(view)
        history = list(view.load_history) if view is not None else []
        row = self.query_one("#host-load")
        row.display = len(history) >= 2
        if len(history) >= 2:
            chart = self.query_one(Sparkline)
            chart.styles.width = len(history)
            chart.data = history
            label = self.query_one("#host-load-label", Label)
            label.styles.width = self.facts.label_width + 1
            label.update("CPU history")
            self.query_one("#host-load-range", Label).update(
                f" last {len(history)} refreshes · low {min(history)}% · high {max(history)}%"
            )


class HostFacts(Widget):
    """The host's facts as label/value lines, built once per refresh of the host shown."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: HostView | None = None
        self._pairs: list[Pair] = []
        self.label_width = 0
        self._shown: tuple[object, ...] = ()
        self._cache: tuple[tuple[object, ...], int, Content] | None = None

    def show(self, view: HostView | None) -> None:
        """Show a host; nothing to do when nothing about it changed (the cursor moves often)."""
        self.view = view
        shown: tuple[object, ...] = (None,)
        if view is not None:
            shown = (view.key, id(view.snapshot), view.report, view.connection, view.tls_pin)
        if shown == self._shown:
            return
        self._shown = shown
        # Built once per refresh of the shown host, not once per frame.
        self._pairs = host_lines(view) if view is not None else []
        self.label_width = max((len(label) for label, _ in self._pairs), default=0) + 1
        self._cache = None
        self.refresh(layout=True)

    def _content(self, width: int) -> Content:
        cache = self._cache
        if cache is not None and cache[0] == self._shown and cache[1] == width:
            return cache[2]
        if self.view is None:
            content = Content.assemble(("No host selected", LABEL))
        else:
            pairs = self._pairs
            split = next((i for i, (label, _) in enumerate(pairs) if label == "VMs"), len(pairs) // 2)
            content = render_lines(pairs, width, split, VALUE_LINES)
        self._cache = (self._shown, width, content)
        return content

    def render(self) -> Content:
        return self._content(max(20, self.content_region.width))

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[no-untyped-def]
        return len(self._content(max(20, width)).split("\n"))
