"""A small simulated host, built in process, for the WQL tests that need real instances."""

from __future__ import annotations

from functools import cache

from hvtui.sim.inventory import generate_host
from hvtui.sim.model import HostModel
from hvtui.sim.releases import RELEASES

V2 = "root/virtualization/v2"
CIMV2 = "root/cimv2"


@cache
def model() -> HostModel:
    """Eight VMs, ticked once: nothing moves unless a test starts a transition (none does)."""
    m = HostModel(generate_host(0, RELEASES["2022"], 8, 7, True), time_scale=1, legacy_states=False, seed=7)
    m.tick()
    return m
