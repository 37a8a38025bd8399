"""The console view against a simulated host over real sockets: the live screen in half blocks,
typing mode, Ctrl+Alt+Del, the cost line, saving a screenshot, and no frames once it is closed."""

from __future__ import annotations

import stat

import pytest
from PIL import Image

from hvtui.ui.screens.console import ConsoleScreen
from hvtui.ui.widgets.screen_image import HALF, ScreenImage
from tests.support.scenarios import write_scenario
from tests.ui.driving import all_ok, wait_for

SIZE = (80, 24)


@pytest.fixture
def console_sim(make_sim, tmp_path):
    scenario = write_scenario([("web-01", "running"), ("db-01", "off")], tmp=tmp_path)
    return make_sim(scenario=scenario, hosts=1)


def thumbnails(sim) -> int:
    return sim.hosts[0].counters.as_dict().get("Invoke:GetVirtualSystemThumbnailImage", 0)


async def until(pilot, predicate, timeout: float = 20.0) -> None:
    """Wait for the simulated host to reach a state (it publishes nothing the app could wait on)."""
    for _ in range(int(timeout * 10)):
        if predicate():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"not reached in {timeout} s")


def screen_of(sim, name):
    return sim.hosts[0].model.screen(name)


async def open_console(app, pilot, name: str) -> ConsoleScreen:
    await all_ok(app)
    while app.model.rows[app.model.cursor_key].vm.name != name:
        await pilot.press("down")
    await pilot.press("V")
    screen = app.screen
    assert isinstance(screen, ConsoleScreen)
    await wait_for(app, lambda: screen.frames >= 1 or screen.error is not None, timeout=20)
    await pilot.pause()
    return screen


async def test_the_console_shows_the_screen_in_half_blocks_and_its_cost(ui, console_sim):
    app = ui(console_sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_console(app, pilot, "web-01")
        assert screen.error is None
        image = screen.query_one(ScreenImage)
        columns, pixel_rows = image.cells
        width, height = image.frame_size
        assert width <= columns and height <= pixel_rows  # asked at what the terminal can show
        assert max(width / columns, height / pixel_rows) > 0.95  # ... and filling it one way
        line = image.render_line(image.size.height // 2)
        assert HALF in line.text
        status = str(screen.query_one("#console-status").render())
        assert "KB/frame" in status and "fps" in status and f"{width}×{height} px" in status


async def test_typing_mode_sends_text_and_ctrl_bracket_leaves_it(ui, console_sim):
    app = ui(console_sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_console(app, pilot, "web-01")
        await pilot.press("t")
        assert screen.typing
        assert "TYPING" in str(screen.query_one("#console-status").render())
        await pilot.press("h", "i", "space", "q", "enter", "x")  # q and x go to the VM, not to the app
        await until(pilot, lambda: screen_of(console_sim, "web-01").lines[-2:] == ("hi q", "x"))
        await pilot.press("ctrl+right_square_bracket")
        assert not screen.typing
        await pilot.press("d")  # outside typing mode: Ctrl+Alt+Del
        await until(pilot, lambda: screen_of(console_sim, "web-01").signing_in)
        await pilot.press("q")
        assert not isinstance(app.screen, ConsoleScreen)


async def test_keys_to_an_off_vm_are_refused_with_a_message(ui, console_sim):
    app = ui(console_sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(app, pilot, "db-01")
        await pilot.press("d")
        await wait_for(app, lambda: any("not running" in m for m in _notes(app)), timeout=20)


def _notes(app):
    return [str(n.message) for n in app._notifications]


async def test_no_frames_are_asked_for_once_the_view_is_closed(ui, console_sim):
    app = ui(console_sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_console(app, pilot, "web-01")
        await wait_for(app, lambda: screen.frames >= 2, timeout=20)
        await pilot.press("escape")
        await pilot.pause(0.3)
        before = thumbnails(console_sim)
        await pilot.pause(2.5)
        assert thumbnails(console_sim) == before


async def test_save_writes_a_private_png(ui, console_sim, tmp_path):
    app = ui(console_sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_console(app, pilot, "web-01")
        screen.save_dir = tmp_path
        await pilot.press("s")
        await wait_for(app, lambda: list(tmp_path.glob("web-01-*.png")), timeout=20)
        path = next(tmp_path.glob("web-01-*.png"))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with Image.open(path) as picture:
            picture.load()
            assert picture.mode == "RGB" and picture.width > 100
