"""The VM table's columns: Hyper-V Manager's first, then libvirt's, each with its text and sort order.

Cells are plain strings so that a refresh can compare them cheaply and the table can draw
them without building renderables; colour comes from the state (a style class), never from
markup inside a cell. The words are :mod:`hvtui.present`'s short forms, as in the CLI.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from hvtui.hyperv.models import VM
from hvtui.hyperv.states import VMState
from hvtui.present import vm as present_vm
from hvtui.present.formats import memory_cell, percent_cell, uptime_cell

Align = Literal["left", "right"]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    align: Align
    min_width: int
    max_width: int
    cell: Callable[[VM], str]
    sort: Callable[[VM], Any]  # None sorts last whichever the direction
    help: str = ""
    # Numbers are looked at biggest first (the busiest VM, the one up longest): a first sort
    # on them is descending, as in htop and k9s.
    descending_first: bool = False


def _is_up(vm: VM) -> bool:
    return vm.power.is_active


def _status(vm: VM) -> str:
    return present_vm.status(vm).short


def _version_key(vm: VM) -> Any:
    if not vm.version:
        return None
    parts = []
    for part in vm.version.split("."):
        parts.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return tuple(parts)


_STATE_ORDER = {state: index for index, state in enumerate(VMState)}


def _memory(vm: VM) -> str:
    return memory_cell(vm.memory_mib) if _is_up(vm) else ""


def _memory_key(vm: VM) -> Any:
    return vm.memory_mib if _is_up(vm) and vm.memory_mib else None


def _cpu(vm: VM) -> str:
    return percent_cell(vm.cpu_load) if _is_up(vm) else ""


def _cpu_key(vm: VM) -> Any:
    return vm.cpu_load if _is_up(vm) else None


def _uptime_key(vm: VM) -> Any:
    if vm.uptime is None or vm.uptime.total_seconds() <= 0:
        return None
    return vm.uptime.total_seconds()


def _optional(value: object) -> str:
    return "" if value is None else str(value)


def first_ip(vm: VM) -> str | None:
    """The address people reach a VM by: its guest's first IPv4 address, else its first one."""
    return next((ip for ip in vm.ips if ":" not in ip), vm.ips[0] if vm.ips else None)


def _ip_key(vm: VM) -> Any:
    ip = first_ip(vm)
    if ip is None:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return (9, 0, ip)
    return (address.version, int(address), ip)


# Every column the table knows, in display order. "host" shows only in the all-hosts view.
COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", "left", 8, 40, lambda vm: vm.name, lambda vm: vm.name.casefold(), "the VM's name"),
    Column("host", "Host", "left", 4, 24, lambda vm: "", lambda vm: None, "the host the VM runs on"),
    Column(
        "state",
        "State",
        "left",
        5,
        22,
        present_vm.state,
        lambda vm: _STATE_ORDER[vm.state],
        "running, off, saved, paused …",
    ),
    Column("cpu", "CPU", "right", 4, 5, _cpu, _cpu_key, "CPU usage in percent", descending_first=True),
    Column(
        "memory", "Memory", "right", 6, 10, _memory, _memory_key, "assigned memory", descending_first=True
    ),
    Column(
        "uptime",
        "Uptime",
        "right",
        6,
        14,
        lambda vm: uptime_cell(vm.uptime),
        _uptime_key,
        "time running",
        descending_first=True,
    ),
    Column(
        "status",
        "Status",
        "left",
        6,
        26,
        _status,
        lambda vm: _status(vm) or None,
        "job progress, host tasks, heartbeat",
    ),
    Column(
        "vcpus",
        "vCPUs",
        "right",
        5,
        5,
        lambda vm: _optional(vm.vcpus),
        lambda vm: vm.vcpus,
        "virtual CPUs",
        descending_first=True,
    ),
    Column(
        "generation",
        "Gen",
        "right",
        3,
        3,
        lambda vm: _optional(vm.generation),
        lambda vm: vm.generation,
        "VM generation",
    ),
    Column(
        "version",
        "Version",
        "right",
        7,
        8,
        lambda vm: vm.version or "",
        _version_key,
        "configuration version",
    ),
    Column("ip", "IP", "left", 7, 39, lambda vm: first_ip(vm) or "", _ip_key, "the guest's first IP address"),
    Column(
        "fqdn",
        "FQDN",
        "left",
        4,
        40,
        lambda vm: vm.fqdn or "",
        lambda vm: vm.fqdn.casefold() if vm.fqdn else None,
        "the guest's fully qualified name",
    ),
)

COLUMN_INDEX: dict[str, int] = {column.key: index for index, column in enumerate(COLUMNS)}
BY_KEY: dict[str, Column] = {column.key: column for column in COLUMNS}
# Off until chosen: the host (the all-hosts view shows it) and what the guest reports.
OPTIONAL: frozenset[str] = frozenset({"host", "ip", "fqdn"})
DEFAULT_VISIBLE: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.key not in OPTIONAL)
# Columns that cannot be hidden: the table is about VMs, and the all-hosts view is about hosts.
REQUIRED: frozenset[str] = frozenset({"name"})
NAME = COLUMN_INDEX["name"]
HOST = COLUMN_INDEX["host"]
STATUS = COLUMN_INDEX["status"]
STATE = COLUMN_INDEX["state"]


def visible_columns(chosen: tuple[str, ...] | None) -> tuple[str, ...]:
    """The columns to show, in the table's order, from a (possibly stale) saved choice."""
    if chosen is None:
        return DEFAULT_VISIBLE
    wanted = {key for key in chosen if key in BY_KEY and key != "host"} | REQUIRED
    return tuple(c.key for c in COLUMNS if c.key in wanted)


def state_class(vm: VM) -> str:
    """The style class that colours a VM's state: running, off, saved, paused, busy or critical."""
    if vm.power.critical:
        return "critical"
    state = vm.state
    if state is VMState.RUNNING:
        return "running"
    if state in (VMState.SAVED, VMState.FAST_SAVED):
        return "saved"
    if state is VMState.PAUSED:
        return "paused"
    if state is VMState.OFF:
        return "off"
    if state is VMState.UNKNOWN:
        return "critical"
    return "busy"
