"""What the VM table shows: rows of every host, the view (scope, filter, sort), cursor and marks.

Pure Python, no Textual, so the rules are unit-tested directly and the cost of applying a
refresh can be measured on its own. The UI thread calls :meth:`TableModel.apply` with the
rows a refresh prepared elsewhere; it touches only the rows that changed, re-sorts only
when a sorted value or the set of rows changed, and keeps the cursor on the same VM.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter

from rich.cells import cell_len

from hvtui.present.formats import age_text
from hvtui.ui.columns import BY_KEY, COLUMN_INDEX, COLUMNS, STATUS, visible_columns
from hvtui.ui.roworder import insert_sorted, sorted_keys
from hvtui.ui.rows import HostRows, Row
from hvtui.ui.vmfilter import VMFilter

# Columns whose text may hold wide characters (names typed by people); the rest are ASCII.
_WIDE_TEXT = frozenset({COLUMN_INDEX["name"], COLUMN_INDEX["host"], COLUMN_INDEX["status"]})
STALE_WIDTH = len("stale 59 min")  # the widest age the Status cell of a silent host's VM shows


def text_width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


@dataclass
class Change:
    """What an update did to the view, so the widget repaints no more than it must."""

    order_changed: bool = False
    widths_changed: bool = False
    dirty: set[str] = field(default_factory=set)  # visible rows whose cells changed

    @property
    def anything(self) -> bool:
        return self.order_changed or self.widths_changed or bool(self.dirty)


class TableModel:
    """Rows by host, the current view of them, the cursor, marks and job texts."""

    def __init__(
        self,
        columns: tuple[str, ...] | None = None,
        sort_column: str = "name",
        sort_reverse: bool = False,
    ) -> None:
        self.by_host: dict[str, dict[str, Row]] = {}
        self.rows: dict[str, Row] = {}
        self.scope: str | None = None  # None: every host
        self.filter = VMFilter()
        self.sort_column = sort_column if sort_column in BY_KEY else "name"
        self.sort_reverse = sort_reverse
        self.chosen = visible_columns(columns)
        self.order: list[str] = []
        self._positions: dict[str, int] | None = {}  # key -> position in order; built when needed
        self._generations: dict[str, int] = {}  # per host: the last refresh applied
        self.cursor = 0
        self._anchors: dict[str | None, str] = {}  # per scope: the VM the user last put the cursor on
        self.marks: set[str] = set()
        self.jobs: dict[str, str] = {}  # key -> status text of a job of ours ("Saving 35%")
        # Hosts that stopped answering -> when their rows were read (UTC): those rows are
        # dimmed and say the age of their data instead of a status that may be long over.
        self.stale: dict[str, datetime] = {}
        self.column_indexes: list[int] = []
        self.width_of: dict[int, int] = {}
        self._set_columns()

    # -- columns ------------------------------------------------------------------------------

    @property
    def columns(self) -> tuple[str, ...]:
        """The column keys shown now: the chosen ones, with Host in the all-hosts view."""
        return tuple(COLUMNS[i].key for i in self.column_indexes)

    def _set_columns(self) -> None:
        keys = list(self.chosen)
        if self.scope is None:
            keys.insert(1, "host")
        self.column_indexes = [COLUMN_INDEX[k] for k in keys]
        self._recompute_widths()

    def set_chosen_columns(self, columns: tuple[str, ...] | None) -> None:
        self.chosen = visible_columns(columns)
        self._set_columns()

    def toggle_column(self, key: str) -> bool:
        """Show or hide a column; False when it cannot be hidden (Name) or is unknown."""
        if key not in BY_KEY or key in {"host", "name"}:
            return False
        chosen = set(self.chosen)
        chosen ^= {key}
        self.set_chosen_columns(tuple(chosen))
        return True

    def cell(self, row: Row, column: int, now: datetime | None = None) -> str:
        if column == STATUS:
            job = self.jobs.get(row.key)
            if job is not None:
                return job
            taken = self.stale.get(row.host)
            if taken is not None:
                return age_text(((now or datetime.now(UTC)) - taken).total_seconds())
        return row.cells[column]

    def set_stale(self, host: str, taken_at: datetime | None) -> bool:
        """Mark a host's rows as old data read at ``taken_at`` (None: live again); True on change."""
        if taken_at is None:
            changed = self.stale.pop(host, None) is not None
        else:
            changed = self.stale.get(host) != taken_at
            self.stale[host] = taken_at
        if changed:
            self._recompute_widths()
        return changed

    @property
    def widths(self) -> list[int]:
        """Widths of the shown columns, in order."""
        return [self.width_of[i] for i in self.column_indexes]

    def _recompute_widths(self) -> None:
        rows = self.rows
        order = self.order
        widths: dict[int, int] = {}
        for index in self.column_indexes:
            column = COLUMNS[index]
            widest = max(
                text_width(column.title) + 1,  # room for the sort arrow after the title
                max((text_width(rows[k].cells[index]) for k in order), default=0),
            )
            if index == STATUS:
                shown = (text_width(t) for k, t in self.jobs.items() if k in self._index)
                widest = max(widest, max(shown, default=0))
                if any(host in self.stale for host in self._view_hosts()):
                    widest = max(widest, STALE_WIDTH)
            cap = max(column.max_width, text_width(column.title) + 1)
            widths[index] = min(max(widest, column.min_width), cap)
        self.width_of = widths

    def _fit(self, index: int, text: str) -> bool:
        """Widen a shown column for a new cell (never narrower: that waits for a rebuild)."""
        width = self.width_of.get(index)
        if width is None:
            return False
        needed = min(text_width(text), COLUMNS[index].max_width)
        if needed <= width:
            return False
        self.width_of[index] = needed
        return True

    def _fit_rows(self, rows: list[Row]) -> bool:
        """Widen shown columns for changed rows: one C-level pass per column."""
        if not rows:
            return False
        changed = False
        cells = [row.cells for row in rows]
        for index in self.column_indexes:
            width = self.width_of[index]
            column = COLUMNS[index]
            if width >= column.max_width:
                continue
            texts = list(map(itemgetter(index), cells))
            widest = max(map(len, texts))
            if index in _WIDE_TEXT and not "".join(texts).isascii():
                widest = max(map(text_width, texts))
            widest = min(widest, column.max_width)
            if widest > width:
                self.width_of[index] = widest
                changed = True
        return changed

    # -- view ---------------------------------------------------------------------------------

    def _in_scope(self, host: str) -> bool:
        return self.scope is None or self.scope == host

    def _view_hosts(self) -> Iterable[str]:
        return self.by_host if self.scope is None else (self.scope,)

    def _members(self) -> list[str]:
        candidates: Iterable[Row] = self._view_rows.values()
        if not self.filter.active:
            return [row.key for row in candidates]
        match = self.filter.matches
        return [row.key for row in candidates if match(row)]

    def _sort(self, keys: list[str]) -> list[str]:
        return sorted_keys(self.rows, keys, COLUMN_INDEX[self.sort_column], self.sort_reverse)

    def _merged(self, keys: list[str]) -> list[str]:
        return insert_sorted(self.order, keys, self.rows, COLUMN_INDEX[self.sort_column], self.sort_reverse)

    @property
    def _index(self) -> dict[str, int]:
        """Positions by key, rebuilt lazily: many refreshes re-sort without anyone asking."""
        if self._positions is None:
            self._positions = {key: position for position, key in enumerate(self.order)}
        return self._positions

    def _set_order(self, order: list[str]) -> None:
        self.order = order
        self._positions = None
        anchor = self._anchors.get(self.scope)
        try:
            if anchor is None:
                raise ValueError
            self.cursor = order.index(anchor)  # one C-level scan: cheaper than building an index
        except ValueError:
            self.cursor = max(0, min(self.cursor, len(order) - 1))

    @property
    def _view_rows(self) -> dict[str, Row]:
        """The rows the view draws from (its scope), before the filter."""
        if self.scope is None:
            return self.rows
        return self.by_host.get(self.scope, {})

    def rebuild(self) -> None:
        """Filter and sort from scratch: after a change of scope, filter or host list."""
        self._set_order(self._sort(self._members()))
        self._recompute_widths()

    def set_scope(self, host: str | None) -> None:
        if host == self.scope and self.order:
            return
        self.scope = host
        self.cursor = 0
        self.order = []
        self._positions = {}
        self._set_columns()
        self.rebuild()

    def set_filter(self, text: str) -> bool:
        new = VMFilter(text)
        if new == self.filter:
            return False
        self.filter = new
        self.rebuild()
        return True

    def set_sort(self, column: str, reverse: bool) -> None:
        if column not in BY_KEY:
            raise ValueError(f"no column {column!r}")
        key = self.cursor_key
        if key is not None:  # the cursor keeps its VM, wherever the sort puts it
            self._anchors[self.scope] = key
        self.sort_column = column
        self.sort_reverse = reverse
        self._set_order(self._sort(self.order))

    def next_sort_column(self) -> str:
        """``o``: the shown column after the one sorted on now (round to the first)."""
        shown = self.columns
        position = shown.index(self.sort_column) if self.sort_column in shown else -1
        return shown[(position + 1) % len(shown)]

    def index_of(self, key: str) -> int | None:
        return self._index.get(key)

    # -- refreshes ----------------------------------------------------------------------------

    def apply(self, host: str, update: HostRows) -> Change:
        """Take one host's rows after a refresh; touch only what changed.

        The refresh says which rows it rebuilt since the one before; when a refresh was
        dropped in between (a newer one replaced it in the queue), the changes are found by
        identity instead (rows that did not change are the very same objects).
        """
        new_rows = update.rows
        old_rows = self.by_host.get(host, {})
        self.by_host[host] = new_rows
        consecutive = self._generations.get(host) == update.generation - 1
        self._generations[host] = update.generation
        previous_of = old_rows.get
        if consecutive:
            fresh: list[str] = update.fresh
            removed: Iterable[str] = update.removed
        else:
            fresh = [key for key, row in new_rows.items() if previous_of(key) is not row]
            removed = old_rows.keys() - new_rows.keys()
        rows = self.rows
        added = [key for key in fresh if key not in old_rows]
        for key in fresh:
            rows[key] = new_rows[key]
        for key in removed:
            rows.pop(key, None)
            self.marks.discard(key)
        change = Change()
        if not self._in_scope(host):
            return change
        sort_index = COLUMN_INDEX[self.sort_column]
        members_changed = bool(added or removed)
        resort = False
        filtering = self.filter.active
        index = self._index if filtering else None
        matches = self.filter.matches
        toggled = False  # a row the filter now shows, or hides
        dirty: list[Row] = []
        for key in fresh:
            previous = previous_of(key)
            if previous is None:
                continue
            row = new_rows[key]
            if row.cells == previous.cells and row.style == previous.style:
                continue  # a field the table does not show
            if row.cells[sort_index] != previous.cells[sort_index]:
                resort = True
            if index is not None:
                shown = key in index
                if matches(row) != shown:
                    toggled = True
                    continue
                if not shown:
                    continue
            dirty.append(row)
        change.dirty = {row.key for row in dirty}
        if members_changed or toggled:
            view = self._view_rows
            joining = [k for k in added if k in view and (not filtering or matches(view[k]))]
            if removed or toggled or resort:
                self._set_order(self._sort(self._members()))
            else:  # rows only came: the order stays sorted with them put in their places
                self._set_order(self._merged(joining))
            change.order_changed = True
            dirty.extend(view[k] for k in joining)
        elif resort:
            # Rows whose values did not move are still in order: put them first, so that
            # the sort sees one long sorted run and merges the moved rows into it.
            moved = change.dirty
            order = self.order
            runs = [k for k in order if k not in moved] + [k for k in order if k in moved]
            self._set_order(self._sort(runs))
            change.order_changed = True
        change.widths_changed = self._fit_rows(dirty)
        return change

    def remove_host(self, host: str) -> None:
        for key in self.by_host.pop(host, {}):
            self.rows.pop(key, None)
            self.marks.discard(key)
            self.jobs.pop(key, None)
        self.order = []
        self._positions = {}
        self._generations.pop(host, None)
        if self.scope == host:
            self.scope = None
            self._set_columns()
        self.rebuild()

    # -- cursor -------------------------------------------------------------------------------

    @property
    def cursor_key(self) -> str | None:
        if not self.order:
            return None
        return self.order[min(self.cursor, len(self.order) - 1)]

    @property
    def cursor_row(self) -> Row | None:
        key = self.cursor_key
        return self.rows.get(key) if key is not None else None

    def move_cursor(self, position: int) -> bool:
        """Put the cursor on a row (clamped); the VM there becomes the one to follow."""
        if not self.order:
            return False
        position = max(0, min(position, len(self.order) - 1))
        moved = position != self.cursor
        self.cursor = position
        self._anchors[self.scope] = self.order[position]
        return moved

    def focus_key(self, key: str) -> bool:
        """Put the cursor on a VM by key, if the view shows it."""
        position = self._index.get(key)
        if position is None:
            return False
        self.move_cursor(position)
        return True

    # -- marks and jobs -----------------------------------------------------------------------

    def toggle_mark(self, key: str) -> bool:
        """Mark or unmark a VM; returns whether it is marked now."""
        if key in self.marks:
            self.marks.discard(key)
            return False
        if key in self.rows:
            self.marks.add(key)
            return True
        return False

    def clear_marks(self) -> int:
        count = len(self.marks)
        self.marks.clear()
        return count

    def toggle_marks_shown(self) -> int:
        """Mark every VM the view shows; when all are marked already, clear every mark.

        Returns how many marks were added (positive) or removed (negative).
        """
        shown = set(self.order)
        if shown and not shown <= self.marks:
            added = len(shown - self.marks)
            self.marks |= shown
            return added
        return -self.clear_marks()

    @property
    def hidden_marks(self) -> int:
        """Marked VMs the view does not show (another host, or hidden by the filter)."""
        index = self._index
        return sum(1 for key in self.marks if key not in index)

    def marked_rows(self) -> list[Row]:
        """Marked VMs of every host, in host then name order (stable for summaries)."""
        rows = [self.rows[k] for k in self.marks if k in self.rows]
        rows.sort(key=lambda r: (r.host, r.name_key))
        return rows

    def targets(self) -> list[Row]:
        """What an action applies to: every marked VM, else the VM under the cursor."""
        if self.marks:
            return self.marked_rows()
        row = self.cursor_row
        return [row] if row is not None else []

    def set_job(self, key: str, text: str | None) -> bool:
        """Show (or clear) our job's progress in a VM's Status cell; True when it is on view."""
        if text is None:
            if self.jobs.pop(key, None) is None:
                return False
        else:
            if self.jobs.get(key) == text:
                return False
            self.jobs[key] = text
            if key in self._index:
                self._fit(STATUS, text)
        return key in self._index
