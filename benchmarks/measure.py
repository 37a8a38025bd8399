"""Measuring one piece of client work: wall time, this process's CPU time, wire counters.

Wall time is ``time.perf_counter()``; client CPU is ``time.process_time()`` (user + system
of this process, all its threads); the simulator runs in another process, so none of its
work is in the CPU figure. The garbage collector runs before each measurement so one run
does not pay for the garbage of the one before.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from hvtui.wsman.stats import ClientStats

T = TypeVar("T")


@dataclass
class Sample:
    wall: float
    cpu: float
    round_trips: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    server_cpu: float | None = None


async def sample(
    work: Callable[[], Awaitable[T]],
    stats: ClientStats | None = None,
    server_cpu: Callable[[], float | None] | None = None,
) -> tuple[Sample, T]:
    gc.collect()
    before = stats.snapshot() if stats is not None else None
    server_before = server_cpu() if server_cpu is not None else None
    cpu = time.process_time()
    wall = time.perf_counter()
    result = await work()
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    server_after = server_cpu() if server_cpu is not None else None
    out = Sample(wall, cpu)
    if stats is not None and before is not None:
        after = stats.snapshot()
        out.round_trips = after["round_trips"] - before["round_trips"]
        out.bytes_sent = after["bytes_sent"] - before["bytes_sent"]
        out.bytes_received = after["bytes_received"] - before["bytes_received"]
    if server_before is not None and server_after is not None:
        out.server_cpu = server_after - server_before
    return out, result


def column(samples: list[Sample], name: str) -> list[float]:
    values: list[Any] = [getattr(s, name) for s in samples]
    return [float(v) for v in values if v is not None]
