"""The VM table: a line-API widget that draws only the rows on screen from a :class:`TableModel`.

Why not DataTable: filtering thousands of rows means removing them one by one (each a
layout pass), adding rows measures every cell, and sorting keeps the cursor's coordinate
rather than its row. Here the model already holds the rows in view order with their
widths, so a refresh costs the rows that changed plus one screen of drawing, however
many VMs there are.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from hvtui.ui.columns import COLUMNS, NAME, STATE, STATUS
from hvtui.ui.rows import Row
from hvtui.ui.tablemodel import Change, TableModel, text_width
from hvtui.ui.widgets.virtual_size import set_virtual_size

MARK = "✓"
UP = "▲"
DOWN = "▼"
# Columns that give up width, in this order and down to these widths, when the table would
# not fit the screen: the Status cell says the least at a glance, and pushing the columns
# after it off the screen (Version at 120 columns) hides more than an ellipsis does.
SHRINK: tuple[tuple[int, int], ...] = ((STATUS, 10), (NAME, 14))


def fit(text: str, width: int, align: str) -> str:
    """Pad or cut a cell to exactly ``width`` cells, with an ellipsis when cut."""
    size = text_width(text)
    if size > width:
        if width <= 1:
            return "…"[:width]
        return set_cell_size(text, width - 1) + "…"
    pad = " " * (width - size)
    return pad + text if align == "right" else text + pad


class VMTable(ScrollView, can_focus=True):
    """Rows of VMs with a header, a cursor that follows its VM, marks and state colours."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "vm-table--header",
        "vm-table--header-sorted",
        "vm-table--cursor",
        "vm-table--cursor-blurred",
        "vm-table--even",
        "vm-table--marked",
        "vm-table--mark",
        "vm-table--job",
        "vm-table--stale",
        "vm-table--empty",
        "vm-table--state-running",
        "vm-table--state-off",
        "vm-table--state-saved",
        "vm-table--state-paused",
        "vm-table--state-busy",
        "vm-table--state-critical",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "open", "Details", show=False),
    ]

    @dataclass
    class CursorMoved(Message):
        table: VMTable
        key: str | None

    @dataclass
    class Opened(Message):
        table: VMTable
        key: str

    @dataclass
    class SortRequested(Message):
        table: VMTable
        column: str

    @dataclass
    class MarkRequested(Message):
        table: VMTable
        key: str

    def __init__(self, model: TableModel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self.empty_text = ""
        self._last_key: str | None = None

    # -- geometry -----------------------------------------------------------------------------

    def _layout(self) -> tuple[list[int], list[int]]:
        """Column indexes and widths (the fixed part, Name, first), shrunk to fit the width."""
        indexes = self.model.column_indexes
        widths = list(self.model.widths)
        excess = 1 + sum(1 + w for w in widths) - self._usable_width()
        for index, narrowest in SHRINK:
            if excess <= 0:
                break
            if index in indexes:
                position = indexes.index(index)
                give = max(0, min(excess, widths[position] - narrowest))
                widths[position] -= give
                excess -= give
        return indexes, widths

    def _usable_width(self) -> int:
        """The width rows may take. When the rows will need a vertical scrollbar that is not shown
        yet, its width is taken off now: laid out without it, the lines would end one scrollbar too
        wide once it appears, and a horizontal scrollbar would appear for nothing."""
        region = self.scrollable_content_region
        width = region.width
        if not self.show_vertical_scrollbar and len(self.model.order) + 1 > region.height:
            width -= self.styles.scrollbar_size_vertical
        return width

    def _line_width(self) -> int:
        return 1 + sum(1 + w for w in self._layout()[1])

    def _fixed_width(self) -> int:
        indexes, widths = self._layout()
        return 1 + (1 + widths[0] if indexes and indexes[0] == NAME else 0)

    @property
    def page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def update_view(self, change: Change | None = None) -> None:
        """Bring the drawing up to date after the model changed."""
        set_virtual_size(self, Size(self._line_width(), len(self.model.order) + 1))
        if change is not None and not change.anything:
            return
        key = self.model.cursor_key
        self.scroll_to_cursor()
        if change is None or change.order_changed or change.widths_changed:
            self.refresh()
        else:
            top = int(self.scroll_y)  # the window's rows, not every row's position: a fleet has 25,000
            dirty = change.dirty
            for position, shown in enumerate(self.model.order[top : top + self.page_rows], top):
                if shown in dirty:
                    self.refresh_line(position + 1)
        if key != self._last_key:
            self._last_key = key
            self.post_message(self.CursorMoved(self, key))

    def visible_hosts(self) -> set[str]:
        """The hosts of the VMs on screen now."""
        model = self.model
        top = int(self.scroll_y)
        rows = model.rows
        return {rows[key].host for key in model.order[top : top + self.page_rows]}

    def refresh_row(self, key: str) -> None:
        position = self.model.index_of(key)
        if position is not None:
            self.refresh_line(position + 1)

    def scroll_to_cursor(self) -> None:
        if not self.model.order:
            return
        cursor = self.model.cursor
        top = int(self.scroll_y)
        page = self.page_rows
        if cursor < top:
            self.scroll_to(y=cursor, animate=False)
        elif cursor >= top + page:
            self.scroll_to(y=cursor - page + 1, animate=False)

    def refresh_line(self, y: int) -> None:
        """Repaint one line of the virtual area (the header is line 0 and never scrolls)."""
        top = int(self.scroll_y)
        if y == 0:
            super().refresh_line(top)
        else:
            super().refresh_line(y)

    # -- drawing ------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.refresh()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._render_header(width, base)
        position = int(self.scroll_y) + y - 1
        order = self.model.order
        if position >= len(order):
            if not order and self.empty_text:
                room = max(10, width - 4)
                lines = [ln for p in self.empty_text.split("\n") for ln in textwrap.wrap(p, room) or [""]]
                if 2 <= y < 2 + len(lines):
                    style = base + self._style("vm-table--empty")
                    return Strip([Segment(fit("  " + lines[y - 2], width, "left"), style)], width)
            return Strip.blank(width, base)
        return self._render_row(position, self.model.rows[order[position]], width, base)

    def _split(self, segments: list[Segment], fixed: int, width: int, base: Style) -> Strip:
        full = Strip(segments)
        scroll_x = int(self.scroll_x)
        if scroll_x == 0:
            return full.crop_extend(0, width, base)
        head = full.crop(0, fixed)
        tail = full.crop(fixed + scroll_x, fixed + scroll_x + max(0, width - fixed))
        return Strip.join([head, tail]).crop_extend(0, width, base)

    def _render_header(self, width: int, base: Style) -> Strip:
        model = self.model
        header = base + self._style("vm-table--header")
        sorted_style = header + self._style("vm-table--header-sorted")
        segments = [Segment(" ", header)]
        for index, column_width in zip(*self._layout(), strict=True):
            column = COLUMNS[index]
            segments.append(Segment(" ", header))
            if column.key == model.sort_column:
                # After the title, as people read a header ("CPU▼"); every column has room for it.
                title = column.title + (DOWN if model.sort_reverse else UP)
                segments.append(Segment(fit(title, column_width, column.align), sorted_style))
            else:
                segments.append(Segment(fit(column.title, column_width, column.align), header))
        return self._split(segments, self._fixed_width(), width, header)

    def _render_row(self, position: int, row: Row, width: int, base: Style) -> Strip:
        model = self.model
        key = row.key
        marked = key in model.marks
        stale = row.host in model.stale
        if position == model.cursor:
            cursor = "vm-table--cursor" if self.has_focus else "vm-table--cursor-blurred"
            style = base + self._style(cursor)
            colour_state = False
        else:
            style = base
            if position % 2:
                style += self._style("vm-table--even")
            if marked:
                style += self._style("vm-table--marked")
            colour_state = not stale  # an old state in its live colour would still look live
        if stale and position != model.cursor:
            style += self._style("vm-table--stale")
        segments = [Segment(MARK if marked else " ", style + self._style("vm-table--mark"))]
        jobs = model.jobs
        for index, column_width in zip(*self._layout(), strict=True):
            column = COLUMNS[index]
            cell_style = style
            if index == STATUS and key in jobs:
                text = jobs[key]
                cell_style = style + self._style("vm-table--job")
            elif index == STATUS and stale:
                text = model.cell(row, index)
            else:
                text = row.cells[index]
                if index == STATE and colour_state:
                    cell_style = style + self._style(f"vm-table--state-{row.style}")
            segments.append(Segment(" ", style))
            segments.append(Segment(fit(text, column_width, column.align), cell_style))
        return self._split(segments, self._fixed_width(), width, style)

    # -- input --------------------------------------------------------------------------------

    def _move(self, position: int) -> None:
        if self.model.move_cursor(position):
            old = self._last_key
            self.update_view()
            if old is not None:
                self.refresh_row(old)
            self.refresh_line(self.model.cursor + 1)
        else:
            self.scroll_to_cursor()

    def action_cursor_up(self) -> None:
        self._move(self.model.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move(self.model.cursor + 1)

    def action_page_up(self) -> None:
        self._move(self.model.cursor - self.page_rows)

    def action_page_down(self) -> None:
        self._move(self.model.cursor + self.page_rows)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.model.order) - 1)

    def action_open(self) -> None:
        key = self.model.cursor_key
        if key is not None:
            self.post_message(self.Opened(self, key))

    def _column_at(self, x: int) -> str | None:
        fixed = self._fixed_width()
        offset = x if x < fixed else x + int(self.scroll_x)
        edge = 1
        for index, column_width in zip(*self._layout(), strict=True):
            edge += 1 + column_width
            if offset < edge:
                return COLUMNS[index].key
        return None

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        x, y = offset
        if y == 0:
            column = self._column_at(x)
            if column is not None:
                self.post_message(self.SortRequested(self, column))
            return
        position = int(self.scroll_y) + y - 1
        if not 0 <= position < len(self.model.order):
            return
        key = self.model.order[position]
        if x == 0:
            self.post_message(self.MarkRequested(self, key))
        self._move(position)
        if event.chain >= 2:
            self.post_message(self.Opened(self, key))

    def on_mount(self) -> None:
        self.set_interval(1.0, self._age_stale_rows)

    def _age_stale_rows(self) -> None:
        """Stale rows say how old their data is: repaint them as it ages (only while there are any)."""
        model = self.model
        if not model.stale:
            return
        top = int(self.scroll_y)
        for position, key in enumerate(model.order[top : top + self.page_rows], start=top):
            if model.rows[key].host in model.stale:
                self.refresh_line(position + 1)

    def on_focus(self) -> None:
        self.refresh_line(self.model.cursor + 1)

    def on_blur(self) -> None:
        self.refresh_line(self.model.cursor + 1)

    def on_resize(self) -> None:
        self.update_view()
