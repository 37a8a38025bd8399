"""Fixtures for the terminal UI's tests: the real app on simulated hosts over real sockets.

``ui(...)`` builds the app (not started) for hosts of a simulator from ``make_sim``, with a
config file in a temporary directory and an in-memory keyring, so a test never touches the
developer's own config or keyring. What tests use to drive it is in :mod:`tests.ui.driving`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from textual.widgets import Input

from hvtui.secrets import CredentialStore
from hvtui.ui.app import HvtuiApp
from hvtui.ui.launch import HostSpec
from hvtui.uri import parse_uri
from tests.support.tui import make_app
from tests.ui.driving import MemoryKeyring

# Every UI test sees the same terminal, whatever CI's TERM is: 256 colours, default theme.


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cursor that never blinks: screens are the same whenever they are looked at."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture(autouse=True)
def _isolated_keyring() -> Iterator[MemoryKeyring]:
    """No test may reach the developer's keyring, even through a default CredentialStore."""
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def keyring_backend(_isolated_keyring: MemoryKeyring) -> MemoryKeyring:
    return _isolated_keyring


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "config.toml"


@pytest.fixture
def ui(config_path: Path, keyring_backend: MemoryKeyring) -> Callable[..., HvtuiApp]:
    """``ui(hosts, passwords=True, **options)``: the app for simulated hosts, not started."""

    def build(
        hosts: Iterable[Any] = (),
        *,
        passwords: bool = True,
        credentials: CredentialStore | None = None,
        host_timeout: float = 3.0,
        backoff_cap: float = 0.5,
        **options: Any,
    ) -> HvtuiApp:
        specs = [
            HostSpec(parse_uri(h.uri), h.password if passwords else None, getattr(h, "ca_file", None))
            for h in hosts
        ]
        options.setdefault("refresh", 2.0)
        persist = options.pop("persist", True)
        return make_app(
            specs,
            config_path=config_path,
            persist=persist,
            credentials=credentials or CredentialStore(keyring_backend, use_keyring=persist),
            host_timeout=host_timeout,
            backoff_cap=backoff_cap,
            **options,
        )

    return build
