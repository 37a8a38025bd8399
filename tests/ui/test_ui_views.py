"""Looking around on the simulator: hosts, all-hosts view, filter, sort, marks, details, help, palette."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette
from textual.content import Content
from textual.widgets import Sparkline, Static

from hvtui.config import ConfigStore
from hvtui.ui.screens.help import HelpScreen
from hvtui.ui.screens.main import MainScreen
from hvtui.ui.screens.vm_detail import VMDetailScreen
from hvtui.ui.themes import ANSI_THEME, choose_theme, sixteen_colours
from hvtui.ui.widgets.host_detail import HostDetail
from hvtui.ui.widgets.hosts_pane import host_prompt
from tests.ui.driving import all_ok, key_of, wait_for

SIZE = (120, 36)


@pytest.fixture(scope="module")
def sim():
    """Read-only for this module's tests: two hosts that nobody changes."""
    from hvtui.sim import SimOptions, Simulator

    options = SimOptions(
        hosts=2, vms=6, release="2019,2022", seed=11, password="Views-Passw0rd", allow_unencrypted=True
    )
    with Simulator(options) as running:
        yield running


def names(app) -> list[str]:
    return [app.model.rows[k].vm.name for k in app.model.order]


async def test_hosts_pane_and_all_hosts_view(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        pane = app.main.hosts_pane
        assert pane.option_count == 3
        assert "All hosts" in str(pane.get_option_at_index(0).prompt)
        second = str(pane.get_option_at_index(2).prompt)
        assert "2022 · ok" in second
        assert len(app.model.order) == sum(h.vm_count for h in sim.hosts)
        assert app.model.columns[:2] == ("name", "host")
        assert app.main.table.border_title == f"All hosts · {len(app.model.order)} VMs"
        pane.focus()
        await pilot.press("down")
        assert app.model.scope == key_of(sim.hosts[0])
        assert "host" not in app.model.columns
        assert len(app.model.order) == sim.hosts[0].vm_count
        await pilot.press("enter")
        assert app.focused is app.main.table


async def test_filter_inverts_and_esc_clears_while_the_cursor_keeps_its_vm(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        everything = names(app)
        await pilot.press("down", "down")
        chosen = app.model.cursor_key
        name = app.model.rows[chosen].vm.name
        await pilot.press("slash", *name)
        assert set(names(app)) == {name}
        await pilot.press("enter")
        assert app.focused is app.main.table
        assert app.model.cursor_key == chosen
        await pilot.press("slash", "ctrl+a")
        app.main.query_one("#filter").value = f"!{name}"
        await pilot.pause()
        assert name not in names(app)
        app.main.query_one("#filter").value = "running"
        await pilot.pause()
        assert {app.model.rows[k].vm.state.value for k in app.model.order} == {"running"}
        await pilot.press("escape")
        assert names(app) == everything
        assert app.model.cursor_key == chosen


async def test_a_vm_found_with_the_filter_keeps_the_cursor_once_the_filter_is_cleared(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        start = app.model.cursor_key
        found = app.model.order[-1]  # far from the cursor, which the user never moved
        name = app.model.rows[found].vm.name
        await pilot.press("slash", *name, "enter")
        assert app.model.cursor_key == found
        await pilot.press("escape")
        assert app.model.cursor_key == found != start
        assert app.model.order.index(found) == app.model.cursor


async def test_sort_cycles_reverses_and_persists(ui, sim, config_path):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.press("down", "down", "down")
        chosen = app.model.cursor_key
        await pilot.press("o", "o", "o")  # name -> host -> state -> cpu, busiest first
        assert app.model.sort_column == "cpu"
        assert app.model.sort_reverse
        assert app.model.cursor_key == chosen
        for reverse in (True, False):
            assert app.model.sort_reverse is reverse
            loads = [app.model.rows[k].vm.cpu_load for k in app.model.order]
            present = [x for x in loads if x is not None]
            assert present == sorted(present, reverse=reverse)
            assert loads[len(present) :] == [None] * (len(loads) - len(present))  # blanks last
            await pilot.press("O")
        assert app.model.cursor_key == chosen
        await pilot.click("VMTable", offset=(3, 1))  # the Name header (inside the border)
        assert app.model.sort_column == "name"
    saved = ConfigStore(config_path).load().config
    assert (saved.sort_column, saved.sort_reverse) == ("name", False)


async def test_marks_span_hosts_and_show_in_the_title(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.press("space", "space")  # marks and moves down
        assert len(app.model.marks) == 2
        marked_hosts = {app.model.rows[k].host for k in app.model.marks}
        other = next(h for h in sim.hosts if key_of(h) not in marked_hosts or len(marked_hosts) == 2)
        app.main.hosts_pane.select_key(key_of(other))
        await pilot.pause()
        while app.model.cursor_key in app.model.marks:
            await pilot.press("down")
        await pilot.press("space")
        assert len(app.model.marks) == 3
        assert len({app.model.rows[k].host for k in app.model.marks}) == 2
        assert "3 marked" in app.main.table.border_title
        await pilot.press("U")
        assert not app.model.marks


async def test_vm_detail_shows_everything_and_goes_back(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        row = app.model.cursor_row
        await pilot.press("enter")
        await wait_for(app, lambda: isinstance(app.top, VMDetailScreen))
        await pilot.pause()
        text = str(app.top.query_one("#vm-facts", Static).content)
        for label in ("UUID", "Id", "State", "EnabledState", "CPU(s)", "Assigned memory", "Startup memory"):
            assert label in text
        for label in ("Dynamic memory", "Uptime", "Heartbeat", "Health", "Generation", "Configuration"):
            assert label in text
        for label in ("Autostart", "Guest OS", "Notes", "Host task", "Status"):
            assert label in text
        assert row.vm.guid in text
        await pilot.press("escape")
        assert isinstance(app.top, MainScreen)


async def test_host_detail_has_release_versions_and_connection(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        detail = app.main.query_one(HostDetail)
        assert detail.display  # 36 lines: shown from the start
        app.main.hosts_pane.select_key(key_of(sim.hosts[0]))
        await pilot.pause()
        text = detail.text
        assert "Microsoft Windows Server 2019" in text
        assert "10.0.17763 · libvirt 1000.17.763 (1000017763)" in text
        assert "socket" in text
        assert key_of(sim.hosts[0]) in text
        assert "auth ntlm" in text or "auth basic" in text
        await pilot.press("i")
        assert not detail.display
        await pilot.press("i")
        assert detail.display


async def test_help_lists_the_keys_from_the_bindings(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.press("question_mark")
        await wait_for(app, lambda: isinstance(app.top, HelpScreen))
        await pilot.pause()
        text = " ".join(str(s.content) for s in app.top.query(".help-section").results(Static))
        for words in ("Turn off", "Delete saved", "Filter", "Mark", "Add host", "Remove host", "Log in"):
            assert words in text
        for keys in ("ctrl+r", "ctrl+p", "space", "X"):
            assert keys in text
        await pilot.press("escape")
        assert isinstance(app.top, MainScreen)


async def test_palette_jumps_to_a_host(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        target = app.hosts[key_of(sim.hosts[1])]
        await pilot.press("ctrl+p")
        await wait_for(app, lambda: isinstance(app.top, CommandPalette))
        await pilot.press(*f"Host: {target.short_name}")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(app, lambda: app.model.scope == target.key)


async def test_pause_stops_refreshing_and_ctrl_r_refreshes_once(ui, sim):
    app = ui(sim.hosts, refresh=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.press("p")
        assert "paused" in app.sub_title
        view = app.hosts[key_of(sim.hosts[0])]
        await pilot.pause(0.5)  # let a refresh that was under way land
        seen = view.snapshot
        await pilot.pause(1.0)
        assert view.snapshot is seen
        await pilot.press("ctrl+r")
        await wait_for(app, lambda: view.snapshot is not seen, 5)
        await pilot.press("p")
        assert "paused" not in app.sub_title


def test_sixteen_colour_terminals_get_the_ansi_theme():
    assert sixteen_colours({"TERM": "xterm"})
    assert sixteen_colours({"TERM": "screen"})
    assert not sixteen_colours({"TERM": "xterm-256color"})
    assert not sixteen_colours({"TERM": "xterm", "COLORTERM": "truecolor"})
    assert choose_theme(None, "textual-dark", {"TERM": "linux"}) == ANSI_THEME
    assert choose_theme("nord", "textual-dark", {"TERM": "linux"}) == "nord"
    assert choose_theme(None, "nord", {"TERM": "tmux-256color"}) == "nord"


async def test_a_filter_that_looks_like_markup_is_shown_as_typed(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        for text in ("[/]", "[b]x"):
            app.main.query_one("#filter").value = text
            await pilot.pause()
            shown = Content.from_markup(app.main.table.border_title).plain  # the getter gives markup
            assert f"filter “{text}”" in shown
            assert f"No VM matches “{text}”" in app.main.table.empty_text


async def test_slash_opens_the_filter_and_types_itself_inside_it(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.press("slash", *"a/b")
        box = app.main.query_one("#filter")
        assert app.focused is box
        assert box.value == "a/b"


async def test_hidden_columns_are_saved_and_come_back(ui, sim, config_path):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE):
        await all_ok(app)
        app.toggle_column("generation")
        app.toggle_column("name")  # the name cannot be hidden
        assert "generation" not in app.model.columns
        assert "name" in app.model.columns
    saved = ConfigStore(config_path).load().config
    assert saved.columns is not None
    assert "generation" not in saved.columns
    again = ui(sim.hosts)
    async with again.run_test(size=SIZE):
        assert "generation" not in again.model.columns


async def test_host_cpu_load_in_the_hosts_pane_and_its_history_in_the_detail(ui, make_sim):
    sim = make_sim(vms=6, seed=3)
    app = ui(sim.hosts, refresh=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        view = app.hosts[key_of(sim.hosts[0])]
        await wait_for(app, lambda: len(view.load_history) >= 3)
        snapshot = view.snapshot
        running = [vm for vm in snapshot.vms if vm.cpu_load is not None]
        assert running  # the simulator's running VMs load the host
        used = sum(vm.cpu_load * vm.vcpus for vm in running)
        assert view.cpu_load == round(used / snapshot.facts.logical_processors)
        assert f"CPU {view.cpu_load}%" in str(host_prompt(view, 40))
        app.main.hosts_pane.select_key(view.key)
        await pilot.pause()
        detail = app.main.query_one(HostDetail)
        assert f"CPU load    {view.cpu_load}% used by the running VMs" in detail.text
        assert detail.query_one("#host-load").display
        assert list(detail.query_one(Sparkline).data) == list(view.load_history)
