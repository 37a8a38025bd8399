"""Switches, devices and guest facts in a scenario file.

``[[host.switch]]`` tables (name, type external|internal|private, guid) replace the default
three switches. A ``[[host.vm]]`` may give ``fqdn``, ``os``, ``os_version``, ``com1``/``com2`` (pipe
paths) and ``[[host.vm.disk]]`` (path, size_gb, type fixed|dynamic|differencing, parent,
file_size_gb), ``[[host.vm.dvd]]`` (iso) and ``[[host.vm.nic]]`` (switch, mac, static_mac, ips with
prefix lengths, gateways, dns, dhcp; no switch = disconnected) tables; what it leaves out comes
from the seed. Every mistake is an OptionsError of one line that names the place.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from typing import Any

from hvtui.sim.hardware import (
    DIFFERENCING,
    DISK_KINDS,
    DYNAMIC,
    GIB,
    SWITCH_KINDS,
    DiskSpec,
    DvdSpec,
    GuestSpec,
    Hardware,
    NicSpec,
    SwitchSpec,
    default_switches,
)
from hvtui.sim.sim_options import OptionsError

HARDWARE_KEYS = frozenset({"fqdn", "os", "os_version", "com1", "com2", "disk", "dvd", "nic"})
_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-]?[0-9A-Fa-f]{2}){5}$")
_NIC_KEYS = {"switch", "mac", "static_mac", "ips", "gateways", "dns", "dhcp", "guid"}
_DISK_KEYS = {"path", "size_gb", "type", "parent", "file_size_gb"}
# The version a Windows guest reports when the scenario names only its OS.
_WINDOWS_VERSIONS = (
    ("2012 R2", "6.3.9600"),
    ("2016", "10.0.14393"),
    ("2019", "10.0.17763"),
    ("2025", "10.0.26100"),
    ("Windows 10", "10.0.19045"),
    ("Windows 11", "10.0.22631"),
)
_LINUX_WORDS = ("linux", "ubuntu", "debian", "centos", "red hat", "rhel", "suse", "fedora", "alma", "rocky")


def _fail(where: str, message: str) -> OptionsError:
    return OptionsError(f"scenario {where}: {message}")


def _tables(raw: Any, where: str, key: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise _fail(where, f"{key} must be an array of tables: [[...{key}]]")
    return raw


def _text(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"{key} must be a non-empty string")
    return value


def _strings(value: Any, where: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"{key} must be a list of strings")
    return value


def scenario_switches(raw: Any, where: str, host_name: str, seed: int) -> list[SwitchSpec]:
    """The host's switches: its ``[[host.switch]]`` tables, or the default three."""
    tables = _tables(raw, where, "switch")
    if not tables:
        return default_switches(host_name, seed)
    switches = []
    for i, t in enumerate(tables):
        place = f"{where} switch #{i + 1}"
        bad = set(t) - {"name", "type", "guid"}
        if bad:
            raise _fail(place, f"unknown key {sorted(bad)[0]!r}")
        kind = str(t.get("type", "external")).lower()
        if kind not in SWITCH_KINDS:
            raise _fail(place, "type: choose external, internal or private")
        name = _text(t.get("name"), place, "name")
        guid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"hvtui-switch:{host_name}:{name}")).upper()
        if "guid" in t:
            guid = _guid(t["guid"], place)
        switches.append(SwitchSpec(name, guid, kind))
    if len({s.name.lower() for s in switches}) != len(switches):
        raise _fail(where, "two switches have the same name")
    return switches


def _guid(value: Any, where: str) -> str:
    try:
        return str(uuid.UUID(str(value))).upper()
    except ValueError:
        raise _fail(where, f"guid {value!r} is not a GUID") from None


