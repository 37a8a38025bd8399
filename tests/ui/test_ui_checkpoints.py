"""The checkpoints view from the keyboard, on the simulator: the tree with Now, create with
Hyper-V Manager's name, apply with its question, delete, delete subtree, rename, progress in the
Status cell, the result as a notification, and read-only."""

from __future__ import annotations

import re

import pytest

from hvtui.sim import SimOptions, Simulator
from hvtui.ui.columns import COLUMN_INDEX
from hvtui.ui.screens.checkpoint_dialogs import ApplyScreen, NameScreen
from hvtui.ui.screens.checkpoints import CheckpointsScreen
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.ui.screens.help import HelpScreen
from hvtui.ui.screens.vm_detail import VMDetailScreen
from tests.conftest import SIM_DEFAULTS
from tests.support.checkpoint_scenario import write_checkpoint_scenario
from tests.ui.driving import all_ok, rows_where, wait_for

SIZE = (120, 36)


@pytest.fixture
def sim(tmp_path):
    options = {**SIM_DEFAULTS, "scenario": str(write_checkpoint_scenario(tmp_path)), "time_scale": 100.0}
    with Simulator(SimOptions(**options)) as s:
        yield s


async def open_view(app, pilot, name: str) -> CheckpointsScreen:
    row = rows_where(app, lambda r: r.vm.name == name)[0]
    assert app.model.focus_key(row.key)
    app.main.table.update_view()
    await pilot.pause()
    await pilot.press("S")
    await wait_for(
        app, lambda: isinstance(app.top, CheckpointsScreen) and app.top.checkpoints is not None, 30
    )
    return app.top


def _label(prompt: object) -> str:
    """The drawn tree and name: the row up to its creation time."""
    return re.split(r"\s{2,}(?=\d{4}-|—)", str(prompt).replace("\u2800", " "))[0].rstrip()


