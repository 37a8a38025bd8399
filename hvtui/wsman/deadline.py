"""The time one request may take, however many round trips and tries it needs.

A request's clock starts when it first gets the host's connection (waiting for another
caller's request to finish is not its own slowness), and keeps running through its
authentication legs, a resend on a fresh connection, and the pauses and tries of a read:
``total_timeout`` after it started, the request is given up, whatever it was doing.
"""

from __future__ import annotations

import asyncio


class Deadline:
    """``total_timeout`` seconds from :meth:`start`, on the running loop's clock."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._when: float | None = None

    def start(self) -> None:
        """Start the clock, once: later calls (a second try) keep the first start."""
        if self._when is None:
            self._when = asyncio.get_running_loop().time() + self.seconds

    @property
    def when(self) -> float:
        """The loop time at which the request is given up (the clock starts if it had not)."""
        self.start()
        assert self._when is not None
        return self._when

    def remaining(self) -> float:
        """Seconds left (negative once passed); the whole allowance before :meth:`start`."""
        if self._when is None:
            return self.seconds
        return self._when - asyncio.get_running_loop().time()