def scenario_hardware(raw: dict[str, Any], where: str, vm_guid: str, switches: list[str]) -> Hardware:
    """The devices and guest facts a ``[[host.vm]]`` table gives (None members: from the seed)."""
    hw = Hardware()
    if "disk" in raw:
        hw.disks = [
            _disk(t, f"{where} disk #{i + 1}") for i, t in enumerate(_tables(raw["disk"], where, "disk"))
        ]
    if "dvd" in raw:
        dvds = _tables(raw["dvd"], where, "dvd")
        hw.dvds = [DvdSpec(_text(t["iso"], where, "iso") if "iso" in t else None) for t in dvds]
    if "nic" in raw:
        hw.nics = [
            _nic(t, f"{where} nic #{i + 1}", vm_guid, i, switches)
            for i, t in enumerate(_tables(raw["nic"], where, "nic"))
        ]
    if "com1" in raw or "com2" in raw:
        hw.com_ports = [str(raw.get("com1", "")), str(raw.get("com2", ""))]
    if {"fqdn", "os", "os_version"} & set(raw):
        os_name = _text(raw.get("os", "Windows Server 2022 Datacenter"), where, "os")
        linux = any(word in os_name.lower() for word in _LINUX_WORDS)
        default = next((v for word, v in _WINDOWS_VERSIONS if word in os_name), "10.0.20348")
        default = "5.15.0-105-generic" if linux else default
        version = _text(raw.get("os_version", default), where, "os_version")
        hw.guest = GuestSpec(
            fqdn=_text(raw.get("fqdn", raw.get("name", "guest")), where, "fqdn"),
            os_name=os_name,
            os_version=version,
            build=version.split("-", 1)[0] if linux else version.rsplit(".", 1)[-1],
            linux=linux,
            services_version="3.1" if linux else f"{version}.1",
        )
    return hw


def _disk(t: dict[str, Any], where: str) -> DiskSpec:
    bad = set(t) - _DISK_KEYS
    if bad:
        raise _fail(where, f"unknown key {sorted(bad)[0]!r}")
    path = _text(t.get("path"), where, "path")
    kind = str(t.get("type", DIFFERENCING if "parent" in t else DYNAMIC)).lower()
    if kind not in DISK_KINDS:
        raise _fail(where, "type: choose fixed, dynamic or differencing")
    parent = _text(t["parent"], where, "parent") if "parent" in t else None
    if (kind == DIFFERENCING) != (parent is not None):
        raise _fail(where, "a differencing disk needs a parent, and only it has one")
    size = t.get("size_gb", 127)
    if not isinstance(size, int | float) or isinstance(size, bool) or not 0 < size <= 65536:
        raise _fail(where, "size_gb must be a number from 1 to 65536")
    size_bytes = int(size * GIB)
    used = 1.0 if kind == "fixed" else 0.3
    if "file_size_gb" in t:
        file_size = t["file_size_gb"]
        if not isinstance(file_size, int | float) or isinstance(file_size, bool) or file_size < 0:
            raise _fail(where, "file_size_gb must be a number of at least 0")
        used = min(1.0, file_size * GIB / size_bytes)
    return DiskSpec(path, size_bytes, kind, parent, used)


def _nic(t: dict[str, Any], where: str, vm_guid: str, index: int, switches: list[str]) -> NicSpec:
    bad = set(t) - _NIC_KEYS
    if bad:
        raise _fail(where, f"unknown key {sorted(bad)[0]!r}")
    switch = None
    if t.get("switch"):
        wanted = _text(t["switch"], where, "switch")
        switch = next((s for s in switches if s.lower() == wanted.lower()), None)
        if switch is None:
            raise _fail(where, f"switch {wanted!r} is not a switch of this host ({', '.join(switches)})")
    guid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"hvtui-nic:{vm_guid}:{index}")).upper()
    if "guid" in t:
        guid = _guid(t["guid"], where)
    mac = str(t.get("mac", f"00155D00{index:04X}"))
    if not _MAC.match(mac):
        raise _fail(where, f"mac {mac!r} is not a MAC address (six hex bytes)")
    ips = _strings(t.get("ips", []), where, "ips")
    for ip in ips:
        try:
            ipaddress.ip_interface(ip)
        except ValueError:
            raise _fail(where, f"{ip!r} is not an IP address (with an optional /prefix)") from None
    return NicSpec(
        guid=guid,
        mac=mac.replace(":", "").replace("-", "").upper(),
        static_mac=bool(t.get("static_mac", "mac" in t)),
        switch=switch,
        ips=[str(ipaddress.ip_interface(ip)) for ip in ips],
        gateways=_strings(t.get("gateways", []), where, "gateways"),
        dns=_strings(t.get("dns", []), where, "dns"),
        dhcp=bool(t.get("dhcp", False)),
    )
