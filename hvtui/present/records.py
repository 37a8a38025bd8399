"""Plain-data records of hosts and VMs: the stable JSON/CSV shapes scripts rely on.

Field names here are an interface (``hvtui ls --json`` is parsed by other tools): add
fields freely, never rename or remove one.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from hvtui.hyperv.models import VM, Connection, HostFacts, HostSnapshot
from hvtui.present import host as present_host
from hvtui.present.formats import seconds

VM_FIELDS = (
    "host",
    "name",
    "guid",
    "state",
    "enabled_state",
    "id",
    "vcpus",
    "memory_mib",
    "uptime_s",
    "cpu_load",
    "heartbeat",
    "health",
    "generation",
    "version",
    "startup_memory_mib",
    "maximum_memory_mib",
    "dynamic_memory",
    "memory_demand_mib",
    "memory_buffer_pct",
    "autostart",
    "notes",
    "guest_os",
    "critical",
    "shutdown_service",
    "task",
    "ips",
    "fqdn",
)


def vm_record(vm: VM) -> dict[str, Any]:
    return {
        "host": vm.host,
        "name": vm.name,
        "guid": vm.guid,
        "state": vm.state.value,
        "enabled_state": vm.enabled_state,
        "id": vm.id,
        "vcpus": vm.vcpus,
        "memory_mib": vm.memory_mib,
        "uptime_s": seconds(vm.uptime),
        "cpu_load": vm.cpu_load,
        "heartbeat": vm.heartbeat.label if vm.heartbeat else None,
        "health": vm.health_label,
        "generation": vm.generation,
        "version": vm.version,
        "startup_memory_mib": vm.startup_memory_mib,
        "maximum_memory_mib": vm.maximum_memory_mib,
        "dynamic_memory": vm.dynamic_memory,
        "memory_demand_mib": vm.memory_demand_mib,
        "memory_buffer_pct": vm.memory_buffer_pct,
        "autostart": vm.autostart_label,
        "notes": vm.notes,
        "guest_os": vm.guest_os,
        "critical": vm.power.critical,
        "shutdown_service": vm.has_shutdown_service,
        "task": vm.host_job,
        "ips": list(vm.ips),  # every address the guest reports, all its NICs'
        "fqdn": vm.fqdn,
    }


def facts_record(
    uri: str,
    facts: HostFacts,
    snapshot: HostSnapshot | None = None,
    connection: Connection | None = None,
) -> dict[str, Any]:
    release = facts.release
    record: dict[str, Any] = {
        "uri": uri,
        "hostname": facts.hostname,
        "caption": release.caption,
        "version": release.raw_version,
        "build": release.build,
        "release": release.name,
        "feature_update": release.feature_update,
        "supported": release.supported,
        "note": release.note,
        "libvirt_version": release.libvirt_version,
        "libvirt_version_text": release.libvirt_version_text,
        "cpu_model": facts.cpu_model,
        "sockets": facts.sockets,
        "cores": facts.cores,
        "threads": facts.threads,
        "cpus": facts.cpus,  # libvirt's nodeinfo "CPU(s)": sockets × cores
        "logical_processors": present_host.logical_processors(facts),
        "mhz": facts.mhz,
        "memory_mib": facts.memory_mib,
        "free_memory_mib": facts.free_memory_mib,
        "uuid": facts.uuid,
        "uptime_s": seconds(facts.uptime),
        "max_vcpus": facts.max_vcpus,
    }
    if snapshot is not None:
        record["vms"] = len(snapshot.vms)
        record["vm_states"] = {
            state.value: n for state, n in sorted(snapshot.counts().items(), key=lambda kv: kv[0].value)
        }
    if connection is not None:
        record["connection"] = asdict(connection)
    return record
