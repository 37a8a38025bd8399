"""Building and driving the real app: the one way tests, benchmarks and screenshots make it.

``make_app`` builds the app (not started) with what a run outside a person's terminal needs:
a config file only when one is named, a credential store that is the caller's (none: no
keyring), a full-colour terminal. ``wait_for`` waits on the app's state, never on time: it
re-checks after every refresh, status change and notification the app publishes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from hvtui.config import ConfigStore
from hvtui.hyperv.session import DEFAULT_TIMEOUT
from hvtui.secrets import CredentialStore
from hvtui.ui.app import HvtuiApp, build_app
from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.launch import HostSpec, TuiOptions

#: A terminal with every colour, so the app keeps its theme (with less it picks ansi-dark).
TERMINAL = {"TERM": "xterm-256color", "COLORTERM": "truecolor"}

Waiter = tuple[Callable[[], bool], "asyncio.Future[None]"]
_waiters: WeakKeyDictionary[HvtuiApp, list[Waiter]] = WeakKeyDictionary()


def make_app(
    hosts: Iterable[HostSpec] = (),
    *,
    config_path: Path | None = None,
    persist: bool | None = None,
    credentials: CredentialStore | None = None,
    host_timeout: float = DEFAULT_TIMEOUT,
    backoff_cap: float = 60.0,
    environ: Mapping[str, str] | None = TERMINAL,
    theme: str | None = "textual-dark",
    **options: Any,
) -> HvtuiApp:
    """The app for ``hosts`` (with none, the hosts of its config file), not started.

    It persists (config file, keyring through ``credentials``) only when ``config_path`` is
    given, unless ``persist`` says otherwise; ``environ=None`` reads the real environment.
    """
    specs = list(hosts)
    persist = config_path is not None if persist is None else persist
    tui = TuiOptions(
        hosts=specs, from_config=not specs, persist=persist, theme=theme, config_path=config_path, **options
    )
    return build_app(
        tui,
        config_store=ConfigStore(config_path) if persist and config_path is not None else None,
        credentials=credentials or CredentialStore(use_keyring=False),
        host_timeout=host_timeout,
        backoff_cap=backoff_cap,
        environ=environ,
    )


def _waiting_on(app: HvtuiApp) -> list[Waiter]:
    """The app's waiters, checked whenever it publishes a change of state (one subscription per app)."""
    waiters = _waiters.get(app)
    if waiters is not None:
        return waiters
    waiters = _waiters[app] = []

    def check(_: None) -> None:
        for waiter in list(waiters):
            predicate, future = waiter
            try:
                held = future.done() or predicate()
            except Exception as exc:
                future.set_exception(exc)
                held = True
            if held:
                if not future.done():
                    future.set_result(None)
                waiters.remove(waiter)

    app.state_changed.subscribe(app, check, immediate=True)
    return waiters


async def wait_for(app: HvtuiApp, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    """Wait until ``predicate()`` holds, re-checked after every refresh, status change and note."""
    if predicate():
        return
    waiters = _waiting_on(app)
    waiter: Waiter = (predicate, asyncio.get_running_loop().create_future())
    waiters.append(waiter)
    try:
        await asyncio.wait_for(waiter[1], timeout)
    finally:
        if waiter in waiters:
            waiters.remove(waiter)


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
