"""The host's virtual switches ("Msvm_VirtualEthernetSwitch class").

A switch is a system of its own, keyed by CreationClassName and Name (its GUID); ElementName is
the name people give it. Its kind is not a property: as on Windows it shows in the port
allocations of the switch itself (see :func:`switch_port_allocations`) -- one whose HostResource
is a physical adapter (Msvm_ExternalEthernetPort) makes it external, one on the host's own
computer system makes it internal, and a switch with neither is private.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from hvtui.sim.elements import enabled_ok
from hvtui.sim.hardware import EXTERNAL, INTERNAL, SwitchSpec
from hvtui.sim.hardware_seed import complete_host
from hvtui.sim.model import HostModel
from hvtui.sim.refs import class_ref, object_path
from hvtui.sim.render import Ref

SWITCH = "Msvm_VirtualEthernetSwitch"


def host_switches(m: HostModel) -> list[SwitchSpec]:
    if m.spec.switches is None:
        complete_host(m.spec, [], m.seed)
    assert m.spec.switches is not None
    return m.spec.switches


def switch_ref(switch: SwitchSpec) -> Ref:
    return class_ref(SWITCH, CreationClassName=SWITCH, Name=switch.guid)


def switch_path(m: HostModel, switch: SwitchSpec) -> str:
    """The switch's ``__PATH``: what a connected port's HostResource holds."""
    return object_path(m.spec.name, switch_ref(switch))


def switches(m: HostModel) -> Iterator[dict[str, Any]]:
    for s in host_switches(m):
        yield {
            "Caption": "Virtual Switch",
            "Description": "Microsoft Virtual Switch",
            "ElementName": s.name,
            "Name": s.guid,
            "CreationClassName": SWITCH,
            **enabled_ok(),
            "TimeOfLastStateChange": m.clock.wall(m.boot_at),
            "ResetCapability": 5,
            "MaxVMQOffloads": 4096 if s.kind == EXTERNAL else 0,
            "MaxIOVOffloads": 0,
        }


def switch_port_allocations(m: HostModel) -> Iterator[dict[str, Any]]:
    """The switches' own Msvm_EthernetPortAllocationSettingData: the uplink of an external
    switch (to a physical adapter) and the host's port on an internal one."""
    host = m.spec.name
    host_ref = class_ref("Msvm_ComputerSystem", CreationClassName="Msvm_ComputerSystem", Name=host)
    for s in host_switches(m):
        if s.kind not in (EXTERNAL, INTERNAL):
            continue
        port = str(uuid.uuid5(uuid.NAMESPACE_URL, f"hvtui-switch-port:{s.guid}")).upper()
        target, name = host_ref, s.name
        if s.kind == EXTERNAL:
            keys = (
                ("CreationClassName", "Msvm_ExternalEthernetPort"),
                ("DeviceID", f"Microsoft:{port}"),
                ("SystemCreationClassName", "Msvm_ComputerSystem"),
                ("SystemName", host),
            )
            target = Ref(host_ref.uri.rsplit("/", 1)[0] + "/Msvm_ExternalEthernetPort", keys)
            name = f"{s.name} uplink"
        yield {
            "InstanceID": f"Microsoft:{s.guid}\\{port}",
            "Caption": "Ethernet Switch Port Settings",
            "Description": "Ethernet Switch Port Settings",
            "ElementName": name,
            "ResourceType": 33,
            "ResourceSubType": "Microsoft:Hyper-V:Ethernet Connection",
            "PoolID": "",
            "ConsumerVisibility": 3,
            "HostResource": [object_path(host, target)],
            "Weight": 0,
            "VirtualQuantityUnits": "count",
            "EnabledState": 2,
            "LastKnownSwitchName": s.name,
        }
