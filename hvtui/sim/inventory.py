"""The VMs and facts of a simulated host: generated from a seed, or read from a TOML scenario.

Generation is deterministic: the same seed, host index and options give the same names, GUIDs,
states and sizes, so tests and benchmarks can rely on them.
"""

from __future__ import annotations

import random
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hvtui.sim.hardware import Hardware, SwitchSpec
from hvtui.sim.hardware_scenario import HARDWARE_KEYS, scenario_hardware, scenario_switches
from hvtui.sim.releases import RELEASES, Release
from hvtui.sim.sim_options import OptionsError

RUNNING, OFF, SAVED, PAUSED = 2, 3, 6, 9
STATE_NAMES = {"running": RUNNING, "off": OFF, "saved": SAVED, "paused": PAUSED}

_ROLES = (
    "dc", "sql", "web", "app", "file", "build-agent", "exchange", "rds", "ca", "wsus", "backup",
    "jump", "k8s-node", "monitor", "print", "dev", "test", "lab", "ci-runner", "db", "cache",
    "proxy", "vpn", "mail", "git", "erp", "crm", "log", "dns", "nas",
)  # fmt: skip
_NOTES = (
    "",
    "",
    "",
    "Owner: platform team",
    "Patch window: Sunday 02:00",
    "Do not power off: production",
    "Ticket OPS-1142 & OPS-1187 <migrate>",
    "Line one\nLine two",
)
_CPU_MODELS = (
    ("Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", 2000, 32, "GenuineIntel"),
    ("Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz", 2400, 16, "GenuineIntel"),
    ("AMD EPYC 7443P 24-Core Processor", 2850, 24, "AuthenticAMD"),
    ("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", 2400, 14, "GenuineIntel"),
)
BASE_TIME = datetime(2026, 11, 1, 8, 0, 0, tzinfo=UTC)


@dataclass
class VMSpec:
    """A VM as configured: what a scenario file or the generator says."""

    name: str
    guid: str
    state: int = OFF
    vcpus: int = 2
    memory_mb: int = 2048
    dynamic: bool = False
    min_mb: int = 512
    max_mb: int = 2048
    buffer: int = 20
    generation: int = 2
    version: str = "10.0"
    notes: str = ""
    autostart: int = 3
    shutdown_service: bool = True
    created: datetime = BASE_TIME
    uptime_s: float = 0.0
    load_seed: int = 0
    hardware: Hardware = field(default_factory=Hardware)
    secure_boot: bool | None = None  # None: on for generation 2, as Hyper-V's default


