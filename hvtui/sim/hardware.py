"""What a simulated VM is built of and what its guest reports: disks, DVD drives, NICs, COM
ports, the guest's name and OS, and the host's virtual switches.

Plain data, as a scenario file or the seed says. A ``None`` member means "not given": the
seeded generator (:mod:`hvtui.sim.hardware_seed`) fills it in once, on first use, so a host of
10,000 VMs pays for devices only when a client asks for them.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

EXTERNAL, INTERNAL, PRIVATE = "external", "internal", "private"
SWITCH_KINDS = (EXTERNAL, INTERNAL, PRIVATE)
FIXED, DYNAMIC, DIFFERENCING = "fixed", "dynamic", "differencing"
DISK_KINDS = (FIXED, DYNAMIC, DIFFERENCING)
GIB = 1 << 30


@dataclass
class SwitchSpec:
    """A virtual switch: ``ElementName``, ``Name`` (its GUID) and how it reaches the network."""

    name: str
    guid: str
    kind: str = EXTERNAL


def default_switches(host_name: str, seed: int) -> list[SwitchSpec]:
    """An external, an internal and a private switch, as most hosts have."""
    rng = random.Random(f"hvtui-sim-switches:{seed}:{host_name}")
    return [
        SwitchSpec(name, str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper(), kind)
        for name, kind in (("External", EXTERNAL), ("Internal", INTERNAL), ("Private", PRIVATE))
    ]


@dataclass
class DiskSpec:
    """A virtual hard disk file attached to the VM; ``used`` is the file's share of its size.

    An empty ``path`` is a hard drive with no disk in it (added, its disk not yet attached).
    ``slot`` is where the drive sits, ("ide:0" | "ide:1" | "scsi:0", location): given by whoever
    added the drive, else chosen once when the devices are first built, then kept.
    """

    path: str
    size_bytes: int = 127 * GIB
    kind: str = DYNAMIC
    parent: str | None = None  # a differencing disk's parent file
    used: float = 0.3
    slot: tuple[str, int] | None = None


@dataclass
class DvdSpec:
    iso: str | None = None  # no ISO: an empty drive
    slot: tuple[str, int] | None = None  # as DiskSpec's


@dataclass
class NicSpec:
    """A synthetic network adapter and the guest's view of it.

    ``switch`` names a switch of the host, None for a disconnected adapter. ``ips`` carry their
    prefix length (``10.0.0.5/24``, ``2001:db8::5/64``).
    """

    guid: str
    mac: str  # twelve hex digits, as Hyper-V writes Address
    static_mac: bool = False
    switch: str | None = None
    ips: list[str] = field(default_factory=list)
    gateways: list[str] = field(default_factory=list)
    dns: list[str] = field(default_factory=list)
    dhcp: bool = True


@dataclass
class GuestSpec:
    """What the integration services report from inside the guest."""

    fqdn: str
    os_name: str
    os_version: str  # major.minor.build for Windows, the kernel release for Linux
    build: str
    linux: bool = False
    services_version: str = "10.0.20348.1"


@dataclass
class Hardware:
    """A VM's devices and guest facts; members left None are generated from the seed."""

    disks: list[DiskSpec] | None = None
    dvds: list[DvdSpec] | None = None
    nics: list[NicSpec] | None = None
    com_ports: list[str] | None = None  # Connection of COM 1 and COM 2 ("" when not connected)
    guest: GuestSpec | None = None

    @property
    def complete(self) -> bool:
        return None not in (self.disks, self.dvds, self.nics, self.com_ports, self.guest)
