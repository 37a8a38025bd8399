"""How the UI tests drive the app: wait for its state (never for time), find rows and hosts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keyring.backend
import keyring.errors

from hvtui.ui.app import HvtuiApp
from hvtui.ui.rows import Row
from hvtui.uri import parse_uri
from tests.support.tui import all_ok, wait_for

__all__ = ["all_ok", "wait_for"]  # the UI tests take them from here with the rest


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives and dies with the test."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.store[(service, username)]


def rows_where(app: HvtuiApp, predicate: Callable[[Row], bool]) -> list[Row]:
    return sorted((r for r in app.model.rows.values() if predicate(r)), key=lambda r: r.key)


def key_of(sim_host: Any) -> str:
    """The app's key for a simulated host: its canonical URI."""
    return parse_uri(sim_host.uri).canonical


def sim_host_of(sim: Any, row: Row) -> Any:
    return next(h for h in sim.hosts if key_of(h) == row.host)


def sim_vm(sim_host: Any, row: Row) -> Any:
    return sim_host.model.vm(row.vm.guid)


def invokes(sim_host: Any) -> int:
    """Actions the host received (method calls other than the summary refresh)."""
    counts = sim_host.counters.as_dict()
    return sum(n for name, n in counts.items() if name.startswith("Invoke:") and "Summary" not in name)
