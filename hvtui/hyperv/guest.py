"""What a VM's guest reports through its integration services: its name, OS and addresses.

Hyper-V passes it on only while the VM runs (or is paused) with integration services: the
KVP items of Msvm_KvpExchangeComponent (``FullyQualifiedDomainName``, ``OSName`` …) and one
Msvm_GuestNetworkAdapterConfiguration per NIC. Each configuration's InstanceID,
``Microsoft:GuestNetwork\\<VM GUID>\\<NIC GUID>``, names its VM and NIC, so the addresses of
every VM of a host come from one enumeration, mapped here without a request per VM.

The KVP items are most of an inventory's bytes (about 10 KB a VM: 7 of 12.6 MB for 1,000 VMs)
and seldom change, so a guest's facts are carried from one inventory to the next for
:data:`FACTS_INTERVAL`; in between, only running VMs that have none yet (just started, say) are
asked about. Addresses change more often and are read at every inventory.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hvtui.hyperv import queries
from hvtui.hyperv.errors import HostFault, HostProtocolError
from hvtui.hyperv.lenient import as_guid, as_text
from hvtui.hyperv.session import Session
from hvtui.hyperv.together import together

Props = Mapping[str, Any]
_log = logging.getLogger(__name__)

#: Seconds a guest's facts (name, OS) are carried between inventories before every guest's are
#: read again; a guest renamed or upgraded shows its new name within this time.
FACTS_INTERVAL = 300.0
#: Between full reads, a running VM without facts (booting, or without integration services) is
#: asked again after this many seconds, at most ASK_AT_ONCE of them in one question.
ASK_AGAIN = 60.0
ASK_AT_ONCE = 50


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


@dataclass(frozen=True, slots=True)
class Guests:
    """Every answering guest of a host; when every guest's facts were last asked for (monotonic
    seconds; None before the first time); and, since then, when each running VM that had none
    was last asked."""

    reports: dict[str, GuestReport] = field(default_factory=dict)
    facts_read_at: float | None = None
    asked: dict[str, float] = field(default_factory=dict)
    #: Only the addresses were read: the names follow with the next refresh (:func:`with_names`).
    names_pending: bool = False

    def carried(self) -> dict[str, GuestFacts] | None:
        """The facts to carry to the next inventory, or None when it is time to read all again."""
        if self.facts_read_at is None or time.monotonic() - self.facts_read_at >= FACTS_INTERVAL:
            return None
        return {guid: report.facts for guid, report in self.reports.items() if report.facts != GuestFacts()}


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


def facts_of(kvps: Iterable[Props]) -> dict[str, GuestFacts]:
    """Each guest's facts, by VM GUID, from KVP components."""
    facts: dict[str, GuestFacts] = {}
    for kvp in kvps:
        guid = as_guid(kvp.get("SystemName"))
        if guid:
            facts[guid] = guest_facts(_items(kvp.get("GuestIntrinsicExchangeItems")))
    return facts


def guest_reports(facts: Mapping[str, GuestFacts], networks: Iterable[Props]) -> dict[str, GuestReport]:
    """Each answering guest's report, by VM GUID: its facts and its guest network
    configurations (read for every VM of a host at once)."""
    by_vm: dict[str, list[GuestNetwork]] = {}
    for props in networks:
        network = guest_network(props)
        if network is not None:
            by_vm.setdefault(network.vm_guid, []).append(network)
    return {
        guid: GuestReport(facts.get(guid, GuestFacts()), tuple(by_vm.get(guid, ())))
        for guid in facts.keys() | by_vm.keys()
    }