@dataclass
class HostSpec:
    """A host's facts and VMs."""

    name: str
    release: Release
    vms: list[VMSpec]
    sockets: int = 2
    cores: int = 16
    threads_per_core: int = 2
    cpu_model: str = _CPU_MODELS[0][0]
    cpu_mhz: int = 2000
    cpu_vendor: str = "GenuineIntel"
    memory_mb: int = 524_288
    uuid: str = ""
    boot_uptime_s: float = 86_400.0 * 12
    domain: str = "WORKGROUP"
    switches: list[SwitchSpec] | None = None  # None: the default three, made from the seed


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def generate_host(index: int, release: Release, vm_count: int, seed: int, unique_names: bool) -> HostSpec:
    """Host number ``index`` (0-based) of a run with this seed."""
    rng = random.Random(f"hvtui-sim:{seed}:{index}")
    model, mhz, cores, vendor = _CPU_MODELS[rng.randrange(len(_CPU_MODELS))]
    host = HostSpec(
        name=f"{release.host_prefix}-{index + 1:02d}",
        release=release,
        vms=[],
        sockets=rng.choice((1, 2, 2)),
        cores=cores,
        cpu_model=model,
        cpu_mhz=mhz,
        cpu_vendor=vendor,
        memory_mb=rng.choice((262_144, 524_288, 786_432, 1_048_576)),
        uuid=_guid(rng),
        boot_uptime_s=rng.uniform(2, 90) * 86_400,
    )
    counters: dict[str, int] = {}
    older = [v for v in ("5.0", "8.0", "9.0", "10.0") if float(v) < float(release.config_version)]
    for i in range(vm_count):
        role = rng.choice(_ROLES)
        counters[role] = counters.get(role, 0) + 1
        name = f"{role}-{counters[role]:02d}" if unique_names else role
        roll = rng.random()
        state = RUNNING if roll < 0.70 else OFF if roll < 0.90 else SAVED if roll < 0.96 else PAUSED
        memory = rng.choice((512, 1024, 2048, 2048, 4096, 4096, 8192, 16384))
        dynamic = rng.random() < 0.4
        vm = VMSpec(
            name=name,
            guid=_guid(rng),
            state=state,
            vcpus=rng.choice((1, 2, 2, 4, 4, 4, 8, 8, 16)),
            memory_mb=memory,
            dynamic=dynamic,
            min_mb=512 if dynamic else memory,
            max_mb=min(memory * 4, 65536) if dynamic else memory,
            generation=2 if rng.random() < 0.7 else 1,
            version=release.config_version if (not older or rng.random() < 0.8) else rng.choice(older),
            notes=rng.choice(_NOTES),
            autostart=rng.choice((3, 3, 3, 2, 4)),
            shutdown_service=rng.random() < 0.9 or i == 0,
            created=BASE_TIME - timedelta(days=rng.uniform(1, 900), seconds=rng.randrange(86_400)),
            uptime_s=rng.uniform(600, 60 * 86_400) if state in (RUNNING, PAUSED) else 0.0,
            load_seed=rng.getrandbits(32),
        )
        host.vms.append(vm)
    if vm_count >= 3:
        # Make the inventory exercise what clients must handle: one VM of each kind at least.
        host.vms[1].shutdown_service = False
        host.vms[2].state = OFF
        host.vms[2].uptime_s = 0.0
    return host


# --- scenario files -------------------------------------------------------------------------

_VM_KEYS = {
    "name", "guid", "state", "vcpus", "memory", "memory_mb", "dynamic", "min_memory", "max_memory",
    "buffer", "generation", "version", "notes", "autostart", "shutdown_service", "uptime",
} | HARDWARE_KEYS  # fmt: skip
_HOST_KEYS = {"name", "release", "vms", "sockets", "cores", "memory_mb", "cpu_model", "vm", "switch"}
_AUTOSTART = {"none": 2, "restart": 3, "start": 4, "always": 4, "nothing": 2}


def _fail(where: str, message: str) -> OptionsError:
    return OptionsError(f"scenario {where}: {message}")


