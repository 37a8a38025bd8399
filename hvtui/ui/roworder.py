"""The VM table's order: every row sorted at once, or a few new rows put in their places.

Rows sort on a column's sort key (``(value, name, key)``, unique), ascending or descending;
rows without a value for the column come last, by name, in either direction. A fleet's host
arriving brings its rows into tens of thousands already sorted: they are inserted by binary
search, so that costs in proportion to the new rows, not to every row shown.
"""

from __future__ import annotations

from collections.abc import Mapping

from hvtui.ui.rows import Row


def sorted_keys(rows: Mapping[str, Row], keys: list[str], column: int, reverse: bool) -> list[str]:
    """``keys`` in the table's order for ``column``."""
    values = [rows[k].sort_keys[column] for k in keys]
    present = [value for value in values if value is not None]
    present.sort(reverse=reverse)
    order = [value[-1] for value in present]  # each sort key ends with the row key
    if len(present) != len(values):
        absent = [k for k, value in zip(keys, values, strict=True) if value is None]
        absent.sort(key=lambda k: rows[k].name_key)
        order.extend(absent)
    return order


def insert_sorted(
    order: list[str], keys: list[str], rows: Mapping[str, Row], column: int, reverse: bool
) -> list[str]:
    """``order`` (sorted, as :func:`sorted_keys` sorts) with ``keys`` (not in it) inserted
    where a sort would put them; the list is changed in place and returned."""

    def before(a: str, b: str) -> bool:
        value_a, value_b = rows[a].sort_keys[column], rows[b].sort_keys[column]
        if value_a is None or value_b is None:
            if value_a is None and value_b is None:
                return rows[a].name_key < rows[b].name_key
            return value_b is None
        return bool(value_a > value_b) if reverse else bool(value_a < value_b)

    for key in keys:
        low, high = 0, len(order)
        while low < high:
            middle = (low + high) // 2
            if before(key, order[middle]):
                high = middle
            else:
                low = middle + 1
        order.insert(low, key)
    return order
