"""A host whose VMs show every case of what is inside a VM: a differencing disk, an ISO, a
disconnected NIC, several NICs, an IPv6-only guest, a guest without integration services, an
off VM. For the domain, CLI and TUI tests of devices, addresses and switches."""

from __future__ import annotations

from pathlib import Path

INSIDE = """
[[host]]
name = "HV-INSIDE"
release = "2022"
[[host.switch]]
name = "LAN"
type = "external"
[[host.switch]]
name = "Lab"
type = "internal"
[[host.switch]]
name = "Storage"
type = "private"

[[host.vm]]
name = "web-01"
state = "running"
generation = 1
fqdn = "web-01.example.org"
os = "Ubuntu 24.04 LTS"
com1 = '\\\\.\\pipe\\web-01'
[[host.vm.disk]]
path = 'D:\\VMs\\web-01.vhdx'
size_gb = 40
parent = 'D:\\Templates\\ubuntu.vhdx'
[[host.vm.disk]]
path = 'D:\\VMs\\web-01-data.vhdx'
size_gb = 100
type = "fixed"
[[host.vm.dvd]]
iso = 'D:\\ISO\\ubuntu.iso'
[[host.vm.nic]]
switch = "LAN"
mac = "00:15:5D:0A:0B:0C"
ips = ["192.0.2.10/24", "2001:db8::10/64"]
gateways = ["192.0.2.1"]
dns = ["192.0.2.53"]
[[host.vm.nic]]
mac = "00:15:5D:0A:0B:0D"

[[host.vm]]
name = "v6-only"
state = "running"
generation = 2
fqdn = "v6-only.example.org"
os = "Windows Server 2022 Datacenter"
[[host.vm.nic]]
switch = "Lab"
mac = "00:15:5D:0A:0C:01"
ips = ["2001:db8:1::7/64", "fe80::7/64"]

[[host.vm]]
name = "router"
state = "running"
generation = 2
fqdn = "router.example.org"
os = "Debian GNU/Linux 12"
[[host.vm.nic]]
switch = "LAN"
mac = "00:15:5D:0A:0D:01"
ips = ["192.0.2.1/24"]
[[host.vm.nic]]
switch = "Lab"
mac = "00:15:5D:0A:0D:02"
ips = ["198.51.100.1/24"]
[[host.vm.nic]]
switch = "Storage"
mac = "00:15:5D:0A:0D:03"
ips = ["10.9.0.1/16"]

[[host.vm]]
name = "no-services"
state = "running"
shutdown_service = false
[[host.vm.nic]]
switch = "LAN"
mac = "00:15:5D:0A:0E:01"
ips = ["192.0.2.50/24"]

[[host.vm]]
name = "cold"
state = "off"
[[host.vm.nic]]
switch = "LAN"
mac = "00:15:5D:0A:0F:01"
ips = ["192.0.2.60/24"]
"""


def inside_scenario(directory: Path) -> Path:
    path = Path(directory) / "inside.toml"
    path.write_text(INSIDE)
    return path
