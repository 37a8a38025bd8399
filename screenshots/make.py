"""Make the README's screenshots from the real app on the simulator.

    python screenshots/make.py [--png]

Each scene runs the real app headless against simulated hosts (a fixed seed, fixed ports and a
frozen clock, so images change only when the UI does) and saves an SVG next to this script.
``--png`` also writes PNGs with ``rsvg-convert`` (Debian: librsvg2-bin). Run it again whenever
the UI changes, and commit the images with the change.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import html
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run as a script: the app is built as the tests build it

from hvtui.cli.launch import DEMO_NOTE, demo_sim_options  # noqa: E402
from hvtui.sim import Simulator  # noqa: E402
from hvtui.ui.app import HvtuiApp  # noqa: E402
from hvtui.ui.hoststatus import HostStatus  # noqa: E402
from hvtui.ui.launch import HostSpec  # noqa: E402
from hvtui.ui.screens.confirm import ConfirmScreen  # noqa: E402
from hvtui.ui.screens.console import ConsoleScreen  # noqa: E402
from hvtui.ui.screens.login import LoginScreen  # noqa: E402
from hvtui.ui.screens.vm_detail import VMDetailScreen  # noqa: E402
from hvtui.uri import parse_uri  # noqa: E402
from tests.support.tui import make_app, wait_for  # noqa: E402

PORT = 24285
PASSWORD = "Screenshot-Passw0rd"  # noqa: S105 - the simulated hosts' own account, nothing real

Script = Callable[[HvtuiApp, object], Awaitable[None]]


@dataclass
class Scene:
    name: str
    size: tuple[int, int]
    script: Script
    theme: str = "textual-dark"
    without_password: int | None = None


async def settled(app: HvtuiApp, pilot) -> None:
    await wait_for(
        app,
        lambda: all(
            v.snapshot is not None or v.status in (HostStatus.AUTH_NEEDED, HostStatus.UNREACHABLE)
            for v in app.hosts.values()
        ),
        60,
    )
    await pilot.pause()


async def all_hosts(app: HvtuiApp, pilot) -> None:
    await settled(app, pilot)
    await pilot.press("down", "down", "down")


async def one_host(app: HvtuiApp, pilot) -> None:
    await settled(app, pilot)
    app.main.hosts_pane.select_key(next(iter(app.hosts)))
    await pilot.pause()
    await pilot.press("o", "o", "O")  # sorted by CPU, busiest first
    if not app.show_host_detail:
        await pilot.press("i")
    await pilot.pause()


async def vm_detail(app: HvtuiApp, pilot) -> None:
    await settled(app, pilot)
    await pilot.press("down", "down", "enter")
    await wait_for(app, lambda: isinstance(app.top, VMDetailScreen) and app.top.inside_read, 30)
    await pilot.pause()


async def vm_inside(app: HvtuiApp, pilot) -> None:
    """A running VM whose guest reports: its Devices, Network and Guest, scrolled to."""
    await settled(app, pilot)
    app.open_vm(next(k for k in app.model.order if len(app.model.rows[k].vm.ips) > 1))
    await wait_for(app, lambda: isinstance(app.top, VMDetailScreen) and app.top.inside_read, 30)
    await pilot.pause()  # laid out with the sections, then scrolled to them
    app.top.query_one("#vm-detail").scroll_end(animate=False)
    await pilot.pause()


async def bulk_confirm(app: HvtuiApp, pilot) -> None:
    await settled(app, pilot)
    await pilot.press("slash", *"web", "enter")
    running = [k for k in app.model.order if app.model.rows[k].vm.state.value == "running"]
    for key in running[:7]:
        app.model.toggle_mark(key)
    app.main.rows_changed()
    await pilot.press("T")
    await wait_for(app, lambda: isinstance(app.top, ConfirmScreen), 30)
    await pilot.pause()


async def login(app: HvtuiApp, pilot) -> None:
    await settled(app, pilot)
    await wait_for(app, lambda: isinstance(app.top, LoginScreen), 30)
    await pilot.pause()


async def console(app: HvtuiApp, pilot) -> None:
    await settled(app, pilot)
    while app.model.rows[app.model.cursor_key].vm.state.value != "running":
        await pilot.press("down")
    await pilot.press("V")
    screen = app.screen
    assert isinstance(screen, ConsoleScreen)
    await pilot.press("t", *"Get-Service", "space", *"WinRM", "enter")
    seen = screen.frames
    await wait_for(app, lambda: screen.frames >= seen + 2 or screen.error is not None, 30)
    await pilot.pause(1.2)  # a frame after the text arrived
    await pilot.pause()


SCENES = [
    Scene("main", (120, 36), all_hosts),
    Scene("host", (120, 36), one_host),
    Scene("vm-detail", (120, 36), vm_detail),
    Scene("vm-inside-80x24", (80, 24), vm_inside),
    Scene("bulk-confirm", (120, 36), bulk_confirm),
    Scene("console", (120, 36), console),
    Scene("main-80x24", (80, 24), all_hosts),
    Scene("login-80x24", (80, 24), login, without_password=1),
    Scene("ansi-80x24", (80, 24), all_hosts, theme="ansi-dark"),
]


async def shoot(sim: Simulator, scene: Scene, out: Path) -> Path:
    hosts = [
        HostSpec(parse_uri(h.uri), None if i == scene.without_password else h.password)
        for i, h in enumerate(sim.hosts)
    ]
    app = make_app(hosts, theme=scene.theme, refresh=2.0, title_note=DEMO_NOTE)
    async with app.run_test(size=scene.size) as pilot:
        await scene.script(app, pilot)
        path = app.save_screenshot(filename=f"{scene.name}.svg", path=str(out))
    return Path(path)


def to_png(svg: Path) -> Path:
    """rsvg-convert drops leading no-break spaces in a text run: shift those runs instead."""

    def shift(match: re.Match[str]) -> str:
        attrs, body = match.group(1), match.group(2)
        chars = html.unescape(body)
        lead = len(chars) - len(chars.lstrip("\u00a0"))
        if lead == 0 or lead == len(chars):
            return match.group(0)
        x = float(re.search(r' x="([\d.]+)"', attrs).group(1))  # type: ignore[union-attr]
        length = float(re.search(r'textLength="([\d.]+)"', attrs).group(1))  # type: ignore[union-attr]
        cell = length / len(chars)
        attrs = re.sub(r' x="[\d.]+"', f' x="{x + lead * cell:.1f}"', attrs)
        attrs = re.sub(r'textLength="[\d.]+"', f'textLength="{length - lead * cell:.1f}"', attrs)
        return f"<text{attrs}>{html.escape(chars[lead:], quote=False)}</text>"

    text = re.sub(r"<text([^>]*)>([^<]*)</text>", shift, svg.read_text(encoding="utf-8"))
    png = svg.with_suffix(".png")
    with tempfile.NamedTemporaryFile("w", suffix=".svg", encoding="utf-8") as fixed:
        fixed.write(text)
        fixed.flush()
        subprocess.run(["rsvg-convert", fixed.name, "-o", str(png)], check=True)
    return png


async def main_async(png: bool) -> None:
    # The demo's hosts, on a clock that stands still so the images come out the same each time.
    options = dataclasses.replace(
        demo_sim_options(PASSWORD), allow_unencrypted=True, frozen_clock=True, port=PORT
    )
    with Simulator(options) as sim:
        for scene in SCENES:
            svg = await shoot(sim, scene, HERE)
            print(svg.relative_to(HERE.parent))
            if png:
                print(to_png(svg).relative_to(HERE.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description="Make the README's screenshots.")
    parser.add_argument("--png", action="store_true", help="also write PNGs (needs rsvg-convert)")
    args = parser.parse_args()
    if args.png and shutil.which("rsvg-convert") is None:
        print("--png needs rsvg-convert (Debian: apt-get install librsvg2-bin)", file=sys.stderr)
        return 2
    asyncio.run(main_async(args.png))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
