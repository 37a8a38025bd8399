"""``set``: a VM's vCPUs, memory, dynamic memory, automatic start, notes and name, what its state
allows sent once each, what it does not said on stderr (exit 1 when anything was not changed)."""

from __future__ import annotations

import argparse

from hvtui.cli.exits import EXIT_FAILED, EXIT_OK, EXIT_USAGE, exit_code_for
from hvtui.cli.output import err, host_err
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.vm_settings import SettingsChange, apply_settings


async def set_settings(host: HyperVHost, command: str, parsed: argparse.Namespace) -> int:
    change = SettingsChange(
        vcpus=parsed.vcpus,
        memory_mib=parsed.memory,
        dynamic=parsed.dynamic_memory,
        autostart=parsed.autostart,
        notes=parsed.notes,
        name=parsed.name,
    )
    if change.empty:
        err(
            command,
            "nothing to change: give --vcpus, --memory, --dynamic-memory, --autostart, --notes or --name",
        )
        return EXIT_USAGE
    try:
        vm = await host.find_vm(parsed.vm)
        outcomes = await apply_settings(host, vm, change)
    except HyperVError as exc:
        host_err(command, host, exc)
        return exit_code_for(exc)
    code = EXIT_OK
    for outcome in outcomes:
        if outcome.ok:
            print(outcome.message)
        else:
            err(command, outcome.message)
            code = EXIT_FAILED
    return code
