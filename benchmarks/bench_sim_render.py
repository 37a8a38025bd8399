"""How fast the simulator builds and renders 10,000 VMs of one host.

Run: python benchmarks/bench_sim_render.py
"""

from __future__ import annotations

import time

from hvtui.sim.instances import instances_of
from hvtui.sim.inventory import generate_host
from hvtui.sim.model import HostModel
from hvtui.sim.releases import RELEASES
from hvtui.sim.render import render_instance
from hvtui.sim.schema import find_class


def main() -> None:
    spec = generate_host(0, RELEASES["2022"], 10_000, 0, True)
    model = HostModel(spec, time_scale=1, legacy_states=False, seed=0)
    for name in ("Msvm_ComputerSystem", "Msvm_VirtualSystemSettingData", "Msvm_MemorySettingData"):
        cls = find_class(name)
        assert cls is not None
        best = float("inf")
        size = 0
        for _ in range(3):
            t = time.perf_counter()
            out = [render_instance(cls, i.values) for i in instances_of(model, cls)]
            best = min(best, time.perf_counter() - t)
            size = sum(map(len, out))
        print(f"{name:34} {len(out):6} instances  {best * 1000:7.1f} ms  {size / 1e6:6.1f} MB")


if __name__ == "__main__":
    main()
