"""The console view in true pixels (forced, as ``--graphics`` does): the driver gets the image
sequence for each frame at the image's place, and the picture is taken away when another
screen covers the view and when it closes. Half blocks stay the default."""

from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image

from hvtui.ui.screens.console import ConsoleScreen
from hvtui.ui.widgets.screen_image import ScreenImage
from tests.support.scenarios import write_scenario
from tests.ui.driving import wait_for
from tests.ui.test_console_view import SIZE, open_console

KITTY_DELETE = "\x1b_Ga=d,d=I,"


@pytest.fixture
def console_sim(make_sim, tmp_path):
    return make_sim(scenario=write_scenario([("web-01", "running")], tmp=tmp_path), hosts=1)


def capture(app) -> list[str]:
    written: list[str] = []
    app._driver.write = written.append
    return written


def removed(written: list[str]) -> bool:
    """A delete on its own came after the last placement (a placement starts with its own)."""
    places = [n for n, text in enumerate(written) if "a=T" in text]
    deletes = [n for n, text in enumerate(written) if text.startswith(KITTY_DELETE)]
    return bool(deletes) and (not places or deletes[-1] > places[-1])


async def test_half_blocks_are_the_default(ui, console_sim):
    app = ui(console_sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        written = capture(app)
        screen = await open_console(app, pilot, "web-01")
        assert not screen.query_one(ScreenImage).graphics.pixels
        assert not any("\x1b_G" in text or "\x1bP" in text for text in written)


async def test_kitty_mode_places_each_frame_over_the_image_and_deletes_it_on_leaving(ui, console_sim):
    app = ui(console_sim.hosts, graphics="kitty")
    async with app.run_test(size=SIZE) as pilot:
        written = capture(app)
        screen = await open_console(app, pilot, "web-01")
        image = screen.query_one(ScreenImage)
        assert image.border_subtitle == "kitty graphics"
        await wait_for(app, lambda: any("a=T" in text for text in written), timeout=10)
        sequence = next(text for text in reversed(written) if "a=T" in text)
        region = image.content_region
        move = re.match(r"\x1b7\x1b\[(\d+);(\d+)H", sequence)
        assert move and region.y < int(move.group(1)) and region.x < int(move.group(2))
        payload = "".join(re.findall(r"\x1b_G[^;\x1b]*;([^\x1b]*)\x1b\\", sequence))
        with Image.open(io.BytesIO(base64.b64decode(payload))) as picture:
            assert picture.size == (screen.last.width, screen.last.height)
        assert sequence.endswith("\x1b8")
        await pilot.press("question_mark")  # help covers the view: the image goes
        await pilot.pause()
        assert removed(written)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        before = len(written)
        await wait_for(app, lambda: any("a=T" in text for text in written[before:]), timeout=10)
        await pilot.press("escape")  # closed
        await pilot.pause()
        assert not isinstance(app.screen, ConsoleScreen)
        assert removed(written)


@pytest.mark.parametrize("mode", ["sixel", "iterm"])
async def test_sixel_and_iterm_modes_write_their_sequence_for_the_frame(ui, console_sim, mode):
    app = ui(console_sim.hosts, graphics=mode)
    async with app.run_test(size=SIZE) as pilot:
        written = capture(app)
        await open_console(app, pilot, "web-01")
        start = "\x1bP0;1;0q" if mode == "sixel" else "\x1b]1337;File=inline=1"
        await wait_for(app, lambda: any(start in text for text in written), timeout=10)
