"""``hvtui vm``: one VM in full, like virsh dominfo; what the TUI's VM screen shows."""

from __future__ import annotations

import argparse

from hvtui.cli.exits import EXIT_OK, exit_code_for
from hvtui.cli.output import ambiguous_err, host_err, print_json, print_rows
from hvtui.hyperv.errors import AmbiguousName, HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.vm_lookup import find_in
from hvtui.present.records import vm_record
from hvtui.present.vm import vm_rows


async def vm(host: HyperVHost, parsed: argparse.Namespace) -> int:
    try:
        snapshot = await host.snapshot()
    except HyperVError as exc:
        host_err("vm", host, exc)
        return exit_code_for(exc)
    try:
        found = find_in(snapshot, parsed.vm)
    except AmbiguousName as exc:
        ambiguous_err("vm", host, snapshot, parsed.vm, exc)
        return exit_code_for(exc)
    except HyperVError as exc:
        host_err("vm", host, exc)
        return exit_code_for(exc)
    if parsed.json:
        print_json(vm_record(found))
    else:
        print_rows(vm_rows(found, host.uri.display_host))
    return EXIT_OK
