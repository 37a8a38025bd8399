"""``create``, ``define`` and ``delete``: a VM made from options or a libvirt XML file, or removed.

Each request goes out once; a new VM whose later step fails is removed again and the message
says what is left. ``delete`` asks on a terminal, naming the VM and its host, unless ``--yes``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hvtui.cli.exits import EXIT_FAILED, EXIT_OK, EXIT_USAGE, exit_code_for
from hvtui.cli.output import err, host_err
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.lifecycle import DiskPlan, NewVM, NicPlan, create_vm, delete_vm
from hvtui.present.domxml_read import read_definition

_MAX_XML = 1 << 20


def _plan(parsed: argparse.Namespace) -> NewVM:
    disks = (
        (DiskPlan(size_gib=parsed.disk),)
        if parsed.disk
        else (DiskPlan(path=parsed.vhd),)
        if parsed.vhd
        else ()
    )
    return NewVM(
        name=parsed.name,
        generation=parsed.generation,
        vcpus=parsed.vcpus,
        memory_mib=parsed.memory,
        dynamic=parsed.dynamic_memory,
        disks=disks,
        isos=(parsed.iso,) if parsed.iso else (),
        nics=(NicPlan(parsed.switch),) if parsed.switch else (),
        secure_boot=None if parsed.secure_boot is None else parsed.secure_boot == "on",
    )


async def create(host: HyperVHost, command: str, parsed: argparse.Namespace) -> int:
    if command == "define":
        try:
            data = Path(parsed.file).read_bytes()[: _MAX_XML + 1]
        except OSError as exc:
            err(command, f"{parsed.file}: cannot read it ({exc.strerror or exc.__class__.__name__})")
            return EXIT_USAGE
        if len(data) > _MAX_XML:
            err(command, f"{parsed.file}: larger than a domain definition can be (1 MiB)")
            return EXIT_USAGE
        try:
            plan = read_definition(data, parsed.file)
        except HyperVError as exc:
            err(command, str(exc))
            return exit_code_for(exc)
    else:
        plan = _plan(parsed)
    progress = (lambda step: print(f"  {step}", file=sys.stderr)) if sys.stderr.isatty() else None
    try:
        vm = await create_vm(host, plan, progress)
    except HyperVError as exc:
        host_err(command, host, exc)
        return exit_code_for(exc)
    print(f"{vm.name} created on {host.uri.display_host} ({vm.guid})")
    if command == "create" and parsed.start:
        try:
            outcome = await (await host.request(vm.guid, "start")).wait(timeout=300)
        except HyperVError as exc:
            host_err(command, host, exc)
            return exit_code_for(exc)
        if not outcome.ok:
            err(command, outcome.message)
            return EXIT_FAILED
        print(outcome.message)
    return EXIT_OK


async def delete(host: HyperVHost, command: str, parsed: argparse.Namespace) -> int:
    try:
        vm = await host.find_vm(parsed.vm)
    except HyperVError as exc:
        host_err(command, host, exc)
        return exit_code_for(exc)
    where = host.uri.display_host
    if not parsed.yes:
        if not sys.stdin.isatty():
            err(command, f"deleting {vm.name} on {where} needs --yes when nobody is at a terminal to confirm")
            return EXIT_USAGE
        files = " and its disk files" if parsed.delete_disks else ""
        answer = input(f"Delete the VM {vm.name} ({vm.guid}){files} on {where}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            err(command, f"{vm.name} was not deleted")
            return EXIT_FAILED
    try:
        print(await delete_vm(host, vm, delete_disks=parsed.delete_disks))
    except HyperVError as exc:
        host_err(command, host, exc)
        return exit_code_for(exc)
    return EXIT_OK
