"""Turning a host's snapshot into table rows, reusing every row whose VM did not change.

This runs next to the refresh, off the UI thread: it compares each VM with the one the
previous refresh saw and formats cells only for VMs that changed. A VM that did not change
keeps its very :class:`Row` object, so the UI thread finds the changed rows by identity and
touches only those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hvtui.hyperv.models import VM, HostSnapshot
from hvtui.ui.columns import COLUMNS, HOST, state_class


@dataclass(frozen=True, slots=True)
class Row:
    """One VM as the table shows it: its cells, sort keys and search text, computed once."""

    key: str
    host: str
    vm: VM
    cells: tuple[str, ...]
    sort_keys: tuple[Any, ...]  # per column: None (sorts last) or (value, name, key)
    search: str  # lower-cased name, state and GUID, for the filter
    style: str  # state style class

    @property
    def name_key(self) -> tuple[str, str]:
        return (self.vm.name.casefold(), self.key)


def make_row(vm: VM, host_label: str) -> Row:
    cells = tuple(column.cell(vm) for column in COLUMNS)
    cells = (*cells[:HOST], host_label, *cells[HOST + 1 :])
    name, key = vm.name.casefold(), vm.key
    sort_keys = []
    for index, column in enumerate(COLUMNS):
        value = host_label.casefold() if index == HOST else column.sort(vm)
        sort_keys.append(None if value is None else (value, name, key))
    search = f"{vm.name}\t{vm.power.label}\t{vm.state.value}\t{vm.guid}".lower()
    return Row(vm.key, vm.host, vm, cells, tuple(sort_keys), search, state_class(vm))


def host_label(snapshot: HostSnapshot, fallback: str) -> str:
    """The short name the all-hosts view shows: the host's name without its domain."""
    name = snapshot.facts.hostname
    if not name or name == "?":
        return fallback
    return name.split(".", 1)[0]


class RowBuilder:
    """Keeps the last rows of one host and builds the next ones from a snapshot."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.rows: dict[str, Row] = {}
        self.label = ""

    def build(self, snapshot: HostSnapshot, label: str) -> dict[str, Row]:
        """Rows for a snapshot; a VM equal to the last one seen keeps its very Row object.

        That identity is the whole contract with the UI thread: it finds what changed by
        comparing objects, without formatting or comparing anything else.
        """
        previous = self.rows
        relabel = label != self.label
        rows: dict[str, Row] = {}
        for vm in snapshot.vms:
            old = previous.get(vm.key)
            if old is not None and not relabel and old.vm == vm:
                rows[vm.key] = old
            else:
                rows[vm.key] = make_row(vm, label)
        self.rows = rows
        self.label = label
        return rows
