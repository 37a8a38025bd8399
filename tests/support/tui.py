"""Driving the real app in tests: a full-colour terminal, and waits on its state (never on time)."""

from __future__ import annotations

from collections.abc import Callable

from hvtui.ui.app import HvtuiApp
from hvtui.ui.hoststatus import HostStatus

#: A terminal with every colour, so the app keeps its theme (with less it picks ansi-dark).
TERMINAL = {"TERM": "xterm-256color", "COLORTERM": "truecolor"}


async def wait_for(app: HvtuiApp, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    await app.wait_until(predicate, timeout)


async def all_ok(app: HvtuiApp, timeout: float = 20.0) -> None:
    """Every host refreshed at least once and healthy."""
    await wait_for(
        app,
        lambda: (
            bool(app.hosts)
            and all(v.snapshot is not None and v.status is HostStatus.OK for v in app.hosts.values())
        ),
        timeout,
    )