async def read_guests(
    session: Session,
    previous: Guests | None = None,
    running: Callable[[], Awaitable[Iterable[str]]] | None = None,
    *,
    names: bool = True,
) -> Guests:
    """Every answering guest of a host, in two enumerations whatever the VM count.

    While the ``previous`` inventory's facts are carried (:meth:`Guests.carried`), the KVP items
    are asked only of the VMs ``running()`` names that have none, each at most every
    :data:`ASK_AGAIN` seconds: no question when there are none. What the guests report comes
    beside the VMs, not before them: a reply the host garbles or refuses leaves the names, or
    the addresses, out of this inventory (logged) rather than failing the refresh. A connection
    or login failure still fails it. ``names`` False reads only the addresses: a first screen
    does not wait for every guest's KVP items, most of a cold read's bytes."""
    async with together() as group:  # the addresses wait for nothing the names need
        networks = group.create_task(_networks(session))
        named = group.create_task(_facts(session, previous, running, names))
    facts, read_at, asked = named.result()
    return Guests(guest_reports(facts, networks.result()), read_at, asked, names_pending=read_at is None)


async def _facts(
    session: Session,
    previous: Guests | None,
    running: Callable[[], Awaitable[Iterable[str]]] | None,
    names: bool,
) -> tuple[dict[str, GuestFacts], float | None, dict[str, float]]:
    """The guests' facts, when every guest's were last asked for (None: not yet), and when each
    running VM without any was last asked."""
    carried = previous.carried() if previous is not None else None
    if not names and carried is None:
        return {}, None, {}
    if previous is not None and carried is not None and running is not None:
        vms = await running()  # outside the try: the VMs' own read failing is not the guests'
        try:
            facts, asked = await _ask(session, previous, carried, vms)
        except (HostProtocolError, HostFault) as exc:
            _log.warning("the new guests' names were left out: %s", exc)
            return carried, previous.facts_read_at, dict(previous.asked)
        return facts, previous.facts_read_at, asked
    # Tried now even when refused: until the next full read, running VMs without facts are
    # asked a few at a time, rather than every guest again at every inventory.
    read_at = time.monotonic()
    try:
        facts = facts_of(await session.query(queries.KVP))
    except (HostProtocolError, HostFault) as exc:
        _log.warning("the guests' names were left out: %s", exc)
        return {}, read_at, {}
    # A running VM that answered nothing was asked just now: not again for ASK_AGAIN seconds.
    vms = await running() if running is not None else ()
    return facts, read_at, {guid: read_at for guid in vms if facts.get(guid, GuestFacts()) == GuestFacts()}


async def with_names(session: Session, guests: Guests) -> Guests:
    """``guests`` with every guest's facts read, the addresses kept as they were read."""
    started = time.monotonic()
    try:
        facts = facts_of(await session.query(queries.KVP))
    except (HostProtocolError, HostFault) as exc:
        _log.warning("the guests' names were left out: %s", exc)
        facts = {}
    reports = {
        guid: GuestReport(facts.get(guid, GuestFacts()), old.networks if old is not None else ())
        for guid in facts.keys() | guests.reports.keys()
        for old in (guests.reports.get(guid),)
    }
    return Guests(reports, started)


async def _networks(session: Session) -> list[Props]:
    try:
        return await session.query(queries.GUEST_NETWORKS)
    except (HostProtocolError, HostFault) as exc:
        _log.warning("the guests' addresses were left out: %s", exc)
        return []


async def _ask(
    session: Session, previous: Guests, carried: dict[str, GuestFacts], running: Iterable[str]
) -> tuple[dict[str, GuestFacts], dict[str, float]]:
    """The carried facts and those of the running VMs without any that are due to be asked
    (the longest unasked first), and when each that still has none was asked."""
    now = time.monotonic()
    silent = [guid for guid in running if guid not in carried]
    never = [guid for guid in silent if guid not in previous.asked]
    again = sorted(
        (g for g in silent if g in previous.asked and now - previous.asked[g] >= ASK_AGAIN),
        key=previous.asked.__getitem__,
    )
    due = (never + again)[:ASK_AT_ONCE]
    found = facts_of(await session.query(queries.kvp_of(*due))) if due else {}
    asked = {g: previous.asked[g] for g in silent if g in previous.asked} | {g: now for g in due}
    for guid, facts in found.items():
        if facts != GuestFacts():
            asked.pop(guid, None)
    return carried | found, asked


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
