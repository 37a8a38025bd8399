"""Windows releases by build number, and libvirt's packed Hyper-V version.

libvirt packs ``Win32_OperatingSystem.Version`` as ``major*100000000 + minor*1000000 + micro``
and ``virsh version`` prints that number split in thousands, so 10.0.17763 shows as
1000.17.763 and 10.0.19045 as 1000.19.45. hvtui shows both the packed form (to match what
libvirt users see) and the real build (so nobody is misled). Nothing here raises: a version
that does not fit yields a :class:`WindowsRelease` that says so and keeps the raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# libvirt's limits (hypervConnectGetVersion): beyond these it cannot pack the number.
_MAX_MAJOR = 99
_MAX_MINOR = 99
_MAX_MICRO = 999_999

_VERSION = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)")

# Kernel 10.0 server releases by build (Long-Term Servicing and the semi-annual channel).
_SERVER_BUILDS: dict[int, tuple[str, str]] = {
    14393: ("Windows Server 2016", "2016"),
    16299: ("Windows Server, version 1709", "1709"),
    17134: ("Windows Server, version 1803", "1803"),
    17763: ("Windows Server 2019", "2019"),
    18362: ("Windows Server, version 1903", "1903"),
    18363: ("Windows Server, version 1909", "1909"),
    19041: ("Windows Server, version 2004", "2004"),
    19042: ("Windows Server, version 20H2", "20H2"),
    20348: ("Windows Server 2022", "2022"),
    25398: ("Windows Server, version 23H2", "23H2"),
    26100: ("Windows Server 2025", "2025"),
}

# Kernel 10.0 client builds with Hyper-V: (feature update, product).
_CLIENT_BUILDS: dict[int, str] = {
    10240: "1507",
    10586: "1511",
    14393: "1607",
    15063: "1703",
    16299: "1709",
    17134: "1803",
    17763: "1809",
    18362: "1903",
    18363: "1909",
    19041: "2004",
    19042: "20H2",
    19043: "21H1",
    19044: "21H2",
    19045: "22H2",
    22000: "21H2",
    22621: "22H2",
    22631: "23H2",
    26100: "24H2",
    26200: "25H2",
}
_WINDOWS_11_FIRST_BUILD = 22000

# Kernels before 10.0: (server name, short name, client name).
_OLD_KERNELS: dict[tuple[int, int], tuple[str, str, str]] = {
    (6, 0): ("Windows Server 2008", "2008", "Windows Vista"),
    (6, 1): ("Windows Server 2008 R2", "2008 R2", "Windows 7"),
    (6, 2): ("Windows Server 2012", "2012", "Windows 8"),
    (6, 3): ("Windows Server 2012 R2", "2012 R2", "Windows 8.1"),
}

UNSUPPORTED_NOTE = (
    "unsupported: releases before Windows Server 2012 R2 use the old Hyper-V WMI namespace; "
    "hvtui, like libvirt, needs 2012 R2 or newer"
)


@dataclass(frozen=True, order=True)
class KernelVersion:
    """``Win32_OperatingSystem.Version``: major.minor.build (never the update revision)."""

    major: int
    minor: int
    build: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.build}"

    @property
    def packable(self) -> bool:
        return self.major <= _MAX_MAJOR and self.minor <= _MAX_MINOR and self.build <= _MAX_MICRO

    @property
    def packed(self) -> int | None:
        """libvirt's packed version, or None when libvirt could not pack it either."""
        if not self.packable:
            return None
        return self.major * 100_000_000 + self.minor * 1_000_000 + self.build


def parse_kernel_version(text: str) -> KernelVersion | None:
    """Parse ``"10.0.17763"``; None for anything that is not exactly three numbers."""
    match = _VERSION.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    major, minor, build = (int(g) for g in match.groups())
    return KernelVersion(major, minor, build)


def pack_version(major: int, minor: int, micro: int) -> int:
    """libvirt's formula; raises ValueError where libvirt reports it cannot pack."""
    if not (0 <= major <= _MAX_MAJOR and 0 <= minor <= _MAX_MINOR and 0 <= micro <= _MAX_MICRO):
        raise ValueError(f"{major}.{minor}.{micro} is too large to pack as libvirt does")
    return major * 100_000_000 + minor * 1_000_000 + micro


