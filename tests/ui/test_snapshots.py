"""SVG snapshots of the real app on the simulator, at 80×24 and 120×36.

Deterministic by construction: a fixed seed, a frozen simulated clock (uptimes and CPU load
stand still), one refresh per host (the interval is an hour), a fixed theme and terminal, and
cursors that do not blink. The hosts listen on free ports, in ascending order like the ports
the snapshots show; each screenshot draws the fixed ports in their place (URIs and errors put
ports on screen), so a busy machine never makes a snapshot fail. Review changes with
``pytest tests/ui/test_snapshots.py --snapshot-update`` and the report it writes.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from hvtui.secrets import CredentialStore
from hvtui.sim import SimOptions, Simulator
from hvtui.ui.app import HvtuiApp
from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.launch import HostSpec
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.ui.screens.login import LoginScreen
from hvtui.ui.screens.task_log import TaskLogScreen
from hvtui.ui.screens.vm_detail import VMDetailScreen
from hvtui.ui.tasklog import DONE, FAILED, RUNNING, TaskRecord
from hvtui.uri import parse_uri
from tests.support.tui import make_app, wait_for
from tests.ui.driving import key_of

SHOWN = 24185  # the port the snapshots show for the first simulated host; the others follow it
SHOWN_DOWN = SHOWN + 9  # ... and for a host where nothing listens
HOSTS = 3
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports of five digits, as many as the snapshots' own.

    Consecutive, so the hosts' URIs sort as the snapshots' do (a tie between two VMs of one
    name on two hosts is broken by the URI).
    """
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if len(str(first)) != 5 or len(str(first + count - 1)) != 5:
            continue
        taken = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                taken.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in taken:
                sock.close()
        return first
    raise RuntimeError(f"no {count} consecutive free ports")


@pytest.fixture(scope="module")
def refused() -> Iterator[int]:
    """A port that refuses connections: bound (so nothing else takes it), never listening."""
    for _ in range(100):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        if len(str(sock.getsockname()[1])) == 5:
            break
        sock.close()
    with sock:
        yield sock.getsockname()[1]


@pytest.fixture(scope="module")
def frozen():
    options = SimOptions(
        hosts=HOSTS,
        vms="8-14",
        release="2019,2022,2012r2",
        seed=7,
        password="Snapshot-Passw0rd",
        allow_unencrypted=True,
        frozen_clock=True,
        port=free_ports(HOSTS),
    )
    with Simulator(options) as sim:
        yield sim


def down_uri(port: int) -> str:
    return f"hyperv://administrator@127.0.0.1:{port}/?transport=http"


def show_ports(app: HvtuiApp, ports: dict[int, int]) -> HvtuiApp:
    """Screenshots of ``app`` draw each real port of ``ports`` as the port the snapshots show."""
    export = app.export_screenshot

    def export_screenshot(*, title: str | None = None, simplify: bool = False) -> str:
        svg = export(title=title, simplify=simplify)
        for real, shown in ports.items():
            svg = svg.replace(f"127.0.0.1:{real}", f"127.0.0.1:{shown}")
        return svg

    app.export_screenshot = export_screenshot  # type: ignore[method-assign]
    return app


