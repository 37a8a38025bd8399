"""``media``, ``disk`` and ``nic``: a VM's DVD, disks and network adapters, each change sent once;
a change of two requests whose second fails is taken back, and the message says so."""

from __future__ import annotations

import argparse

from hvtui.cli.exits import EXIT_OK, exit_code_for
from hvtui.cli.output import host_err
from hvtui.hyperv.device_changes import DeviceChange, apply_device_change
from hvtui.hyperv.devices_edit import DeviceEditor
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost


async def change_devices(host: HyperVHost, command: str, parsed: argparse.Namespace) -> int:
    try:
        vm = await host.find_vm(parsed.vm)
        facts = await host.host_facts()
        editor = DeviceEditor(host.session, facts.hostname.split(".")[0], vm)
        message = await _change(host, editor, command, parsed)
    except HyperVError as exc:
        host_err(command, host, exc)
        return exit_code_for(exc)
    host.invalidate_inventory()
    print(message)
    return EXIT_OK


async def _change(host: HyperVHost, editor: DeviceEditor, command: str, parsed: argparse.Namespace) -> str:
    change = DeviceChange(command, parsed.verb, tuple(parsed.operands), getattr(parsed, "switch", None))
    return await apply_device_change(host, editor, change)
