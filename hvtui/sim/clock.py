"""Simulated time: every duration in the simulator runs on this clock, not the wall clock.

``time_scale`` > 1 makes every duration that many times shorter in real time, 0 freezes it (for
screenshots), and tests jump it forward instead of sleeping.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta


class Clock:
    """Simulated seconds since start, running ``scale`` times faster than real time (0: frozen)."""

    def __init__(self, scale: float, start_wall: datetime) -> None:
        self.scale = scale
        self._t0 = time.monotonic()
        self._offset = 0.0
        self.start_wall = start_wall

    def now(self) -> float:
        return (time.monotonic() - self._t0) * self.scale + self._offset

    def advance(self, seconds: float) -> None:
        """Jump simulated time forward (tests use it to age contexts or jobs instantly)."""
        self._offset += seconds

    def wall(self, sim_t: float | None = None) -> datetime:
        return self.start_wall + timedelta(seconds=self.now() if sim_t is None else sim_t)