def labels(screen: CheckpointsScreen) -> list[str]:
    options = screen.query_one("#checkpoint-tree")
    return [_label(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def choose(pilot, screen: CheckpointsScreen, name: str) -> None:
    options = screen.query_one("#checkpoint-tree")
    for i in range(options.option_count):
        if _label(options.get_option_at_index(i).prompt).endswith(f" {name}") or labels(screen)[i] == name:
            options.highlighted = i
    await pilot.pause()


async def test_the_view_shows_the_tree_with_now(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        screen = await open_view(app, pilot, "web")
        assert labels(screen) == [
            "Baseline",
            "├─ Patched",
            "│  └─ Patched again",
            "│     └─ ▸ Now",
            "└─ Experiment",
        ]
        assert screen.selected is None  # the cursor starts on Now
        assert screen.check_action("apply", ()) is False
        await pilot.press("escape")
        assert not isinstance(app.top, CheckpointsScreen)


async def test_the_key_works_from_the_vm_screen_and_is_in_help(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        row = rows_where(app, lambda r: r.vm.name == "db")[0]
        app.open_vm(row.key)
        await wait_for(app, lambda: isinstance(app.top, VMDetailScreen))
        await pilot.press("question_mark")
        await wait_for(app, lambda: isinstance(app.top, HelpScreen))
        assert "Checkpoints" in "".join(str(s.render()) for s in app.top.query(".help-section"))
        await pilot.press("escape")
        await pilot.press("S")
        await wait_for(
            app, lambda: isinstance(app.top, CheckpointsScreen) and app.top.checkpoints is not None, 30
        )
        assert [c.name for c in app.top.checkpoints.checkpoints] == ["One", "Two", "Three"]


async def test_create_prefills_hyper_v_managers_name_and_reports(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        screen = await open_view(app, pilot, "db")
        await pilot.press("c")
        await wait_for(app, lambda: isinstance(app.top, NameScreen))
        value = app.top.query_one("#name").value
        assert value.startswith("db - (") and value.endswith("M)")
        app.top.query_one("#name").value = "Before patching"
        await pilot.press("enter")
        await wait_for(app, lambda: any("created" in text for _, text in app.events), 30)
        assert app.events[-1] == ("information", "db: checkpoint 'Before patching' created")
        await wait_for(app, lambda: "Before patching" in "".join(labels(screen)), 30)
        assert labels(screen)[-2:] == ["      └─ Before patching", "         └─ ▸ Now"]
        row = rows_where(app, lambda r: r.vm.name == "db")[0]
        assert row.key not in app.model.jobs


async def test_apply_asks_and_can_checkpoint_first(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        screen = await open_view(app, pilot, "db")
        await choose(pilot, screen, "One")
        await pilot.press("a")
        await wait_for(app, lambda: isinstance(app.top, ApplyScreen))
        assert app.top.focused is app.top.query_one("#no")
        assert "current state of db will be lost" in str(app.top.query_one("#detail").render())
        app.top.query_one("#checkpoint-then-apply").press()
        await wait_for(app, lambda: any("applied" in text for _, text in app.events), 60)
        texts = [text for _, text in app.events]
        assert any(t.startswith("db: checkpoint 'db - (") and t.endswith("created") for t in texts)
        assert texts[-1] == "db: checkpoint 'One' applied"
        await wait_for(
            app, lambda: screen.checkpoints.current and screen.checkpoints.current.name == "One", 30
        )
        assert len(screen.checkpoints.checkpoints) == 4


async def test_apply_to_a_running_vm_says_why_not(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        screen = await open_view(app, pilot, "web")
        await choose(pilot, screen, "Baseline")
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.top, ApplyScreen)
        assert app.events[-1] == (
            "warning",
            "web is running: turn it off or save it before applying a checkpoint",
        )


async def test_delete_and_delete_subtree_confirm(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        screen = await open_view(app, pilot, "web")
        await choose(pilot, screen, "Patched")
        await pilot.press("d")
        await wait_for(app, lambda: isinstance(app.top, ConfirmScreen))
        assert "children move up" in app.top.detail
        await pilot.press("y")
        await wait_for(app, lambda: any("deleted" in text for _, text in app.events), 30)
        await wait_for(app, lambda: len(screen.checkpoints.checkpoints) == 3, 30)
        assert labels(screen) == ["Baseline", "├─ Experiment", "└─ Patched again", "   └─ ▸ Now"]
        await choose(pilot, screen, "Baseline")
        await pilot.press("D")
        await wait_for(app, lambda: isinstance(app.top, ConfirmScreen))
        assert app.top.detail == "2 more checkpoints below it will be deleted too."
        await pilot.press("y")
        await wait_for(app, lambda: not screen.checkpoints.checkpoints, 30)
        assert labels(screen) == ["▸ Now"]
        assert app.events[-1] == ("information", "web: checkpoint 'Baseline' and the 2 below it deleted")


async def test_rename(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        screen = await open_view(app, pilot, "db")
        await choose(pilot, screen, "Two")
        await pilot.press("n")
        await wait_for(app, lambda: isinstance(app.top, NameScreen))
        app.top.query_one("#name").value = "Deux"
        await pilot.press("enter")
        await wait_for(app, lambda: any("renamed" in text for _, text in app.events), 30)
        await wait_for(app, lambda: "Deux" in [c.name for c in screen.checkpoints.checkpoints], 30)


async def test_read_only_disables_changes(ui, sim):
    app = ui(sim.hosts, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        screen = await open_view(app, pilot, "db")
        await choose(pilot, screen, "Two")
        assert screen.check_action("delete", ()) is None  # shown, greyed out
        await pilot.press("c")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.top, CheckpointsScreen)
        assert [c.name for c in screen.checkpoints.checkpoints] == ["One", "Two", "Three"]


async def test_the_checkpoint_column_is_there_when_chosen(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE):
        await all_ok(app)
        assert "checkpoints" not in app.model.chosen
        app.toggle_column("checkpoints")
        assert "checkpoints" in app.model.chosen
        row = rows_where(app, lambda r: r.vm.name == "web")[0]
        assert row.cells[COLUMN_INDEX["checkpoints"]] == "4"