def load_scenario(path: str | Path, default_release: Release, seed: int) -> list[HostSpec]:
    """Hosts from a TOML file: ``[[host]]`` tables with ``[[host.vm]]`` entries.

    Unknown keys and bad values raise OptionsError with one line naming the place.
    """
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise OptionsError(f"scenario {path}: cannot read it ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise OptionsError(f"scenario {path}: not valid TOML ({exc})") from None
    unknown = set(data) - {"host"}
    if unknown:
        raise _fail(str(path), f"unknown top-level key {sorted(unknown)[0]!r}; use [[host]] tables")
    hosts_raw = data.get("host")
    if not isinstance(hosts_raw, list) or not hosts_raw:
        raise _fail(str(path), "needs at least one [[host]] table")
    hosts: list[HostSpec] = []
    for hi, raw in enumerate(hosts_raw):
        where = f"{path} host #{hi + 1}"
        if not isinstance(raw, dict):
            raise _fail(where, "must be a table")
        bad = set(raw) - _HOST_KEYS
        if bad:
            raise _fail(where, f"unknown key {sorted(bad)[0]!r}")
        release = default_release
        if "release" in raw:
            key = str(raw["release"]).lower()
            if key not in RELEASES:
                raise _fail(where, f"unknown release {raw['release']!r}; choose from " + ", ".join(RELEASES))
            release = RELEASES[key]
        host = generate_host(hi, release, 0, seed, True)
        if "name" in raw:
            host.name = _str(raw["name"], where, "name")
        for key in ("sockets", "cores", "memory_mb"):
            if key in raw:
                setattr(host, key, _int(raw[key], where, key, 1, 1 << 30))
        if "cpu_model" in raw:
            host.cpu_model = _str(raw["cpu_model"], where, "cpu_model")
        host.switches = scenario_switches(raw.get("switch"), where, host.name, seed)
        switch_names = [s.name for s in host.switches]
        rng = random.Random(f"hvtui-scenario:{seed}:{hi}")
        vms_raw = raw.get("vm", [])
        if not isinstance(vms_raw, list):
            raise _fail(where, "vm must be an array of tables: [[host.vm]]")
        for vi, vraw in enumerate(vms_raw):
            host.vms.append(_scenario_vm(vraw, f"{where} vm #{vi + 1}", rng, release, switch_names))
        guids = [v.guid for v in host.vms]
        if len(set(guids)) != len(guids):
            raise _fail(where, "two VMs have the same guid")
        hosts.append(host)
    return hosts


def _str(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, f"{key} must be a string")
    return value


def _int(value: Any, where: str, key: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _fail(where, f"{key} must be a whole number from {low} to {high}")
    return value


def _scenario_vm(raw: Any, where: str, rng: random.Random, release: Release, switches: list[str]) -> VMSpec:
    if not isinstance(raw, dict):
        raise _fail(where, "must be a table")
    bad = set(raw) - _VM_KEYS
    if bad:
        raise _fail(where, f"unknown key {sorted(bad)[0]!r}")
    if "name" not in raw:
        raise _fail(where, "needs a name")
    guid = str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()
    if "guid" in raw:
        try:
            guid = str(uuid.UUID(_str(raw["guid"], where, "guid"))).upper()
        except ValueError:
            raise _fail(where, f"guid {raw['guid']!r} is not a GUID") from None
    state_text = str(raw.get("state", "off")).lower()
    if state_text not in STATE_NAMES:
        raise _fail(where, f"state {raw.get('state')!r}: choose running, off, saved or paused")
    state = STATE_NAMES[state_text]
    memory = _int(raw.get("memory", raw.get("memory_mb", 2048)), where, "memory", 32, 12 * 1024 * 1024)
    dynamic = bool(raw.get("dynamic", False))
    autostart_raw = raw.get("autostart", 3)
    if isinstance(autostart_raw, str):
        if autostart_raw.lower() not in _AUTOSTART:
            raise _fail(where, "autostart: choose none, restart or start (or 2, 3, 4)")
        autostart = _AUTOSTART[autostart_raw.lower()]
    elif isinstance(autostart_raw, bool):
        autostart = 4 if autostart_raw else 2
    else:
        autostart = _int(autostart_raw, where, "autostart", 2, 4)
    generation = _int(raw.get("generation", 2), where, "generation", 1, 2)
    return VMSpec(
        name=_str(raw["name"], where, "name"),
        guid=guid,
        state=state,
        vcpus=_int(raw.get("vcpus", 2), where, "vcpus", 1, 2048),
        memory_mb=memory,
        dynamic=dynamic,
        min_mb=_int(raw.get("min_memory", 512 if dynamic else memory), where, "min_memory", 32, memory),
        max_mb=_int(
            raw.get("max_memory", memory * 4 if dynamic else memory), where, "max_memory", memory, 1 << 30
        ),
        buffer=_int(raw.get("buffer", 20), where, "buffer", 5, 2000),
        generation=generation,
        version=str(raw.get("version", release.config_version)),
        notes=_str(raw.get("notes", ""), where, "notes"),
        autostart=autostart,
        shutdown_service=bool(raw.get("shutdown_service", True)),
        uptime_s=float(raw.get("uptime", 3600.0 if state in (RUNNING, PAUSED) else 0.0)),
        load_seed=rng.getrandbits(32),
        hardware=scenario_hardware(raw, where, guid, switches),
    )
