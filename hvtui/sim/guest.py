"""What a running guest's integration services report to the host.

* "Msvm_KvpExchangeComponent class": one per VM, ``GuestIntrinsicExchangeItems`` an array of
  embedded "Msvm_KvpExchangeDataItem class" instances written as CIM-XML strings (Name, Data,
  Source 2), joined to the VM by Msvm_SystemDevice.
* "Msvm_GuestNetworkAdapterConfiguration class": one per synthetic NIC, InstanceID
  ``Microsoft:GuestNetwork\\<VM GUID>\\<NIC GUID>`` (so a client maps it to the VM and the NIC without
  another request), joined to the NIC's Msvm_SyntheticEthernetPortSettingData by
  "Msvm_SettingDataComponent class". IPv4 subnets are masks, IPv6 ones ``/<prefix>``.

Both exist only while the VM runs (or is paused) with integration services, as on Windows. The
guest's facts change only with its configuration, so their rendering is cached per host model.
"""

from __future__ import annotations

import ipaddress
import weakref
from collections.abc import Iterator
from typing import Any

from hvtui.sim.cimxml import embedded_instance
from hvtui.sim.devices import SEPSD, hardware_of
from hvtui.sim.hardware import GuestSpec, Hardware, NicSpec
from hvtui.sim.inventory import PAUSED, RUNNING
from hvtui.sim.model import VM, HostModel
from hvtui.sim.refs import class_ref, setting_ref
from hvtui.sim.schema import find_class

KVP = "Msvm_KvpExchangeComponent"
KVP_COMPONENT = "2A34B1C2-FD73-4043-8A5B-DD2159BC743F"
GUEST_NETWORK = "Msvm_GuestNetworkAdapterConfiguration"
IPV4, IPV6, IPV4_V6 = 4096, 4097, 4098
STATIC, OTHER = 2, 1  # IPAddressOrigins

_items: weakref.WeakKeyDictionary[HostModel, dict[str, list[str]]] = weakref.WeakKeyDictionary()


def guest_running(vm: VM) -> bool:
    """Whether the guest answers: the VM runs (or is paused) and has integration services."""
    return vm.state in (RUNNING, PAUSED) and vm.spec.shutdown_service


def forget_guest_items(m: HostModel) -> None:
    """Word the guests' items again on next use: a VM was defined or destroyed."""
    _items.pop(m, None)


def _kvp_items(m: HostModel) -> dict[str, list[str]]:
    cached = _items.get(m)
    if cached is None:
        cls = find_class("Msvm_KvpExchangeDataItem")
        assert cls is not None
        cached = _items[m] = {
            guid: [
                embedded_instance(cls, {"Name": name, "Data": data, "Source": 2})
                for name, data in _intrinsic(hw)
            ]
            for guid, hw in hardware_of(m).items()
        }
    return cached


def _intrinsic(hw: Hardware) -> list[tuple[str, str]]:
    """The intrinsic items, in the order a Windows guest (or Linux's hv_kvp_daemon) sends them."""
    g = hw.guest
    assert isinstance(g, GuestSpec)
    addresses = [ipaddress.ip_interface(ip).ip for nic in hw.nics or [] for ip in nic.ips]
    v4 = ";".join(str(a) for a in addresses if a.version == 4)
    v6 = ";".join(str(a) for a in addresses if a.version == 6)
    major, _, rest = g.os_version.partition(".")
    minor = rest.split(".", 1)[0].split("-", 1)[0]
    items = [("FullyQualifiedDomainName", g.fqdn), ("OSName", g.os_name), ("OSVersion", g.os_version)]
    if g.linux:
        items += [
            ("OSMajorVersion", major),
            ("OSMinorVersion", minor),
            ("OSBuildNumber", g.build),
            ("OSPlatformId", "100"),
            ("ProcessorArchitecture", "x86_64"),
        ]
    else:
        server = "Server" in g.os_name
        items += [
            ("CSDVersion", ""),
            ("OSMajorVersion", major),
            ("OSMinorVersion", minor),
            ("OSBuildNumber", g.build),
            ("OSPlatformId", "2"),
            ("ServicePackMajor", "0"),
            ("ServicePackMinor", "0"),
            ("SuiteMask", "272" if server else "256"),
            ("ProductType", "3" if server else "1"),
            ("OSEditionId", "8" if "Datacenter" in g.os_name else "7" if server else "4"),
            ("ProcessorArchitecture", "9"),
        ]
    items += [
        ("IntegrationServicesVersion", g.services_version),
        ("NetworkAddressIPv4", v4),
        ("NetworkAddressIPv6", v6),
    ]
    return items


