"""The host's virtual switches, their kind, and which VMs are connected to each.

A switch's kind is no property of Msvm_VirtualEthernetSwitch: it shows in the switch's own port
allocations (Msvm_EthernetPortAllocationSettingData without a Parent). One whose HostResource is
a physical adapter (Msvm_ExternalEthernetPort) makes the switch external, one on the host's own
Msvm_ComputerSystem internal; a switch with neither is private. A VM's connection is an
allocation whose Parent is its NIC and whose HostResource is the switch's ``__PATH``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from hvtui.hyperv import queries
from hvtui.hyperv.errors import HostFault, HostProtocolError
from hvtui.hyperv.lenient import as_guid, as_int, as_text
from hvtui.hyperv.models import EXTERNAL, INTERNAL, PRIVATE, Switch
from hvtui.hyperv.session import Session

Props = Mapping[str, Any]
_log = logging.getLogger(__name__)

DISABLED = 3  # EnabledState of a disconnected port

_KEY = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def path_keys(path: str) -> dict[str, str]:
    """The key values of a WMI object path (``…:Class.Key="value",Key2="v\\\\2"``), unescaped."""
    _, _, keys = path.partition(".")
    return {name: re.sub(r"\\(.)", r"\1", value) for name, value in _KEY.findall(keys)}


def path_class(path: str) -> str:
    """The class of a WMI object path: ``\\\\HOST\\root\\virtualization\\v2:Msvm_X.Name="…"`` -> Msvm_X."""
    return path.partition(":")[2].partition(".")[0]


def owner(instance_id: str) -> str:
    """The GUID after ``Microsoft:`` in a settings InstanceID (the VM's, or the switch's)."""
    return as_guid(instance_id.removeprefix("Microsoft:").split("\\", 1)[0]) or ""


def switch_of(port: Props) -> str | None:
    """The GUID of the switch a connection reaches, None when it reaches none (disconnected)."""
    resources = port.get("HostResource") or []
    if as_int(port.get("EnabledState")) == DISABLED or not resources:
        return None
    path = as_text(resources[0])
    if path_class(path).lower() != "msvm_virtualethernetswitch":
        return None
    return as_guid(path_keys(path).get("Name")) or None


def build_switches(rows: Iterable[Props], ports: Iterable[Props], vms: Iterable[str]) -> tuple[Switch, ...]:
    """Switches by name, each with its kind and its connected VMs (among ``vms``, the host's GUIDs)."""
    known = set(vms)
    kinds: dict[str, str] = {}
    members: dict[str, set[str]] = {}
    by_name: dict[str, str] = {}
    found = [(as_guid(r.get("Name")) or "", as_text(r.get("ElementName")), r) for r in rows]
    for guid, name, _ in found:
        by_name.setdefault(name.casefold(), guid)
    for port in ports:
        instance = as_text(port.get("InstanceID"))
        if as_text(port.get("Parent")):
            target = switch_of(port)
            vm = owner(instance)
            if target and vm in known:
                members.setdefault(target, set()).add(vm)
            continue
        resources = port.get("HostResource") or []
        reached = path_class(as_text(resources[0])).lower() if resources else ""
        kind = {"msvm_externalethernetport": EXTERNAL, "msvm_computersystem": INTERNAL}.get(reached)
        switch = owner(instance)
        if switch not in {g for g, _, _ in found}:
            switch = by_name.get(as_text(port.get("LastKnownSwitchName")).casefold(), switch)
        if kind is not None and kinds.get(switch) != EXTERNAL:
            kinds[switch] = kind
    switches = [
        Switch(
            name=name or guid,
            guid=guid,
            kind=kinds.get(guid, PRIVATE),
            healthy=as_int(r.get("HealthState")) in (None, 5),
            vms=tuple(sorted(members.get(guid, ()))),
        )
        for guid, name, r in found
        if guid
    ]
    return tuple(sorted(switches, key=lambda s: (s.name.casefold(), s.guid)))


async def read_switches(session: Session, vms: Iterable[str]) -> tuple[Switch, ...]:
    """The host's switches and their connected VMs (among ``vms``), in two enumerations; as the
    guests' reports, left out of the inventory (logged) when the host's reply cannot be read."""
    try:
        rows = await session.query(queries.SWITCHES)
        ports = await session.query(queries.PORTS)
    except (HostProtocolError, HostFault) as exc:
        _log.warning("the virtual switches were left out: %s", exc)
        return ()
    return build_switches(rows, ports, vms)