def snapshot_app(sim, *, without_password: int | None = None, down: int | None = None) -> HvtuiApp:
    hosts = [
        HostSpec(parse_uri(h.uri), None if i == without_password else h.password)
        for i, h in enumerate(sim.hosts)
    ]
    ports = {parse_uri(h.uri).effective_port: SHOWN + i for i, h in enumerate(sim.hosts)}
    if down is not None:
        hosts.append(HostSpec(parse_uri(down_uri(down)), "Snapshot-Passw0rd"))
        ports[down] = SHOWN_DOWN
    app = make_app(
        hosts,
        credentials=CredentialStore(use_keyring=False),
        refresh=3600,
        title_note="demo: simulated hosts",
        host_timeout=5.0,
    )
    return show_ports(app, ports)


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

    assert snap_compare(snapshot_app(frozen), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_all_hosts_view(snap_compare, frozen, size):
    assert snap_compare(snapshot_app(frozen), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES)
def test_host_detail(snap_compare, frozen, size):
    async def run_before(pilot):
        await settled(pilot)
        select(pilot, key_of(frozen.hosts[1]))
        await pilot.pause()
        if not pilot.app.show_host_detail:
            await pilot.press("i")

    assert snap_compare(snapshot_app(frozen), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_vm_detail(snap_compare, frozen, size):
    async def run_before(pilot):
        await settled(pilot)
        await pilot.press("down", "enter")
        await opened(pilot)

    assert snap_compare(snapshot_app(frozen), terminal_size=size, run_before=run_before)


async def opened(pilot) -> None:
    """The VM screen is up, its devices read (they arrive after the VM's facts)."""
    app = pilot.app
    await wait_for(app, lambda: isinstance(app.top, VMDetailScreen) and app.top.inside_read, 30)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_vm_detail_sections(snap_compare, frozen, size):
    """The Devices, Network and Guest sections of a running VM whose guest reports, scrolled to."""

    async def run_before(pilot):
        await settled(pilot)
        app = pilot.app
        key = next(k for k in app.model.order if len(app.model.rows[k].vm.ips) > 1)
        app.open_vm(key)
        await opened(pilot)
        await pilot.pause()  # laid out with the sections, then scrolled to them
        app.top.query_one("#vm-detail").scroll_end(animate=False)
        await pilot.pause()

    assert snap_compare(snapshot_app(frozen), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_login_dialog(snap_compare, frozen, size):
    async def run_before(pilot):
        await settled(pilot)
        await wait_for(pilot.app, lambda: isinstance(pilot.app.top, LoginScreen), 30)
        await pilot.pause()

    assert snap_compare(snapshot_app(frozen, without_password=2), terminal_size=size, run_before=run_before)


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

    assert snap_compare(snapshot_app(frozen), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_unreachable_host(snap_compare, frozen, refused, size):
    async def run_before(pilot):
        await settled(pilot)
        select(pilot, parse_uri(down_uri(refused)).canonical)
        await pilot.pause()
        if not pilot.app.show_host_detail:
            await pilot.press("i")

    assert snap_compare(snapshot_app(frozen, down=refused), terminal_size=size, run_before=run_before)


def test_task_log(snap_compare, frozen):
    """The session's actions (made up here, at fixed times) and the hosts' own jobs."""
    at = datetime(2025, 3, 14, 9, 26, 5).astimezone()

    async def run_before(pilot):
        await settled(pilot)
        log = pilot.app.verbs.log
        log.clock = lambda: at + timedelta(seconds=95)
        for offset, (host, vm, verb, result, detail, took) in enumerate(
            [
                ("hv2019-01", "app-01", "Start", DONE, "app-01 started", 2.4),
                ("hv12r2-03", "db-01", "Save", FAILED, "db-01: save failed: host busy (error 32768)", 8),
                ("hv2022-02", "web-02", "Turn off", DONE, "web-02 turned off", 0.6),
                ("hv2022-02", "build-01", "Shut down", RUNNING, "40%", None),
            ]
        ):
            record = TaskRecord(at + timedelta(seconds=20 * offset), host, vm, verb, result, detail)
            if took is not None:
                record.ended = record.started + timedelta(seconds=took)
            log.records.append(record)
        await pilot.press("t")
        await wait_for(pilot.app, lambda: isinstance(pilot.app.top, TaskLogScreen), 30)
        await pilot.pause()

    assert snap_compare(snapshot_app(frozen), terminal_size=(80, 24), run_before=run_before)


def test_vm_detail_with_its_history(snap_compare):
    """CPU and memory sparklines from refreshes made 10 simulated seconds apart."""
    options = SimOptions(
        hosts=1,
        vms=4,
        seed=7,
        password="Snapshot-Passw0rd",
        allow_unencrypted=True,
        frozen_clock=True,
        port=free_ports(1),
    )
    with Simulator(options) as sim:

        async def run_before(pilot):
            app = pilot.app
            await settled(pilot)
            key = next(k for k in app.model.order if app.model.rows[k].vm.state.value == "running")
            model = sim.hosts[0].model
            view = next(iter(app.hosts.values()))
            for _ in range(12):
                model.advance(10)
                seen = view.snapshot
                app.action_refresh_now()
                await wait_for(app, lambda s=seen: view.snapshot is not s, 30)
            app.open_vm(key)
            await wait_for(app, lambda: isinstance(app.top, VMDetailScreen), 30)
            await pilot.pause()

        assert snap_compare(snapshot_app(sim), terminal_size=(80, 24), run_before=run_before)
