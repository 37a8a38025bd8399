"""``hvtui domifaddr`` (a VM's interfaces and the addresses its guest reports, as virsh lists
them) and ``hvtui net-list`` (the host's virtual switches)."""

from __future__ import annotations

import argparse

from hvtui.cli.exits import EXIT_OK, exit_code_for
from hvtui.cli.output import host_err, print_json, print_table, resolve_vm
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.present.devices import interface_records, interface_rows, switch_records, switch_rows


async def domifaddr(host: HyperVHost, parsed: argparse.Namespace) -> int:
    found = await resolve_vm("domifaddr", host, parsed.vm)
    if isinstance(found, int):
        return found
    try:
        details = await host.details(found[0], disk_files=False)
    except HyperVError as exc:
        host_err("domifaddr", host, exc)
        return exit_code_for(exc)
    if parsed.json:
        print_json(interface_records(details))
    else:
        print_table(("Name", "MAC address", "Protocol", "Address"), interface_rows(details))
    return EXIT_OK


async def net_list(host: HyperVHost, parsed: argparse.Namespace) -> int:
    try:
        snapshot = await host.snapshot()
    except HyperVError as exc:
        host_err("net-list", host, exc)
        return exit_code_for(exc)
    if parsed.json:
        print_json(switch_records(snapshot.switches, {vm.guid: vm.name for vm in snapshot.vms}))
    else:
        print_table(("Name", "Type", "GUID", "VMs"), switch_rows(snapshot.switches))
    return EXIT_OK
