"""An SVG snapshot of the console view at 80×24, in half blocks: a frozen simulated clock set to
a fixed time, a VM with text typed at it, one refresh of the host (the interval is an hour)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hvtui.secrets import CredentialStore
from hvtui.sim import SimOptions, Simulator
from hvtui.ui.launch import HostSpec
from hvtui.ui.screens.console import ConsoleScreen
from hvtui.uri import parse_uri
from tests.support.scenarios import write_scenario
from tests.support.tui import make_app, wait_for
from tests.ui.test_console_view import until


@pytest.fixture(scope="module")
def console_frozen(tmp_path_factory):
    scenario = write_scenario([("web-01", "running")], tmp=tmp_path_factory.mktemp("snap"), name="HV2022-01")
    options = SimOptions(
        hosts=1,
        scenario=scenario,
        seed=7,
        password="Snapshot-Passw0rd",
        allow_unencrypted=True,
        frozen_clock=True,
    )
    with Simulator(options) as sim:
        host = sim.hosts[0]
        host._model.clock.start_wall = datetime(2025, 3, 4, 14, 5, tzinfo=UTC)
        host.model.set_resolution("web-01", 1024, 768)
        yield sim


def test_console_view(snap_compare, console_frozen):
    host = console_frozen.hosts[0]
    app = make_app(
        [HostSpec(parse_uri(host.uri), host.password)],
        credentials=CredentialStore(use_keyring=False),
        refresh=3600,
        host_timeout=5.0,
    )

    async def run_before(pilot):
        await wait_for(pilot.app, lambda: len(pilot.app.model.rows) == 1, 30)
        await pilot.press("V")
        screen = pilot.app.screen
        assert isinstance(screen, ConsoleScreen)
        await pilot.press("t", *"dir", "space", "C", "colon", "backslash", "enter")
        await until(pilot, lambda: host.model.screen("web-01").lines == ("dir C:\\", ""))
        seen = screen.frames
        await until(pilot, lambda: screen.frames >= seen + 2)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
