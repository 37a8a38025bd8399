"""Windows releases a simulated host can run: what Win32_OperatingSystem and Hyper-V report.

Values as the "Win32_OperatingSystem class" page on Microsoft Learn defines them (Version,
BuildNumber, Caption, ProductType, OperatingSystemSKU), and the configuration version a new VM gets
on each release ("Supported virtual machine configuration versions", Microsoft Learn, Hyper-V).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Release:
    key: str
    version: str  # Win32_OperatingSystem.Version, never with the update revision
    caption: str
    product_type: int  # 1 workstation, 3 server
    sku: int  # OperatingSystemSKU: 8 Datacenter, 48 Professional
    config_version: str  # Msvm_VirtualSystemSettingData.Version of a new VM
    host_prefix: str  # host names: <prefix>-01, -02 ...
    os_suite: int
    serial: str

    @property
    def build(self) -> str:
        return self.version.rsplit(".", 1)[1]


RELEASES: dict[str, Release] = {
    r.key: r
    for r in (
        Release(
            "2012r2",
            "6.3.9600",
            "Microsoft Windows Server 2012 R2 Datacenter",
            3,
            8,
            "5.0",
            "HV12R2",
            400,
            "00253-50000-00000-AA442",
        ),
        Release(
            "2016",
            "10.0.14393",
            "Microsoft Windows Server 2016 Datacenter",
            3,
            8,
            "8.0",
            "HV2016",
            400,
            "00377-60000-00000-AA620",
        ),
        Release(
            "2019",
            "10.0.17763",
            "Microsoft Windows Server 2019 Datacenter",
            3,
            8,
            "9.0",
            "HV2019",
            400,
            "00430-00000-00000-AA793",
        ),
        Release(
            "2022",
            "10.0.20348",
            "Microsoft Windows Server 2022 Datacenter",
            3,
            8,
            "10.0",
            "HV2022",
            400,
            "00454-40000-00001-AA081",
        ),
        Release(
            "2025",
            "10.0.26100",
            "Microsoft Windows Server 2025 Datacenter",
            3,
            8,
            "12.0",
            "HV2025",
            400,
            "00491-50000-00001-AA226",
        ),
        Release(
            "win10",
            "10.0.19045",
            "Microsoft Windows 10 Pro",
            1,
            48,
            "9.0",
            "WS10",
            256,
            "00330-80000-00000-AA611",
        ),
        Release(
            "win11",
            "10.0.22631",
            "Microsoft Windows 11 Pro",
            1,
            48,
            "11.0",
            "WS11",
            256,
            "00330-80000-00000-AA894",
        ),
    )
}


def parse_releases(text: str) -> list[Release]:
    """``2022`` or a comma list ``2019,2022`` (cycled over hosts); ValueError names the choices."""
    keys = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not keys:
        raise ValueError("--release needs a value: " + "|".join(RELEASES))
    unknown = [k for k in keys if k not in RELEASES]
    if unknown:
        raise ValueError(f"unknown release {unknown[0]!r}; choose from " + ", ".join(RELEASES))
    return [RELEASES[k] for k in keys]
