"""A Hyper-V host simulator: a real WS-Management server, sharing nothing with hvtui.wsman.

from hvtui.sim import SimOptions, Simulator
with Simulator(SimOptions(vms=20, password="pw")) as sim:
    host = sim.hosts[0]   # host.uri, host.counters, host.faults, host.model ...

The names below are loaded on first use: the whole simulator takes 0.1 s to import, and
``hvtui --demo`` reads only its options here while the simulator itself starts in a
process of its own (:mod:`hvtui.sim.sim_process`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hvtui.sim.host import SimHost
    from hvtui.sim.injection import FaultSpecError
    from hvtui.sim.sim_options import OptionsError, SimOptions
    from hvtui.sim.simulator import Simulator

__all__ = ["FaultSpecError", "OptionsError", "SimHost", "SimOptions", "Simulator"]

_HOMES = {
    "FaultSpecError": "hvtui.sim.injection",
    "OptionsError": "hvtui.sim.sim_options",
    "SimHost": "hvtui.sim.host",
    "SimOptions": "hvtui.sim.sim_options",
    "Simulator": "hvtui.sim.simulator",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
