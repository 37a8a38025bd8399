"""A Hyper-V host simulator: a real WS-Management server, sharing nothing with hvtui.wsman.

from hvtui.sim import SimOptions, Simulator
with Simulator(SimOptions(vms=20, password="pw")) as sim:
    host = sim.hosts[0]   # host.uri, host.counters, host.faults, host.model ...
"""

from hvtui.sim.host import SimHost
from hvtui.sim.injection import FaultSpecError
from hvtui.sim.sim_options import OptionsError, SimOptions
from hvtui.sim.simulator import Simulator

__all__ = ["FaultSpecError", "OptionsError", "SimHost", "SimOptions", "Simulator"]