def kvp_components(m: HostModel) -> Iterator[dict[str, Any]]:
    items = _kvp_items(m)
    for guid, vm in m.vms.items():
        if not guest_running(vm):
            continue
        yield {
            "Caption": "Key-Value Pair Exchange",
            "Description": "Microsoft Key-Value Pair Exchange Service",
            "ElementName": "Key-Value Pair Exchange",
            "Name": "Key-Value Pair Exchange",
            "OperationalStatus": [2],
            "StatusDescriptions": ["OK"],
            "HealthState": 5,
            "EnabledState": 2,
            "RequestedState": 12,
            "EnabledDefault": 7,
            "TransitioningToState": 5,
            "SystemCreationClassName": "Msvm_ComputerSystem",
            "SystemName": guid,
            "CreationClassName": KVP,
            "DeviceID": f"Microsoft:{guid}\\{KVP_COMPONENT}",
            "Availability": 6,
            "AdditionalAvailability": [6],
            "GuestExchangeItems": [],
            "GuestIntrinsicExchangeItems": items[guid],
        }


def _network(guid: str, nic: NicSpec) -> dict[str, Any]:
    interfaces = [ipaddress.ip_interface(ip) for ip in nic.ips]
    versions = {i.version for i in interfaces}
    return {
        "InstanceID": f"Microsoft:GuestNetwork\\{guid}\\{nic.guid}",
        "ProtocolIFType": IPV4_V6 if versions == {4, 6} else IPV6 if versions == {6} else IPV4,
        "DHCPEnabled": nic.dhcp,
        "IPAddresses": [str(i.ip) for i in interfaces],
        "Subnets": [str(i.netmask) if i.version == 4 else f"/{i.network.prefixlen}" for i in interfaces],
        "DefaultGateways": list(nic.gateways),
        "DNSServers": list(nic.dns),
        "IPAddressOrigins": [OTHER if nic.dhcp or i.ip.is_link_local else STATIC for i in interfaces],
    }


def guest_networks(m: HostModel) -> Iterator[dict[str, Any]]:
    hardware = hardware_of(m)
    for guid, vm in m.vms.items():
        if guest_running(vm):
            for nic in hardware[guid].nics or []:
                yield _network(guid, nic)


def system_devices(m: HostModel) -> Iterator[dict[str, Any]]:
    """Msvm_SystemDevice instances that join each running guest's VM to its KVP component."""
    for guid, vm in m.vms.items():
        if guest_running(vm):
            yield {
                "GroupComponent": class_ref(
                    "Msvm_ComputerSystem", CreationClassName="Msvm_ComputerSystem", Name=guid
                ),
                "PartComponent": class_ref(
                    KVP,
                    CreationClassName=KVP,
                    DeviceID=f"Microsoft:{guid}\\{KVP_COMPONENT}",
                    SystemCreationClassName="Msvm_ComputerSystem",
                    SystemName=guid,
                ),
            }


def setting_data_components(m: HostModel) -> Iterator[dict[str, Any]]:
    """Msvm_SettingDataComponent instances: each NIC's settings and the guest's view of it."""
    hardware = hardware_of(m)
    for guid, vm in m.vms.items():
        if guest_running(vm):
            for nic in hardware[guid].nics or []:
                yield {
                    "GroupComponent": setting_ref(SEPSD, f"Microsoft:{guid}\\{nic.guid}"),
                    "PartComponent": setting_ref(
                        GUEST_NETWORK, f"Microsoft:GuestNetwork\\{guid}\\{nic.guid}"
                    ),
                }


PROVIDERS = {KVP: kvp_components, GUEST_NETWORK: guest_networks}
