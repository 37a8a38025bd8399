"""The VM table's columns: Hyper-V Manager's first, then libvirt's, each with its text and sort order.

Cells are plain strings so that a refresh can compare them cheaply and the table can draw
them without building renderables; colour comes from the state (a style class), never from
markup inside a cell. Values read as :mod:`hvtui.display` words them, as in the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from hvtui import display
from hvtui.hyperv.models import VM
from hvtui.hyperv.states import Heartbeat, VMState

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


def format_memory(mib: int | None) -> str:
    """Memory as the CLI prints it ("4.0 GiB"); nothing for none."""
    return display.memory(mib) if mib else ""


def format_uptime(uptime: timedelta | None) -> str:
    """Uptime as the CLI prints it ("3d 04:12", "04:12:09"); nothing when not running."""
    return display.uptime(uptime) if uptime is not None else ""


def format_percent(value: int | None) -> str:
    return "" if value is None else display.percent(value)


def _is_up(vm: VM) -> bool:
    return vm.power.is_active


def status_text(vm: VM) -> str:
    """Status without a job of ours: the host's own task, else the heartbeat of a running guest."""
    if vm.power.critical and not vm.host_job:
        return "Critical"
    return display.status(vm)


_HEARTBEAT_CELL = {
    Heartbeat.NO_CONTACT: "no heartbeat",
    Heartbeat.LOST_COMMUNICATION: "heartbeat lost",
    Heartbeat.DEGRADED: "heartbeat degraded",
    Heartbeat.ERROR: "heartbeat error",
    Heartbeat.PAUSED: "heartbeat paused",
    Heartbeat.UNKNOWN: "heartbeat ?",
}


def status_cell(vm: VM) -> str:
    """The Status column leaves the normal case blank, as Hyper-V Manager does, so that what
    is not normal (a task, a heartbeat problem) stands out; it words it short."""
    if vm.host_job:
        return vm.host_job
    if vm.power.critical:
        return "Critical"
    if vm.state is VMState.RUNNING and vm.heartbeat is not None:
        return _HEARTBEAT_CELL.get(vm.heartbeat, "")
    return ""


def _version_key(vm: VM) -> Any:
    if not vm.version:
        return None
    parts = []
    for part in vm.version.split("."):
        parts.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return tuple(parts)


_STATE_ORDER = {state: index for index, state in enumerate(VMState)}


def _memory(vm: VM) -> str:
    return format_memory(vm.memory_mib) if _is_up(vm) else ""


def _memory_key(vm: VM) -> Any:
    return vm.memory_mib if _is_up(vm) and vm.memory_mib else None


def _cpu(vm: VM) -> str:
    return format_percent(vm.cpu_load) if _is_up(vm) else ""


def _cpu_key(vm: VM) -> Any:
    return vm.cpu_load if _is_up(vm) else None


def _uptime_key(vm: VM) -> Any:
    if vm.uptime is None or vm.uptime.total_seconds() <= 0:
        return None
    return vm.uptime.total_seconds()


def _optional(value: object) -> str:
    return "" if value is None else str(value)


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
        display.state,
        lambda vm: _STATE_ORDER[vm.state],
        "running, off, saved, paused …",
    ),
    Column("cpu", "CPU", "right", 4, 5, _cpu, _cpu_key, "CPU usage in percent"),
    Column("memory", "Memory", "right", 6, 10, _memory, _memory_key, "assigned memory"),
    Column(
        "uptime", "Uptime", "right", 6, 14, lambda vm: format_uptime(vm.uptime), _uptime_key, "time running"
    ),
    Column(
        "status",
        "Status",
        "left",
        6,
        26,
        status_cell,
        lambda vm: status_cell(vm) or None,
        "job progress, host tasks, heartbeat",
    ),
    Column(
        "vcpus", "vCPUs", "right", 5, 5, lambda vm: _optional(vm.vcpus), lambda vm: vm.vcpus, "virtual CPUs"
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
)

COLUMN_INDEX: dict[str, int] = {column.key: index for index, column in enumerate(COLUMNS)}
BY_KEY: dict[str, Column] = {column.key: column for column in COLUMNS}
DEFAULT_VISIBLE: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.key != "host")
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
