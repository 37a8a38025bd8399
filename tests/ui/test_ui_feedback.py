"""What the screen says about its own data and about actions: old data looks old, an action's row
never lags behind it, VMs are named with their host, and the session keeps a record of it all."""

from __future__ import annotations

import os
import stat

import pytest
from textual.command import CommandPalette
from textual.widgets import Sparkline, Static

from hvtui.hyperv.states import VMState
from hvtui.ui.columns import STATUS
from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.ui.screens.task_log import TaskLogScreen
from hvtui.ui.screens.vm_detail import VMDetailScreen
from tests.ui.driving import all_ok, key_of, rows_where, sim_host_of, wait_for

SIZE = (120, 36)


async def on_vm(app, pilot, row) -> None:
    assert app.model.focus_key(row.key)
    app.main.table.update_view()
    await pilot.pause()


async def test_a_silent_hosts_vms_are_marked_stale_counted_apart_and_asked_about(ui, make_sim):
    sim = make_sim(hosts=2, vms=6, seed=11, release="2019,2022")
    app = ui(sim.hosts, refresh=0.3, host_timeout=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        silent, live = sim.hosts
        view = app.hosts[key_of(silent)]
        running_before = sum(v.running for v in app.hosts.values())
        assert f"{running_before}/{silent.vm_count + live.vm_count} VMs running" in app.sub_title
        silent.faults.add("reset:op=*")
        await wait_for(app, lambda: view.status is HostStatus.UNREACHABLE)
        await pilot.pause()
        rows = rows_where(app, lambda r: r.host == view.key)
        assert rows and all(app.model.cell(r, STATUS).startswith("stale ") for r in rows)
        others = [v for v in app.hosts.values() if v is not view]
        assert f"{sum(v.running for v in others)}/{live.vm_count} VMs running" in app.sub_title
        assert f"{silent.vm_count} VMs stale" in app.sub_title
        assert f"{silent.vm_count} stale" in str(app.main.table.border_title)
        # Starting one VM never asks, unless what the row says may be over:
        off = next(r for r in rows if r.vm.state is VMState.OFF)
        await on_vm(app, pilot, off)
        await pilot.press("s")
        await wait_for(app, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Stale data" in str(app.screen.query_one("#detail").content)
        await pilot.press("n")
        silent.faults.clear()
        await wait_for(app, lambda: view.status is HostStatus.OK and not app.model.stale, 10)
        assert not app.model.cell(off, STATUS).startswith("stale")
        assert "stale" not in app.sub_title


async def test_a_slow_hosts_row_says_what_the_action_did_until_a_refresh_shows_it(ui, make_sim):
    sim = make_sim(hosts=1, vms=5, seed=11, latency_ms=250)
    app = ui(sim.hosts, host_timeout=5.0)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app, 40)
        row = rows_where(app, lambda r: r.vm.state is VMState.OFF)[0]
        lagging: list[str] = []

        def check(_: None) -> None:
            # Never "Off" with an empty Status cell after `s`: the job's state, or the new state.
            now = app.model.rows[row.key]
            if now.vm.state is VMState.OFF and row.key not in app.model.jobs:
                lagging.append(app.model.cell(now, STATUS))

        await on_vm(app, pilot, row)
        app.state_changed.subscribe(app, check, immediate=True)
        await pilot.press("s")
        assert app.model.jobs[row.key] == "Starting…"
        await wait_for(app, lambda: any(text.endswith("started") for _, text in app.events), 40)
        await wait_for(app, lambda: app.model.rows[row.key].vm.state is VMState.RUNNING, 40)
        assert not lagging, "the row went back to Off before a refresh showed the VM started"
        await wait_for(app, lambda: row.key not in app.model.jobs, 40)


async def test_the_host_is_named_with_the_vm_in_all_hosts_not_in_its_own_view(ui, make_sim):
    sim = make_sim(hosts=2, vms=6, seed=11, release="2019,2022", time_scale=200.0)
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        row = rows_where(app, lambda r: r.vm.state is VMState.RUNNING)[0]
        host = app.hosts[row.host].short_name
        await on_vm(app, pilot, row)
        await pilot.press("R")
        await wait_for(app, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.query_one("#question").content == f"Reset {row.vm.name} on {host}?"
        await pilot.press("n")
        app.main.hosts_pane.select_key(row.host)
        await pilot.pause()
        await on_vm(app, pilot, row)
        await pilot.press("R")
        await wait_for(app, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.query_one("#question").content == f"Reset {row.vm.name}?"  # the title says the host
        await pilot.press("n")
        app.main.hosts_pane.select_key(None)
        await pilot.pause()
        off = rows_where(app, lambda r: r.vm.state is VMState.OFF)[0]
        await on_vm(app, pilot, off)
        await pilot.press("s")
        started = f"{off.vm.name} on {app.hosts[off.host].short_name} started"
        await wait_for(app, lambda: any(text == started for _, text in app.events), 30)


async def test_the_task_log_keeps_each_action_and_the_hosts_own_jobs(ui, make_sim):
    sim = make_sim(hosts=2, vms=6, seed=11, release="2019,2022", time_scale=200.0)
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        off = rows_where(app, lambda r: r.vm.state is VMState.OFF)[0]
        sim_host_of(sim, off).faults.add("fail-jobs:p=1")
        await on_vm(app, pilot, off)
        await pilot.press("s")
        await wait_for(app, lambda: any(sev == "error" for sev, _ in app.events), 30)
        await pilot.press("t")
        await wait_for(app, lambda: isinstance(app.screen, TaskLogScreen))
        text = str(app.screen.query_one("#actions", Static).content)
        host = app.hosts[off.host].short_name
        for words in ("Time", "Host", "VM", "Action", "Result", "Took", host, off.vm.name, "Start", "failed"):
            assert words in text
        assert "failed to start" in text  # the host's own words, which the notification showed
        assert "Jobs the hosts are running" in str(app.screen.query_one("#host-jobs", Static).content)
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await wait_for(app, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Task log")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(app, lambda: isinstance(app.screen, TaskLogScreen))


async def test_the_vm_screen_draws_cpu_and_memory_from_the_refreshes_made(ui, make_sim):
    sim = make_sim(hosts=1, vms=5, seed=11)
    app = ui(sim.hosts, refresh=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        row = rows_where(app, lambda r: r.vm.state is VMState.RUNNING)[0]
        await wait_for(app, lambda: len(app.vm_history(row.host, row.key)) >= 3)
        app.open_vm(row.key)
        await wait_for(app, lambda: isinstance(app.screen, VMDetailScreen))
        await pilot.pause()
        cpu = app.screen.query_one("#cpu-history", Sparkline)
        memory = app.screen.query_one("#memory-history", Sparkline)
        assert cpu.data is not None and len(cpu.data) >= 3
        assert memory.data is not None and len(memory.data) == len(cpu.data)
        assert all(0 <= value <= 100 for value in cpu.data)
        assert "over" in str(app.screen.query_one("#cpu-range").content)


async def test_the_palette_screenshot_is_saved_privately_where_a_folder_exists(
    ui, make_sim, tmp_path, monkeypatch
):
    home = tmp_path / "home"  # a server's home: no Downloads
    home.mkdir()
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.chdir(here)
    sim = make_sim(hosts=1, vms=3)
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.press("ctrl+p")
        await wait_for(app, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Screenshot")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(app, lambda: any("creenshot" in text for _, text in app.events), 10)
        severity, text = next((sev, t) for sev, t in app.events if "creenshot" in t)
        assert severity == "information", text
        assert "current directory" in text and "does not exist" in text
        saved = list(here.glob("*.svg"))
        assert len(saved) == 1 and str(saved[0]) in text
        assert stat.S_IMODE(os.stat(saved[0]).st_mode) == 0o600
        assert "<svg" in saved[0].read_text()


@pytest.mark.parametrize("size", [(60, 15), (80, 24)])
async def test_a_small_terminal_keeps_rows_of_the_table_with_the_host_details_shown(ui, make_sim, size):
    sim = make_sim(hosts=1, vms=12)
    app = ui(sim.hosts)
    async with app.run_test(size=size) as pilot:
        await all_ok(app)
        if not app.show_host_detail:
            await pilot.press("i")
        await pilot.pause()
        assert app.main.query_one("HostDetail").display
        assert app.main.table.page_rows >= 3
