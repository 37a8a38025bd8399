"""``hvtui info``: a host's facts, like virsh version, hostname, nodeinfo and freecell."""

from __future__ import annotations

import argparse

from hvtui.cli.exits import EXIT_OK, exit_code_for
from hvtui.cli.output import host_err, print_json, print_rows
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.present import host as present_host
from hvtui.present.records import facts_record


async def info(host: HyperVHost, parsed: argparse.Namespace) -> int:
    try:
        snapshot = await host.snapshot()
    except HyperVError as exc:
        host_err("info", host, exc)
        return exit_code_for(exc)
    if parsed.json:
        print_json(facts_record(host.key, snapshot.facts, snapshot, host.connection))
        return EXIT_OK
    print_rows(present_host.info_rows(snapshot.facts, snapshot.counts(), _connection_line(host)))
    return EXIT_OK


def _connection_line(host: HyperVHost) -> str:
    info = host.connection
    protected = present_host.protection(
        https=info.transport == "https",
        tls_verified=info.tls_verified,
        encrypted=info.encrypted,
        auth=info.auth,
        pinned=info.tls_pin is not None,
    )
    return present_host.connection_long(info.endpoint, info.auth, protected)
