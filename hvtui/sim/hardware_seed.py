"""Devices, switches and guests of a host, generated from the seed where a scenario gave none.

Deterministic: each VM draws from its own generator (seed, host name, VM GUID), so adding
devices never shifts the names, states or sizes the inventory drew before. Done once per host,
on the first request that needs devices (:func:`complete_host`).

So that the default hosts show what clients must handle, the first running VMs with integration
services after the first three get, in order: an IPv6-only guest, three NICs (one per switch) and
a second, disconnected NIC; the first VM boots from a differencing disk.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from hvtui.sim.hardware import (
    DIFFERENCING,
    DYNAMIC,
    EXTERNAL,
    FIXED,
    GIB,
    INTERNAL,
    PRIVATE,
    DiskSpec,
    DvdSpec,
    GuestSpec,
    NicSpec,
    default_switches,
)
from hvtui.sim.inventory import PAUSED, RUNNING, HostSpec, VMSpec

VHD_FOLDER = "C:\\ProgramData\\Microsoft\\Windows\\Virtual Hard Disks"
TEMPLATE_FOLDER = "C:\\Hyper-V\\Templates"
ISO_FOLDER = "C:\\ISO"
IPV6_ONLY, MULTI_NIC, DISCONNECTED = "ipv6-only", "multi-nic", "disconnected"
_SPECIAL = (IPV6_ONLY, MULTI_NIC, DISCONNECTED)
_LINUX_ROLES = ("k8s-node", "ci-runner", "git", "log", "proxy", "cache", "monitor", "nas", "vpn", "dns")
_WINDOWS = (
    ("Windows Server 2022 Datacenter", "10.0.20348", "Server2022"),
    ("Windows Server 2022 Standard", "10.0.20348", "Server2022"),
    ("Windows Server 2019 Datacenter", "10.0.17763", "Server2019"),
    ("Windows Server 2016 Standard", "10.0.14393", "Server2016"),
    ("Windows 11 Enterprise", "10.0.22631", "Win11"),
)
_LINUX = (
    ("Ubuntu 22.04.4 LTS", "5.15.0-105-generic", "Ubuntu2204"),
    ("Red Hat Enterprise Linux 9.3 (Plow)", "5.14.0-362.8.1.el9_3.x86_64", "RHEL93"),
    ("Debian GNU/Linux 12 (bookworm)", "6.1.0-18-amd64", "Debian12"),
)
_ISOS = (
    "en-us_windows_server_2022_x64_dvd_620d7eac.iso",
    "SW_DVD9_Win_Server_STD_CORE_2019_1809.18_64Bit_English.ISO",
    "ubuntu-22.04.4-live-server-amd64.iso",
    "virtio-win-0.1.240.iso",
)
_DOMAINS = ("corp.contoso.com", "lab.contoso.com", "contoso.local")


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def complete_host(host: HostSpec, vms: Sequence[VMSpec], seed: int) -> None:
    """Fill in the switches and every VM's missing devices and guest facts (idempotent)."""
    if host.switches is None:
        host.switches = default_switches(host.name, seed)
    if all(vm.hardware.complete for vm in vms):
        return
    plan = host_plan(host, seed)
    roles = _special_roles(vms)
    for index, vm in enumerate(vms):
        rng = random.Random(f"hvtui-sim-hw:{seed}:{host.name}:{vm.guid}")
        _complete_vm(vm, index, roles.get(vm.guid), plan, rng)


def _special_roles(vms: Sequence[VMSpec]) -> dict[str, str]:
    candidates = [vm.guid for vm in vms[3:] if vm.state in (RUNNING, PAUSED) and vm.shutdown_service]
    return dict(zip(candidates, _SPECIAL, strict=False))


@dataclass(frozen=True)
class HostPlan:
    """One host's addressing: subnets, the MAC range (``00155D<mac>0000``..``FFFF``), DNS domain."""

    v4: int
    internal: int
    v6: int
    mac: int
    domain: str
    by_kind: dict[str, str]

    def switch(self, kind: str) -> str | None:
        return self.by_kind.get(kind)


def host_plan(host: HostSpec, seed: int) -> HostPlan:
    net = random.Random(f"hvtui-sim-net:{seed}:{host.name}")
    return HostPlan(
        v4=net.randrange(16, 250),
        internal=net.randrange(1, 250),
        v6=net.getrandbits(16),
        mac=net.randrange(0x10, 0xF0),
        domain=net.choice(_DOMAINS),
        by_kind={s.kind: s.name for s in host.switches or default_switches(host.name, seed)},
    )


