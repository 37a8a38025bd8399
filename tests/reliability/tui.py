"""Building and watching the terminal UI in the reliability tests (the real app, on real sockets).

The app is built as ``tests/ui`` builds it -- a config file of the test's own, a keyring that
is the test's own -- with short host timeouts and a small backoff cap, so faults come and go
within seconds. Tests wait for the app's state, never for time.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hvtui.secrets import CredentialStore
from hvtui.ui.app import HvtuiApp
from hvtui.ui.launch import HostSpec
from hvtui.uri import parse_uri
from tests.support import tui
from tests.support.tui import all_ok, wait_for

__all__ = ["all_ok", "wait_for"]  # the reliability tests take them from here with the rest

SIZE = (120, 36)


def make_app(
    hosts: Iterable[tuple[str, str | None]] = (),
    *,
    config_path: Path | None = None,
    credentials: CredentialStore | None = None,
    refresh: float = 0.5,
    host_timeout: float = 0.5,
    backoff_cap: float = 2.0,
    ca_files: dict[str, str] | None = None,
    **options: Any,
) -> HvtuiApp:
    """The app for ``(uri, password)`` pairs (or, with none, the hosts of its config file)."""
    ca_files = ca_files or {}
    specs = [HostSpec(parse_uri(uri), password, ca_files.get(uri)) for uri, password in hosts]
    return tui.make_app(
        specs,
        config_path=config_path,
        credentials=credentials,
        refresh=refresh,
        host_timeout=host_timeout,
        backoff_cap=backoff_cap,
        **options,
    )


def key_of(uri: str) -> str:
    return parse_uri(uri).canonical


def screen_text(svg: str) -> str:
    """The characters of an SVG screenshot, without markup (cells in a row joined)."""
    text = re.sub(r"<[^>]+>", "", svg)
    return html.unescape(text).replace("\xa0", " ")
