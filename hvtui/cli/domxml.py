"""``hvtui dumpxml``: a VM as libvirt domain XML, as libvirt's Hyper-V driver writes it."""

from __future__ import annotations

import argparse
import sys

from hvtui.cli.exits import EXIT_OK, exit_code_for
from hvtui.cli.output import host_err, resolve_vm
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.present.domxml import domain_xml


async def dumpxml(host: HyperVHost, parsed: argparse.Namespace) -> int:
    found = await resolve_vm("dumpxml", host, parsed.vm)
    if isinstance(found, int):
        return found
    try:
        details = await host.details(found[0], disk_files=False)
    except HyperVError as exc:
        host_err("dumpxml", host, exc)
        return exit_code_for(exc)
    sys.stdout.write(domain_xml(found[0], details))
    return EXIT_OK
