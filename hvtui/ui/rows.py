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
from hvtui.present.host import short_host_name
from hvtui.ui.columns import COLUMNS, HOST, state_class
from hvtui.uri import URIError, parse_uri


@dataclass(frozen=True, slots=True)
class Row:
    """One VM as the table shows it: its cells, sort keys and search text, computed once."""

    key: str
    host: str
    vm: VM
    cells: tuple[str, ...]
    sort_keys: tuple[Any, ...]  # per column: None (sorts last) or (value, name, key)
    search: str  # lower-cased name, state, GUID, the guest's IPs and FQDN, for the filter
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


def make_row(vm: VM, host_label: str) -> Row:
    cells = tuple(column.cell(vm) for column in COLUMNS)
    cells = (*cells[:HOST], host_label, *cells[HOST + 1 :])
    name, key = vm.name.casefold(), vm.key
    sort_keys = []
    for index, column in enumerate(COLUMNS):
        value = host_label.casefold() if index == HOST else column.sort(vm)
        sort_keys.append(None if value is None else (value, name, key))
    search = "\t".join((vm.name, vm.power.label, vm.state.value, vm.guid, *vm.ips, vm.fqdn or "")).lower()
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
        for vm in snapshot.vms:
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
        self.rows = rows
        self.label = label
        self.generation += 1
        return HostRows(self.host, self.generation, rows, fresh, removed)
