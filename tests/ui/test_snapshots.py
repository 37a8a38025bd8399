"""SVG snapshots of the real app on the simulator, at 80×24 and 120×36.

Deterministic by construction: a fixed seed, fixed ports (URIs are on screen), a frozen
simulated clock (uptimes and CPU load stand still), one refresh per host (the interval is an
hour), a fixed theme and terminal, and cursors that do not blink. Review changes with
``pytest tests/ui/test_snapshots.py --snapshot-update`` and the report it writes.
"""

from __future__ import annotations

import pytest

from hvtui.secrets import CredentialStore
from hvtui.sim import SimOptions, Simulator
from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.launch import HostSpec
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.ui.screens.login import LoginScreen
from hvtui.ui.screens.vm_detail import VMDetailScreen
from hvtui.uri import parse_uri
from tests.support.tui import make_app as build
from tests.support.tui import wait_for
from tests.ui.driving import key_of

PORT = 24185  # below Linux's ephemeral range, so no client socket takes it by chance
DOWN = f"hyperv://administrator@127.0.0.1:{PORT + 9}/?transport=http"  # nothing listens there
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


@pytest.fixture(scope="module")
def frozen():
    options = SimOptions(
        hosts=3,
        vms="8-14",
        release="2019,2022,2012r2",
        seed=7,
        password="Snapshot-Passw0rd",
        allow_unencrypted=True,
        frozen_clock=True,
        port=PORT,
    )
    with Simulator(options) as sim:
        yield sim


def make_app(sim, *, without_password: int | None = None, down: bool = False):
    hosts = [
        HostSpec(parse_uri(h.uri), None if i == without_password else h.password)
        for i, h in enumerate(sim.hosts)
    ]
    if down:
        hosts.append(HostSpec(parse_uri(DOWN), "Snapshot-Passw0rd"))
    return build(
        hosts,
        credentials=CredentialStore(use_keyring=False),
        refresh=3600,
        title_note="demo: simulated hosts",
        host_timeout=5.0,
    )


async def settled(pilot) -> None:
    """Every host has answered its first refresh, or failed it."""
    app = pilot.app
    await wait_for(
        app,
        lambda: all(
            v.snapshot is not None or v.status in (HostStatus.UNREACHABLE, HostStatus.AUTH_NEEDED)
            for v in app.hosts.values()
        ),
        30,
    )
    await pilot.pause()


def select(pilot, key: str | None) -> None:
    pilot.app.main.hosts_pane.select_key(key)


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_one_host(snap_compare, frozen, size):
    async def run_before(pilot):
        await settled(pilot)
        select(pilot, key_of(frozen.hosts[0]))
        await pilot.pause()

    assert snap_compare(make_app(frozen), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_all_hosts_view(snap_compare, frozen, size):
    assert snap_compare(make_app(frozen), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES)
def test_host_detail(snap_compare, frozen, size):
    async def run_before(pilot):
        await settled(pilot)
        select(pilot, key_of(frozen.hosts[1]))
        await pilot.pause()
        if not pilot.app.show_host_detail:
            await pilot.press("i")

    assert snap_compare(make_app(frozen), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_vm_detail(snap_compare, frozen, size):
    async def run_before(pilot):
        await settled(pilot)
        await pilot.press("down", "enter")
        await wait_for(pilot.app, lambda: isinstance(pilot.app.top, VMDetailScreen), 30)
        await pilot.pause()

    assert snap_compare(make_app(frozen), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_login_dialog(snap_compare, frozen, size):
    async def run_before(pilot):
        await settled(pilot)
        await wait_for(pilot.app, lambda: isinstance(pilot.app.top, LoginScreen), 30)
        await pilot.pause()

    assert snap_compare(make_app(frozen, without_password=2), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_confirm_dialog_for_a_bulk_action(snap_compare, frozen, size):
    async def run_before(pilot):
        await settled(pilot)
        app = pilot.app
        running = [k for k in app.model.order if app.model.rows[k].vm.state.value == "running"]
        hosts = {}
        for key in running:
            hosts.setdefault(app.model.rows[key].host, key)
        for key in [*list(hosts.values()), *running[:4]]:
            if key not in app.model.marks:
                app.model.toggle_mark(key)
        app.main.rows_changed()
        await pilot.press("T")
        await wait_for(app, lambda: isinstance(app.top, ConfirmScreen), 30)
        await pilot.pause()

    assert snap_compare(make_app(frozen), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_unreachable_host(snap_compare, frozen, size):
    async def run_before(pilot):
        await settled(pilot)
        select(pilot, parse_uri(DOWN).canonical)
        await pilot.pause()
        if not pilot.app.show_host_detail:
            await pilot.press("i")

    assert snap_compare(make_app(frozen, down=True), terminal_size=size, run_before=run_before)
