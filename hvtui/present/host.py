"""How a host's facts read to a person: long rows for ``hvtui info``, short lines for the TUI's host pane.

Each fact is worded here once, with its two forms side by side, so that the CLI and the
TUI cannot come to say different things about the same host (whether its traffic is
protected, above all).
"""

from __future__ import annotations

from collections.abc import Mapping

from hvtui.hyperv.models import HostFacts
from hvtui.hyperv.states import VMState
from hvtui.present.formats import DASH, count, memory, uptime
from hvtui.version import WindowsRelease

Pair = tuple[str, str]


def short_host_name(name: str) -> str:
    """A host's name without its domain, as lists show it; an IPv4 address stays whole."""
    if "." not in name or name.replace(".", "").isdigit():
        return name
    return name.split(".", 1)[0]


# -- release --------------------------------------------------------------------------------------


def kernel_text(release: WindowsRelease) -> str:
    """The kernel version, or the host's own text when it is not one we recognise."""
    return str(release.kernel) if release.kernel else f"unrecognised ({release.raw_version!r})"


def libvirt_text(release: WindowsRelease) -> str | None:
    """libvirt's packed version as ``virsh version`` prints it, then the number itself."""
    packed = release.libvirt_version
    return None if packed is None else f"{release.libvirt_version_text} ({packed})"


def release_long(release: WindowsRelease) -> list[Pair]:
    """Release, kernel and libvirt version, one row each."""
    name = f"{release.display_name} ({release.name})"
    if release.feature_update:
        name += f", {release.feature_update}"
    return [
        ("Release", name),
        ("Kernel version", kernel_text(release)),
        ("libvirt version", libvirt_text(release) or DASH),
    ]


def release_short(release: WindowsRelease) -> list[Pair]:
    """The release's name, then the kernel with libvirt's version on one line."""
    name = release.display_name
    if release.feature_update:
        name = f"{name} ({release.feature_update})"
    version = kernel_text(release)
    packed = libvirt_text(release)
    if packed is not None:
        version += f" · libvirt {packed}"
    return [("Windows", name), ("Version", version)]


# -- CPU, memory, uptime --------------------------------------------------------------------------


def logical_processors(facts: HostFacts) -> int | None:
    """What Windows schedules on (Win32_ComputerSystem's count), else sockets × cores × threads."""
    if facts.logical_processors:
        return facts.logical_processors
    if facts.cpus is None:
        return None
    return facts.cpus * (facts.threads or 1)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def cpu_long(facts: HostFacts) -> list[Pair]:
    """Model, logical processors and cores apart (libvirt's "CPU(s)" counts cores), frequency."""
    logical = logical_processors(facts)
    logical_text = DASH if logical is None else str(logical)
    if logical is not None and facts.threads and facts.threads > 1:
        logical_text += f" ({facts.threads} per core)"
    cores = DASH
    if facts.cpus is not None:
        cores = (
            f"{facts.cpus} ({_plural(facts.sockets or 0, 'socket')} × {_plural(facts.cores or 0, 'core')})"
        )
    return [
        ("CPU model", facts.cpu_model or DASH),
        ("Logical processors", logical_text),
        ("Cores", cores),
        ("CPU frequency", f"{facts.mhz} MHz" if facts.mhz else DASH),
    ]


def cpu_short(facts: HostFacts) -> str:
    """ "Intel Xeon … @ 2400 MHz · 56 logical processors, 28 cores, 2 sockets" on one line."""
    shape = []
    logical = logical_processors(facts)
    if logical:
        shape.append(_plural(logical, "logical processor"))
    if facts.cpus:
        shape.append(_plural(facts.cpus, "core"))
    if facts.sockets:
        shape.append(_plural(facts.sockets, "socket"))
    model = facts.cpu_model or "unknown CPU"
    mhz = f" @ {facts.mhz} MHz" if facts.mhz else ""
    return f"{model}{mhz} · {', '.join(shape)}" if shape else f"{model}{mhz}"


def memory_long(facts: HostFacts) -> str:
    return f"{memory(facts.memory_mib)} (free {memory(facts.free_memory_mib)})"


def memory_short(facts: HostFacts) -> str:
    return f"{memory(facts.memory_mib)} total · {memory(facts.free_memory_mib)} free"


def host_uptime(facts: HostFacts) -> str:
    return uptime(facts.uptime) or DASH


# -- VMs by state ---------------------------------------------------------------------------------

_STATE_WORDS = (
    (VMState.RUNNING, "running"),
    (VMState.OFF, "off"),
    (VMState.SAVED, "saved"),
    (VMState.PAUSED, "paused"),
)


def counts_long(counts: Mapping[VMState, int]) -> str:
    """ "60 (44 running, 10 off, 3 saved, 3 paused)": every state by name, most common first."""
    parts = ", ".join(f"{n} {state.value}" for state, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"{sum(counts.values())}" + (f" ({parts})" if parts else "")


def counts_short(counts: Mapping[VMState, int]) -> str:
    """ "12 running · 20 off · 3 saved · 1 paused · 2 other  (38 in all)" (zeros left out, total last)."""
    parts = [f"{counts[state]} {word}" for state, word in _STATE_WORDS if counts.get(state)]
    other = sum(n for state, n in counts.items() if state not in dict(_STATE_WORDS))
    if other:
        parts.append(f"{other} other")
    total = sum(counts.values())
    return (" · ".join(parts) + f"  ({total} in all)") if parts else "none"


# -- the connection -------------------------------------------------------------------------------


def protection(
    *,
    https: bool,
    tls_verified: bool | None,
    encrypted: bool | None,
    auth: str | None = None,
    pinned: bool = False,
) -> str:
    """Whether the traffic to the host is protected, and how: the one wording both front ends use.

    ``encrypted`` (NTLM or Kerberos message encryption over HTTP, as ``auth`` says) is None until
    the host has answered; ``pinned``: the certificate is checked against the host's pin, not a CA.
    """
    if https and pinned:
        return "TLS verified (pinned certificate)"
    if https:
        return "TLS verified" if tls_verified else "TLS NOT verified (no_verify=1)"
    if encrypted is True:
        return f"no TLS ({'Kerberos' if auth == 'kerberos' else 'NTLM'} message encryption)"
    if encrypted is False:
        return "no TLS, unencrypted"
    return "no TLS"


def connection_long(endpoint: str, auth: str, protected: str) -> str:
    """ "https://hv01:5986/wsman, ntlm, TLS verified"."""
    return f"{endpoint}, {auth}, {protected}"


def connection_short(transport: str, auth: str, protected: str) -> str:
    """ "https · auth ntlm · TLS verified" (the pane shows the URI on the line above)."""
    return f"{transport} · auth {auth} · {protected}"


def info_rows(facts: HostFacts, counts: Mapping[VMState, int], connection: str) -> list[Pair]:
    """Everything ``hvtui info`` prints, like virsh version, hostname, nodeinfo and freecell."""
    release = facts.release
    rows = [
        ("Hostname", facts.hostname),
        *release_long(release),
        *cpu_long(facts),
        ("Memory", memory_long(facts)),
        ("Max vCPUs per VM", count(facts.max_vcpus)),
        ("Host UUID", facts.uuid or DASH),
        ("Uptime", host_uptime(facts)),
        ("VMs", counts_long(counts)),
        ("Connection", connection),
    ]
    if release.note:
        rows.append(("Note", release.note))
    return rows
