"""The VM table's habits from the keyboard: marks, sort, filter, footer, and a table that fits."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from hvtui.ui.columns import STATUS
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.ui.screens.help import HelpScreen
from tests.ui.driving import all_ok, wait_for

SIZE = (120, 36)


@pytest.fixture(scope="module")
def sim():
    """Read-only for this module's tests: two hosts that nobody changes."""
    from hvtui.sim import SimOptions, Simulator

    options = SimOptions(
        hosts=2, vms=6, release="2019,2022", seed=11, password="Habits-Passw0rd", allow_unencrypted=True
    )
    with Simulator(options) as running:
        yield running


def header(app) -> str:
    return "".join(segment.text for segment in app.main.table.render_line(0))


def footer_keys(app) -> set[str]:
    return {item.binding.key for item in app.screen.active_bindings.values() if item.binding.show}


async def test_m_marks_every_vm_shown_and_the_title_counts_marks_the_filter_hides(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        first = app.model.rows[app.model.order[0]].vm.name
        await pilot.press("slash", *first, "enter")
        shown = len(app.model.order)
        await pilot.press("M")
        assert len(app.model.marks) == shown
        app.main.query_one("#filter").value = "~^$"  # a regex nothing matches
        await pilot.pause()
        assert f"{shown} marked ({shown} not shown)" in str(app.main.table.border_title)
        app.main.query_one("#filter").value = first
        await pilot.pause()
        await pilot.press("M")
        assert not app.model.marks


async def test_an_invalid_regex_says_so_in_the_title(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.press("slash", *"~web-[")
        await pilot.pause()
        assert "invalid regex" in str(app.main.table.border_title)
        assert len(app.model.order) == len(app.model.rows)


async def test_numbers_sort_biggest_first_with_the_arrow_after_the_title(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        assert "Name▲" in header(app)
        await pilot.press("end")
        last = app.model.cursor_key
        app.set_sort("uptime", True)  # as a click on the header or `o` would, for a number
        await pilot.click("VMTable", offset=(3, 1))  # Name
        await pilot.click("VMTable", offset=(3, 1))  # Name again: reversed
        assert "Name▼" in header(app)
        assert app.model.cursor_key == last
        table = app.main.table
        position = app.model.cursor
        assert table.scroll_y <= position < table.scroll_y + table.page_rows, "the cursor stays in view"
        await pilot.press("o", "o", "o")  # host, state, cpu
        assert app.model.sort_column == "cpu" and app.model.sort_reverse
        assert "CPU▼" in header(app)


async def test_status_gives_way_before_version_leaves_a_120_column_screen(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        key = app.model.order[0]
        app.model.set_job(key, "Backing up to the far away storage 35%")
        app.main.rows_changed()
        await pilot.pause()
        assert header(app).rstrip().endswith("Version")
        line = "".join(segment.text for segment in app.main.table.render_line(1))
        assert "…" in line  # the long status, cut
        assert app.model.cell(app.model.rows[key], STATUS).startswith("Backing up")


async def test_the_footer_adds_the_most_used_keys_where_there_is_room(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=(200, 36)) as pilot:
        await all_ok(app)
        await pilot.pause()
        assert {"enter", "space", "i", "o", "tab"} <= footer_keys(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        keys = footer_keys(app)
        assert "q" in keys and "slash" in keys  # the footer's own keys stay
        assert not {"enter", "space", "i", "o", "tab"} <= keys


async def test_help_says_the_filter_syntax_and_the_new_keys(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.press("question_mark")
        await wait_for(app, lambda: isinstance(app.top, HelpScreen))
        await pilot.pause()
        text = " ".join(str(s.content) for s in app.top.query(Static).results(Static))
        for words in ("Mark and move down", "Mark every VM shown", "Task log", "~", "host", "status"):
            assert words in text


async def test_an_action_on_a_marked_vm_the_filter_hides_asks_first(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        off = next(k for k in app.model.order if app.model.rows[k].vm.state.value == "off")
        app.model.focus_key(off)
        app.main.table.update_view()
        await pilot.press("space")  # one VM marked: `s` alone would start it at once
        app.main.query_one("#filter").value = "~^$"
        await pilot.pause()
        app.main.table.focus()
        await pilot.press("s")
        await wait_for(app, lambda: isinstance(app.screen, ConfirmScreen))
        assert "not on screen" in str(app.screen.query_one("#detail").content)
        await pilot.press("n")
