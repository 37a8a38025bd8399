"""The host detail pane: release, versions, CPU, memory, uptime, VM counts and the connection."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from hvtui.ui.describe import Pair, host_lines
from hvtui.ui.hostview import HostView

LABEL = "$text-muted"
# Below this width the pairs stack in one column.
TWO_COLUMNS_FROM = 100


def render_pairs(pairs: list[Pair], width: int) -> Content:
    """Label/value lines; long values are cut with an ellipsis so each stays one line."""
    label_width = max((len(label) for label, _ in pairs), default=0) + 1
    lines = []
    for label, value in pairs:
        room = max(4, width - label_width - 1)
        lines.append(
            Content.assemble(
                (label.ljust(label_width), LABEL), " ", Content(value).truncate(room, ellipsis=True)
            )
        )
    return Content("\n").join(lines)


def two_columns(left: list[Pair], right: list[Pair], width: int) -> Content:
    half = (width - 2) // 2
    a = render_pairs(left, half).split("\n")
    b = render_pairs(right, width - half - 2).split("\n")
    rows = []
    for index in range(max(len(a), len(b))):
        first = a[index] if index < len(a) else Content("")
        second = b[index] if index < len(b) else Content("")
        rows.append(Content.assemble(first.pad_right(half - first.cell_length), "  ", second))
    return Content("\n").join(rows)


class HostDetail(Widget):
    """Shows the host of the current view (or of the cursor's VM in the all-hosts view)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: HostView | None = None

    def show(self, view: HostView | None) -> None:
        self.view = view
        self.refresh(layout=True)

    def _content(self, width: int) -> Content:
        if self.view is None:
            return Content.assemble(("No host selected", LABEL))
        pairs = host_lines(self.view)
        if width < TWO_COLUMNS_FROM:
            return render_pairs(pairs, width)
        split = next((i for i, (label, _) in enumerate(pairs) if label == "VMs"), len(pairs) // 2)
        return two_columns(pairs[:split], pairs[split:], width)

    def render(self) -> Content:
        return self._content(max(20, self.content_region.width))

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[no-untyped-def]
        return len(self._content(max(20, width)).split("\n"))
