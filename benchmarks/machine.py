"""What the figures were measured on: CPU, cores, memory, Python, OS, library versions, load.

The load average is recorded before and after a run because a benchmark on a shared
machine is only as good as the quiet it ran in.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
from pathlib import Path
from typing import Any

from lxml import etree


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_total_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def describe() -> dict[str, Any]:
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": memory_total_gib(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "lxml": ".".join(map(str, etree.LXML_VERSION)),
        "libxml2": ".".join(map(str, etree.LIBXML_VERSION)),
        "load_average_at_start": load_average(),
        "executable": sys.executable,
    }


def one_line(info: dict[str, Any]) -> str:
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB; {info['python']}; "
        f"{info['os']}; lxml {info['lxml']} (libxml2 {info['libxml2']}); "
        f"load average at start {info['load_average_at_start']}"
    )


def _status_bytes(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def peak_rss_bytes() -> int:
    """Peak resident set size of this process: ``VmHWM`` from /proc/self/status.

    Not ``ru_maxrss`` where /proc is there: Linux keeps the parent's peak across fork and
    exec, so a fresh worker started by a big benchmark process would report its parent's.
    """
    peak = _status_bytes("VmHWM")
    if peak is not None:
        return peak
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024


def current_rss_bytes() -> int | None:
    """Resident set size now, from ``VmRSS`` in /proc/self/status (Linux only)."""
    return _status_bytes("VmRSS")


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of another process (the simulator), from /proc/PID/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