def format_packed(packed: int) -> str:
    """Render a packed number the way ``virsh version`` prints it (1000017763 → 1000.17.763)."""
    return f"{packed // 1_000_000}.{(packed % 1_000_000) // 1000}.{packed % 1000}"


@dataclass(frozen=True)
class WindowsRelease:
    """What a host runs, in every form a person might look for."""

    raw_version: str
    kernel: KernelVersion | None
    name: str
    short: str
    caption: str | None = None
    feature_update: str | None = None
    is_server: bool = True
    supported: bool = True
    note: str | None = None

    @property
    def libvirt_version(self) -> int | None:
        return self.kernel.packed if self.kernel else None

    @property
    def libvirt_version_text(self) -> str | None:
        packed = self.libvirt_version
        return format_packed(packed) if packed is not None else None

    @property
    def display_name(self) -> str:
        """The host's own Caption when it has one, else the release's name."""
        return self.caption or self.name

    @property
    def build(self) -> int | None:
        return self.kernel.build if self.kernel else None

    def summary(self) -> str:
        """One line: caption, kernel and libvirt's form, e.g. for a status bar."""
        parts = [self.display_name]
        if self.feature_update:
            parts.append(self.feature_update)
        if self.kernel:
            parts.append(str(self.kernel))
        else:
            parts.append(f"version {self.raw_version!r}")
        if self.libvirt_version_text:
            parts.append(f"libvirt {self.libvirt_version_text}")
        text = " · ".join(parts)
        return f"{text} ({self.note})" if self.note else text


def identify_release(
    version: str,
    *,
    caption: str | None = None,
    build_number: str | None = None,
    product_type: int | None = None,
) -> WindowsRelease:
    """Name the Windows release from ``Win32_OperatingSystem`` fields.

    ``product_type`` is 1 for a workstation, 2 for a domain controller, 3 for a server; when it
    is missing, the Caption decides ("Server" in it), and without either a server is assumed.
    """
    raw = version if isinstance(version, str) else ""
    caption = caption.strip() if isinstance(caption, str) and caption.strip() else None
    kernel = parse_kernel_version(raw)
    if kernel is None:
        return WindowsRelease(
            raw_version=raw,
            kernel=None,
            name=caption or "Windows (unrecognised version)",
            short="?",
            caption=caption,
            supported=False,
            note=f"unrecognised version {_clip(raw)!r}: expected three numbers such as 10.0.17763",
        )
    if build_number and build_number.strip().isdigit() and int(build_number) != kernel.build:
        note_build = f"BuildNumber {build_number.strip()} differs from Version {kernel}"
    else:
        note_build = None

    is_server = _is_server(product_type, caption)
    name, short, feature = _name_for(kernel, is_server)
    supported = (kernel.major, kernel.minor) >= (6, 3)
    notes = []
    if not supported:
        notes.append(UNSUPPORTED_NOTE)
    if not kernel.packable:
        notes.append(f"version {kernel} is too large to pack as libvirt does")
    if note_build:
        notes.append(note_build)
    return WindowsRelease(
        raw_version=raw,
        kernel=kernel,
        name=name,
        short=short,
        caption=caption,
        feature_update=feature,
        is_server=is_server,
        supported=supported,
        note="; ".join(notes) or None,
    )


def _is_server(product_type: int | None, caption: str | None) -> bool:
    if product_type in (2, 3):
        return True
    if product_type == 1:
        return False
    if caption:
        return "server" in caption.lower()
    return True


def _name_for(kernel: KernelVersion, is_server: bool) -> tuple[str, str, str | None]:
    """(name, short, feature update) for a kernel version."""
    key = (kernel.major, kernel.minor)
    if key in _OLD_KERNELS:
        server, short, client = _OLD_KERNELS[key]
        return (server, short, None) if is_server else (client, client.replace("Windows ", "Win"), None)
    if key == (10, 0):
        if is_server:
            if kernel.build in _SERVER_BUILDS:
                name, short = _SERVER_BUILDS[kernel.build]
                return name, short, None
            return f"Windows Server (build {kernel.build})", str(kernel.build), None
        product = "Windows 11" if kernel.build >= _WINDOWS_11_FIRST_BUILD else "Windows 10"
        return product, product.replace("Windows ", "Win"), _CLIENT_BUILDS.get(kernel.build)
    return f"Windows {kernel}", str(kernel), None


def _clip(text: str, limit: int = 40) -> str:
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
