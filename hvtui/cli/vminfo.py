"""``hvtui vm``: one VM in full, like virsh dominfo, then its Devices, Network and Guest; what
the TUI's VM screen shows."""

from __future__ import annotations

import argparse

from hvtui.cli.exits import EXIT_OK, exit_code_for
from hvtui.cli.output import host_err, print_json, print_rows, print_sections, resolve_vm
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.present.devices import details_record, vm_sections
from hvtui.present.records import vm_record
from hvtui.present.vm import vm_rows


async def vm(host: HyperVHost, parsed: argparse.Namespace) -> int:
    found = await resolve_vm("vm", host, parsed.vm)
    if isinstance(found, int):
        return found
    target, _ = found
    try:
        details = await host.details(target)
    except HyperVError as exc:
        host_err("vm", host, exc)
        return exit_code_for(exc)
    if parsed.json:
        print_json(vm_record(target) | details_record(details, target.guest_os))
    else:
        rows = vm_rows(target, host.uri.display_host)
        width = max(len(label) for label, _ in rows) + 2
        print_rows(rows, width=width)
        print_sections(vm_sections(details), width)
    return EXIT_OK
