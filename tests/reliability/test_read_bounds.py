"""Each read is bounded by what it can legitimately return, and says how far it has got.

A host has one operating system: a host that streams operating systems without end is
refused after the second, with a clear line, at the cost of one reply -- not after 50,000
items, a hundred Pulls and tens of MB. While a long read streams in, the host object says
how many items it has so far, for a status line to show instead of "no answer".
"""

from __future__ import annotations

import asyncio
import tracemalloc

import pytest

from hvtui import namespaces as ns
from hvtui.hyperv.errors import HyperVError, Problem
from tests.conftest import SIM_PASSWORD

from .conftest import host_for
from .hostile import PASSWORD, EndlessEnumeration, hostile, uri_of

PEAK_BYTES = 16 * 1024 * 1024


async def test_an_endless_enumeration_ends_at_the_bound_of_its_query():
    async with hostile(EndlessEnumeration()) as server:
        tracemalloc.start()
        try:
            async with host_for(uri_of(server), PASSWORD, timeout=5.0) as host:
                with pytest.raises(HyperVError) as caught:
                    await host.connect()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        actions = server.actions()
    assert caught.value.problem is Problem.PROTOCOL
    assert "returned more than 1 operating system" in str(caught.value), str(caught.value)
    assert "127.0.0.1" in str(caught.value)
    assert actions.count(ns.ACTION_ENUMERATE) == 1
    assert actions.count(ns.ACTION_PULL) <= 1
    assert actions[-1] == ns.ACTION_RELEASE  # and the host was told to let it go
    assert peak < PEAK_BYTES, peak


async def test_a_long_read_says_how_many_items_it_has_so_far(make_sim):
    h = make_sim(vms=24).hosts[0]
    async with host_for(h.uri, SIM_PASSWORD, timeout=5.0, max_envelope_size=12288) as host:
        await host.connect()
        assert host.reading is None
        h.faults.add("latency:ms=40:op=Pull")
        seen = []

        async def watch() -> None:
            while True:
                progress = host.reading
                if progress is not None and (not seen or seen[-1] != progress):
                    seen.append(progress)
                await asyncio.sleep(0.01)

        watcher = asyncio.create_task(watch())
        try:
            await host.snapshot()
        finally:
            watcher.cancel()
        assert host.reading is None  # nothing in progress once the read ended
    vms = [p.items for p in seen if p.what == "VMs"]
    assert vms, seen
    assert vms == sorted(vms) and 0 < vms[-1] <= 24
    assert len(set(vms)) > 1  # updated page by page, not only at the end
