"""Host facts from Win32_* instances: hostname, release, ``virsh nodeinfo`` and ``freecell``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hvtui.hyperv.lenient import as_int, as_text
from hvtui.hyperv.models import HostFacts, clean_cpu_model
from hvtui.version import identify_release

Props = Mapping[str, Any]


def build_facts(
    os_props: Props,
    computer: Props,
    processors: Sequence[Props],
    product: Props | None,
    max_vcpus: int | None,
) -> HostFacts:
    """Assemble :class:`HostFacts` the way libvirt's nodeGetInfo reads the same classes."""
    release = identify_release(
        as_text(os_props.get("Version")),
        caption=(as_text(os_props.get("Caption")) or None),
        build_number=(as_text(os_props.get("BuildNumber")) or None),
        product_type=as_int(os_props.get("ProductType")),
    )
    dns = (
        as_text(computer.get("DNSHostName"))
        or as_text(computer.get("Name"))
        or as_text(os_props.get("CSName"))
    )
    domain = as_text(computer.get("Domain"))
    part_of_domain = computer.get("PartOfDomain")
    hostname = dns or "?"
    if dns and domain and part_of_domain is not False and "." in domain and "." not in dns:
        hostname = f"{dns}.{domain}"

    first = processors[0] if processors else {}
    cores = as_int(first.get("NumberOfCores"))
    logical = as_int(first.get("NumberOfLogicalProcessors"))
    threads = logical // cores if cores and logical else None

    total = as_int(computer.get("TotalPhysicalMemory"))
    memory_mib = total // (1024 * 1024) if total is not None else None
    if memory_mib is None:
        visible = as_int(os_props.get("TotalVisibleMemorySize"))
        memory_mib = visible // 1024 if visible is not None else None

    last_boot = os_props.get("LastBootUpTime")
    return HostFacts(
        hostname=hostname,
        release=release,
        cpu_model=clean_cpu_model(as_text(first.get("Name"))),
        sockets=len(processors) or None,
        cores=cores,
        threads=threads,
        mhz=as_int(first.get("MaxClockSpeed")),
        memory_mib=memory_mib,
        free_memory_mib=_free_mib(os_props),
        uuid=(as_text(product.get("UUID")) or None) if product else None,
        last_boot=last_boot if isinstance(last_boot, datetime) else None,
        uptime=uptime_from(os_props),
        max_vcpus=max_vcpus,
        logical_processors=as_int(computer.get("NumberOfLogicalProcessors")),
    )


def refresh_facts(facts: HostFacts, os_live: Props) -> HostFacts:
    """Update what moves between refreshes (free memory, uptime) without re-reading the rest."""
    last_boot = os_live.get("LastBootUpTime")
    return replace(
        facts,
        free_memory_mib=_free_mib(os_live),
        uptime=uptime_from(os_live),
        last_boot=last_boot if isinstance(last_boot, datetime) else facts.last_boot,
    )


def uptime_from(os_props: Props) -> timedelta | None:
    """Uptime by the host's own clock (LocalDateTime − LastBootUpTime), immune to clock skew."""
    boot = os_props.get("LastBootUpTime")
    now = os_props.get("LocalDateTime")
    if not isinstance(boot, datetime):
        return None
    if not isinstance(now, datetime):
        now = datetime.now(UTC)
    if boot.tzinfo is None or now.tzinfo is None:
        return None
    delta = now - boot
    return delta if delta >= timedelta(0) else None


def _free_mib(os_props: Props) -> int | None:
    free_kib = as_int(os_props.get("FreePhysicalMemory"))
    return free_kib // 1024 if free_kib is not None else None
