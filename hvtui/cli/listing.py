"""``hvtui ls``: every VM of one or more hosts, as a table for people or JSON/CSV for scripts."""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from hvtui.cli.exits import EXIT_OK, UsageError, exit_code_for
from hvtui.cli.output import host_err, print_json
from hvtui.cli.table import Column, write_table
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.models import VM
from hvtui.hyperv.states import VMState
from hvtui.present import vm as present_vm
from hvtui.present.formats import count, memory_cell, percent, uptime
from hvtui.present.records import VM_FIELDS, vm_record

STATE_ALIASES = {"shutoff": "off", "shut-off": "off", "suspended": "saved", "stopped": "off"}


def parse_states(text: str) -> set[VMState]:
    """``--state running,shutoff``: libvirt's words are accepted too."""
    states: set[VMState] = set()
    for typed in filter(None, (w.strip().lower() for w in text.split(","))):
        word = STATE_ALIASES.get(typed, typed)
        try:
            states.add(VMState(word))
        except ValueError:
            known = ", ".join(s.value for s in VMState)
            raise UsageError(f"hvtui ls: unknown state '{word}': use {known}") from None
    return states


async def ls(hosts: list[HyperVHost], parsed: argparse.Namespace, states: set[VMState] | None) -> int:
    """All hosts at once; a host that fails is one line on stderr, and the others are still listed."""
    # Only what is printed: the table needs the summary and the IDs; JSON, CSV and the guests'
    # addresses the whole inventory.
    full = bool(parsed.json or parsed.csv or parsed.ips)
    results = await asyncio.gather(*(h.list_vms(full=full) for h in hosts), return_exceptions=True)
    vms: list[VM] = []
    code = EXIT_OK
    read = 0
    for host, result in zip(hosts, results, strict=True):
        if isinstance(result, HyperVError):
            host_err("ls", host, result)
            code = max(code, exit_code_for(result))
            continue
        if isinstance(result, BaseException):
            raise result
        read += 1
        vms += [vm for vm in result if states is None or vm.state in states]
    if not read:  # an empty table, [] or a bare header would read as "no VMs" to a script
        return code
    vms.sort(key=lambda vm: (vm.host, vm.name.casefold(), vm.guid))
    if parsed.json:
        print_json([vm_record(vm) for vm in vms])
    elif parsed.csv:
        write_csv(sys.stdout, vms)
    else:
        labels = {h.key: h.uri.display_host for h in hosts} if len(hosts) > 1 else None
        print_vm_table(vms, labels, guid=parsed.guid, ips=parsed.ips)
    return code


def write_csv(out: TextIO, vms: Sequence[VM]) -> None:
    # The same header whether or not any VM matched, so a script can always read it.
    writer = csv.DictWriter(out, fieldnames=VM_FIELDS, lineterminator="\n")
    writer.writeheader()
    for vm in vms:
        record = vm_record(vm)
        record["ips"] = " ".join(record["ips"])  # one cell: the addresses, space-separated
        writer.writerow({k: "" if v is None else v for k, v in record.items()})


def print_vm_table(
    vms: Sequence[VM], host_labels: Mapping[str, str] | None, *, guid: bool = False, ips: bool = False
) -> None:
    """A table for people; ``host_labels`` (host key -> name) adds a HOST column, ``guid`` a
    GUID column after the name, ``ips`` the guest's addresses before the status. STATUS is the
    one column that gives way on a narrow terminal."""
    rows = []
    for vm in vms:
        row = [
            count(vm.id) if vm.id is not None else "-",
            vm.name,
            present_vm.state(vm),
            percent(vm.cpu_load),
            memory_cell(vm.memory_mib),
            uptime(vm.uptime),
            count(vm.vcpus),
            present_vm.status(vm).long,
        ]
        if ips:
            row.insert(7, " ".join(vm.ips))
        if guid:
            row.insert(2, vm.guid)
        if host_labels is not None:
            row.insert(0, host_labels.get(vm.host, vm.host))
        rows.append(row)
    headers = [
        *(["HOST"] if host_labels is not None else []),
        "ID",
        "NAME",
        *(["GUID"] if guid else []),
        "STATE",
        "CPU",
        "MEMORY",
        "UPTIME",
        "VCPUS",
        *(["IP"] if ips else []),
        "STATUS",
    ]
    right = {"ID", "CPU", "MEMORY", "UPTIME", "VCPUS"}
    columns = []
    for index, header in enumerate(headers):
        widest = max([len(header)] + [len(row[index]) for row in rows])
        if header == "STATUS":
            columns.append(Column(header, ellipsis=True))
        elif header in ("NAME", "HOST"):
            columns.append(Column(header, ellipsis=True, min_width=min(widest, 20)))
        else:
            columns.append(Column(header, right=header in right, min_width=widest))
    write_table(columns, rows)