def _complete_vm(vm: VMSpec, index: int, role: str | None, plan: HostPlan, rng: random.Random) -> None:
    hw = vm.hardware
    linux = vm.name.startswith(_LINUX_ROLES)
    os_name, os_version, template = rng.choice(_LINUX if linux else _WINDOWS)
    if hw.disks is None:
        hw.disks = _disks(vm, index, template, rng)
    if hw.dvds is None:
        iso = f"{ISO_FOLDER}\\{rng.choice(_ISOS)}" if rng.random() < 0.4 else None
        hw.dvds = [DvdSpec(iso)] if vm.generation == 1 or iso else []
    if hw.nics is None:
        hw.nics = _nics(index, role, plan, rng)
    if hw.com_ports is None:
        pipe = f"\\\\.\\pipe\\{vm.name}-com1" if rng.random() < 0.1 else ""
        hw.com_ports = [pipe, ""]
    if hw.guest is None:
        build = os_version.rsplit(".", 1)[-1] if not linux else os_version.split("-", 1)[0]
        hw.guest = GuestSpec(
            fqdn=f"{vm.name}.{plan.domain}",
            os_name=os_name,
            os_version=os_version,
            build=build,
            linux=linux,
            services_version="3.1" if linux else f"{os_version}.{rng.choice((1, 2, 1906, 2322))}",
        )


def _disks(vm: VMSpec, index: int, template: str, rng: random.Random) -> list[DiskSpec]:
    ext = ".vhd" if vm.generation == 1 and rng.random() < 0.3 else ".vhdx"
    roll = rng.random()
    kind = DIFFERENCING if index == 0 or roll < 0.12 else FIXED if roll < 0.25 else DYNAMIC
    parent = f"{TEMPLATE_FOLDER}\\{template}{ext}" if kind == DIFFERENCING else None
    used = rng.uniform(0.02, 0.1) if kind == DIFFERENCING else rng.uniform(0.15, 0.7)
    disks = [DiskSpec(f"{VHD_FOLDER}\\{vm.name}{ext}", 127 * GIB, kind, parent, used)]
    for n in range(rng.choice((0, 0, 1, 1, 2))):
        disks.append(
            DiskSpec(
                f"{VHD_FOLDER}\\{vm.name}-data{n + 1}{ext}",
                rng.choice((64, 128, 256, 512)) * GIB,
                FIXED if rng.random() < 0.2 else DYNAMIC,
                None,
                rng.uniform(0.05, 0.9),
            )
        )
    return disks


def _nics(index: int, role: str | None, plan: HostPlan, rng: random.Random) -> list[NicSpec]:
    if role == MULTI_NIC:
        kinds: list[str | None] = [EXTERNAL, INTERNAL, PRIVATE]
    elif role == DISCONNECTED:
        kinds = [EXTERNAL, None]
    else:
        roll = rng.random()
        kinds = [None if roll < 0.04 else INTERNAL if roll < 0.2 else EXTERNAL]
    nics = []
    for n, kind in enumerate(kinds):
        switch = plan.switch(kind) if kind else None
        nic = NicSpec(
            guid=_guid(rng),
            mac=f"00155D{plan.mac:02X}{((index << 3) | n) & 0xFFFF:04X}",
            static_mac=rng.random() < 0.15,
            switch=switch,
        )
        _address(nic, kind if switch else None, index, role == IPV6_ONLY, plan, rng)
        nics.append(nic)
    return nics


def _address(
    nic: NicSpec, kind: str | None, index: int, v6_only: bool, plan: HostPlan, rng: random.Random
) -> None:
    """The guest's addresses on one adapter; every adapter keeps an IPv6 link-local address."""
    host = index + 10
    link_local = f"fe80::{rng.getrandbits(16):x}:{rng.getrandbits(16):x}:{rng.getrandbits(16):x}:{rng.getrandbits(16):x}/64"  # noqa: E501
    if kind is None:
        nic.ips = [link_local]
        return
    if kind == EXTERNAL:
        global_v6 = f"2001:db8:{plan.v6:x}::{host:x}/64"
        if v6_only:
            nic.ips = [global_v6, link_local]
            nic.gateways = [f"2001:db8:{plan.v6:x}::1"]
            nic.dns = [f"2001:db8:{plan.v6:x}::53"]
            nic.dhcp = False
            return
        nic.ips = [f"10.{plan.v4}.{(host >> 8) & 255}.{host & 255}/16"]
        if rng.random() < 0.5:
            nic.ips.append(global_v6)
        nic.ips.append(link_local)
        nic.gateways = [f"10.{plan.v4}.0.1"]
        nic.dns = [f"10.{plan.v4}.0.10", f"10.{plan.v4}.0.11"]
    elif kind == INTERNAL:
        nic.ips = [f"192.168.{plan.internal}.{2 + host % 250}/24", link_local]
        nic.gateways = [f"192.168.{plan.internal}.1"]
        nic.dns = [f"192.168.{plan.internal}.1"]
    else:
        nic.ips = [f"172.16.{(host >> 8) & 255}.{host & 255}/16", link_local]
        nic.dhcp = False
    nic.dhcp = nic.dhcp and rng.random() < 0.7
