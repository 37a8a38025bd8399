"""``media``, ``disk`` and ``nic``: a VM's DVD, disks and network adapters, each change sent once;
a change of two requests whose second fails is taken back, and the message says so."""

from __future__ import annotations

import argparse

from hvtui.cli.exits import EXIT_OK, exit_code_for
from hvtui.cli.output import host_err
from hvtui.hyperv.devices_edit import DeviceEditor
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.lifecycle import default_folders


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
    verb, operands = parsed.verb, parsed.operands
    if command == "media":
        return await editor.insert(operands[0]) if verb == "insert" else await editor.eject()
    if command == "disk":
        if verb == "remove":
            return await editor.remove_disk(operands[0])
        if operands[0].isdigit():
            _, folder = await default_folders(host)
            return await editor.add_disk(size_gib=int(operands[0]), folder=folder)
        return await editor.add_disk(path=operands[0])
    if verb == "add":
        return await editor.add_nic(parsed.switch)
    if verb == "remove":
        return await editor.remove_nic(operands[0])
    if verb == "connect":
        return await editor.connect_nic(operands[0], operands[1])
    return await editor.disconnect_nic(operands[0])
