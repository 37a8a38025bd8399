"""Turning a host's snapshot into table rows, reusing every row whose VM did not change.

This runs next to the refresh, off the UI thread: it compares each VM with the one the
previous refresh saw and formats cells only for VMs that changed. A VM that did not change
keeps its very :class:`Row` object, so the UI thread finds the changed rows by identity and
touches only those.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hvtui.hyperv.models import VM, HostSnapshot
from hvtui.present.host import short_host_name
from hvtui.ui.columns import COLUMNS, HOST, STATUS, state_class
from hvtui.uri import URIError, parse_uri

HISTORY = 60  # samples kept per VM: two minutes at the default refresh interval
_MOST = 2**32 - 1  # what one sample holds (memory in MiB: 4 PiB)


@dataclass(frozen=True, slots=True)
class Row:
    """One VM as the table shows it: its cells, sort keys and search text, computed once."""

    key: str
    host: str
    vm: VM
    cells: tuple[str, ...]
    sort_keys: tuple[Any, ...]  # per column: None (sorts last) or (value, name, key)
    search: str  # lower-cased SEARCH_FIELDS, tab-separated, for the filter
    style: str  # state style class

    @property
    def name_key(self) -> tuple[str, str]:
        return (self.vm.name.casefold(), self.key)


@dataclass
class HostRows:
    """One refresh of one host, as rows, with what changed since the refresh before it."""

    host: str
    generation: int  # counts this host's refreshes: tells the UI whether it saw the previous one
    rows: dict[str, Row]
    fresh: list[str]  # keys whose Row object is new (added or changed) since the previous refresh
    removed: frozenset[str]


# What the ``/`` filter looks in, by the names ``?`` gives them: (name, text of a VM on a host,
# given the row's cells). A new field is one more line here.
SearchField = tuple[str, Callable[[VM, str, tuple[str, ...]], str]]
SEARCH_FIELDS: tuple[SearchField, ...] = (
    ("name", lambda vm, host, cells: vm.name),
    ("host", lambda vm, host, cells: host),
    ("state", lambda vm, host, cells: f"{vm.power.label}\t{vm.state.value}"),
    ("status", lambda vm, host, cells: cells[STATUS]),
    ("GUID", lambda vm, host, cells: vm.guid),
    ("IP addresses", lambda vm, host, cells: "\t".join(vm.ips)),
    ("FQDN", lambda vm, host, cells: vm.fqdn or ""),
)


def make_row(vm: VM, host_label: str) -> Row:
    cells = tuple(column.cell(vm) for column in COLUMNS)
    cells = (*cells[:HOST], host_label, *cells[HOST + 1 :])
    name, key = vm.name.casefold(), vm.key
    sort_keys = []
    for index, column in enumerate(COLUMNS):
        value = host_label.casefold() if index == HOST else column.sort(vm)
        sort_keys.append(None if value is None else (value, name, key))
    search = "\t".join(text(vm, host_label, cells) for _, text in SEARCH_FIELDS).lower()
    return Row(vm.key, vm.host, vm, cells, tuple(sort_keys), search, state_class(vm))


def host_label(snapshot: HostSnapshot, fallback: str) -> str:
    """The short name the all-hosts view shows: the host's own name (else ``fallback``, the
    name in its URI) without its domain, as the hosts pane shows it."""
    name = snapshot.facts.hostname
    return short_host_name(name if name and name != "?" else fallback)


class RowBuilder:
    """Keeps the last rows of one host and builds the next ones from a snapshot."""

    def __init__(self, host: str) -> None:
        self.host = host
        try:  # the name in the host's URI, for a host that has not said its own
            self.uri_host = parse_uri(host).display_host
        except URIError:
            self.uri_host = host
        self.rows: dict[str, Row] = {}
        self.label = ""
        self.generation = 0
        # Per running VM, its last HISTORY (CPU %, memory MiB): the VM screen's sparklines,
        # from the refreshes made anyway (no extra round trip). Pairs of 32-bit numbers in one
        # array, 0.6 KB a VM: a deque of tuples took 6.3 KB, 44 MB for 7,000 running VMs.
        self._history: dict[str, array[int]] = {}

    def samples(self, key: str) -> list[tuple[int, int]]:
        """A VM's recent samples, oldest first; safe from another thread (the array is copied,
        and written, in single steps that always leave whole pairs)."""
        history = self._history.get(key)
        if history is None:
            return []
        values = history.tolist()
        return list(zip(values[0::2], values[1::2], strict=True))[-HISTORY:]

    def _record(self, vm: VM) -> None:
        if vm.cpu_load is None or not vm.power.is_active:
            return
        history = self._history.get(vm.key)
        if history is None:
            history = self._history[vm.key] = array("I")
        history.extend((min(max(vm.cpu_load, 0), _MOST), min(max(vm.memory_mib or 0, 0), _MOST)))
        if len(history) > 2 * HISTORY:
            del history[:2]

    def build(self, snapshot: HostSnapshot, label: str) -> HostRows:
        """Rows for a snapshot; a VM equal to the last one seen keeps its very Row object.

        That identity is the contract with the UI thread: it finds what changed from the
        ``fresh`` list, or by comparing objects when it missed a refresh, without formatting
        or comparing anything else.
        """
        previous = self.rows
        relabel = label != self.label
        rows: dict[str, Row] = {}
        fresh: list[str] = []
        new = 0
        record = self._record
        for vm in snapshot.vms:
            record(vm)
            key = vm.key
            old = previous.get(key)
            if old is not None and not relabel and old.vm == vm:
                rows[key] = old
            else:
                rows[key] = make_row(vm, label)
                fresh.append(key)
                new += old is None
        kept = len(rows) - new
        removed = frozenset(previous.keys() - rows.keys()) if kept != len(previous) else frozenset()
        for key in removed:
            self._history.pop(key, None)
        self.rows = rows
        self.label = label
        self.generation += 1
        return HostRows(self.host, self.generation, rows, fresh, removed)
