"""What a VM's guest reports through its integration services: its name, OS and addresses.

Hyper-V passes it on only while the VM runs (or is paused) with integration services: the
KVP items of Msvm_KvpExchangeComponent (``FullyQualifiedDomainName``, ``OSName`` …) and one
Msvm_GuestNetworkAdapterConfiguration per NIC. Each configuration's InstanceID,
``Microsoft:GuestNetwork\\<VM GUID>\\<NIC GUID>``, names its VM and NIC, so the addresses of
every VM of a host come from one enumeration, mapped here without a request per VM.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hvtui.hyperv import queries
from hvtui.hyperv.errors import HostFault, HostProtocolError
from hvtui.hyperv.lenient import as_guid, as_text
from hvtui.hyperv.session import Session

Props = Mapping[str, Any]
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GuestFacts:
    """The guest's own account of itself (KVP intrinsic items)."""

    fqdn: str | None = None
    os_name: str | None = None
    os_version: str | None = None
    build: str | None = None
    architecture: str | None = None
    services_version: str | None = None


@dataclass(frozen=True, slots=True)
class GuestNetwork:
    """The guest's view of one NIC: addresses with their prefix length (``10.0.0.5/24``)."""

    vm_guid: str
    nic_guid: str
    addresses: tuple[str, ...] = ()
    gateways: tuple[str, ...] = ()
    dns: tuple[str, ...] = ()
    dhcp: bool | None = None

    @property
    def ips(self) -> tuple[str, ...]:
        """The addresses without their prefix."""
        return tuple(a.split("/", 1)[0] for a in self.addresses)


@dataclass(frozen=True, slots=True)
class GuestReport:
    """Everything one VM's guest reports: facts and each NIC's addresses."""

    facts: GuestFacts
    networks: tuple[GuestNetwork, ...] = ()
    #: Every NIC's addresses, without their prefix: worked out once, as every refresh's VMs carry them.
    ips: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ips", tuple(ip for network in self.networks for ip in network.ips))


# Windows writes ProcessorArchitecture as a number (PROCESSOR_ARCHITECTURE_*); Linux's daemon as text.
_ARCHITECTURES = {"0": "x86", "5": "arm", "9": "x86_64", "12": "aarch64"}


def guest_facts(items: Iterable[Any]) -> GuestFacts:
    """GuestFacts from the KVP intrinsic items (embedded Msvm_KvpExchangeDataItem instances)."""
    data: dict[str, str] = {}
    for item in items:
        if isinstance(item, Mapping):
            name = as_text(item.get("Name"))
            if name:
                data[name] = as_text(item.get("Data"))
    arch = data.get("ProcessorArchitecture") or None
    return GuestFacts(
        fqdn=data.get("FullyQualifiedDomainName") or None,
        os_name=data.get("OSName") or None,
        os_version=data.get("OSVersion") or None,
        build=data.get("OSBuildNumber") or None,
        architecture=_ARCHITECTURES.get(arch, arch) if arch else None,
        services_version=data.get("IntegrationServicesVersion") or None,
    )


def guest_network(props: Props) -> GuestNetwork | None:
    """One Msvm_GuestNetworkAdapterConfiguration, or None when its InstanceID names no VM and NIC."""
    parts = as_text(props.get("InstanceID")).split("\\")
    if len(parts) < 3 or not parts[1]:
        return None
    ips = _texts(props.get("IPAddresses"))
    subnets = _texts(props.get("Subnets"))
    addresses = tuple(
        _with_prefix(ip, subnets[index] if index < len(subnets) else "") for index, ip in enumerate(ips)
    )
    dhcp = props.get("DHCPEnabled")
    return GuestNetwork(
        vm_guid=as_guid(parts[1]) or "",
        nic_guid=as_guid(parts[2]) or "",
        addresses=addresses,
        gateways=_texts(props.get("DefaultGateways")),
        dns=_texts(props.get("DNSServers")),
        dhcp=dhcp if isinstance(dhcp, bool) else None,
    )


def guest_reports(kvps: Iterable[Props], networks: Iterable[Props]) -> dict[str, GuestReport]:
    """Each answering guest's report, by VM GUID: from one read of every KVP component and one
    of every guest network configuration of a host."""
    facts: dict[str, GuestFacts] = {}
    for kvp in kvps:
        guid = as_guid(kvp.get("SystemName"))
        if guid:
            facts[guid] = guest_facts(_items(kvp.get("GuestIntrinsicExchangeItems")))
    by_vm: dict[str, list[GuestNetwork]] = {}
    for props in networks:
        network = guest_network(props)
        if network is not None:
            by_vm.setdefault(network.vm_guid, []).append(network)
    return {
        guid: GuestReport(facts.get(guid, GuestFacts()), tuple(by_vm.get(guid, ())))
        for guid in facts.keys() | by_vm.keys()
    }


async def read_guests(session: Session) -> dict[str, GuestReport]:
    """Every answering guest of a host, in two enumerations whatever the VM count.

    What the guests report comes beside the VMs, not before them: a reply the host garbles or
    refuses leaves the guests out of this inventory (logged) rather than failing the refresh.
    A connection or login failure still fails it."""
    try:
        kvps = await session.query(queries.KVP)
        networks = await session.query(queries.GUEST_NETWORKS)
    except (HostProtocolError, HostFault) as exc:
        _log.warning("the guests' addresses and names were left out: %s", exc)
        return {}
    return guest_reports(kvps, networks)


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(t for t in (as_text(v) for v in _items(value)) if t)


def _with_prefix(ip: str, subnet: str) -> str:
    """``10.0.0.5`` and ``255.255.255.0`` -> ``10.0.0.5/24``; ``fe80::1`` and ``/64`` -> ``fe80::1/64``;
    the bare address when the subnet says nothing usable."""
    text = subnet.strip().lstrip("/")
    if not text:
        return ip
    try:
        return str(ipaddress.ip_interface(f"{ip}/{text}"))
    except ValueError:
        return ip
