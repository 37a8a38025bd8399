"""A VM's console: its live screen, and a typing mode that sends what is typed to its keyboard.

The screen is fetched about once a second while this view is open (a timer of the view's own,
gone when it closes), at the size the terminal can show: cells × 1 wide and × 2 tall, drawn
with half blocks, or the pixels of the cells where the terminal shows images (kitty, Sixel,
iTerm2: see :mod:`hvtui.ui.graphics`; the mode is the image's subtitle). The cost is on
screen: bytes per frame and frames per second. In typing mode every key goes to the VM
(printable text in one TypeText, other keys as virtual-key codes, Ctrl+letter as a chord)
until ctrl+] leaves it, as in telnet and virsh console.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from hvtui.hyperv.console import DEFAULT_HOST_ENVELOPE, Frame, VMConsole, fit_reply
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.models import VM
from hvtui.present.console import cost_line, save_name
from hvtui.present.png import png
from hvtui.ui.facade import AppFacade
from hvtui.ui.widgets.screen_image import ScreenImage

T = TypeVar("T")

INTERVAL = 1.0  # seconds between frames while the view is open
RESOLUTION_EVERY = 10.0  # seconds between reads of the head's resolution (it changes at boot)
LEAVE_TYPING = "ctrl+right_square_bracket"  # ctrl+]

VK_LCONTROL, VK_LSHIFT, VK_LMENU, VK_LWIN = 0xA2, 0xA0, 0xA4, 0x5B
NAMED_KEYS: dict[str, int] = {
    "enter": 0x0D,
    "backspace": 0x08,
    "tab": 0x09,
    "escape": 0x1B,
    "up": 0x26,
    "down": 0x28,
    "left": 0x25,
    "right": 0x27,
    "home": 0x24,
    "end": 0x23,
    "pageup": 0x21,
    "pagedown": 0x22,
    "insert": 0x2D,
    "delete": 0x2E,
    **{f"f{i}": 0x6F + i for i in range(1, 13)},
}


def vm_keys(event: events.Key) -> tuple[str, str | tuple[int, ...]] | None:
    """What a key typed in the terminal is for the VM: ("text", chars) or ("keys", a chord)."""
    key = event.key
    if key == "space":
        return "text", " "
    if key in NAMED_KEYS:
        return "keys", (NAMED_KEYS[key],)
    if key == "shift+tab":
        return "keys", (VK_LSHIFT, 0x09)
    if key.startswith("ctrl+") and len(key) == 6 and key[5].isalpha():
        return "keys", (VK_LCONTROL, ord(key[5].upper()))
    if event.is_printable and event.character:
        return "text", event.character
    return None


class ConsoleScreen(Screen[None]):
    DEFAULT_CSS = """
    #console-status { height: 1; padding: 0 1; background: $boost; }
    #console-screen { border: round $primary; border-title-color: $text; }
    #console-screen.typing { border: heavy $warning; border-title-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        Binding("t", "typing", "Type to the VM", id="console-type"),
        Binding("d", "chord('ctrl-alt-del')", "Ctrl+Alt+Del", id="console-cad"),
        Binding("w", "chord('win')", "Win key", id="console-win"),
        Binding("f", "chord('alt-f4')", "Alt+F4", show=False, id="console-alt-f4"),
        Binding("s", "save", "Save screenshot", id="console-save"),
        Binding("question_mark", "app.help", "Help", id="help"),
    ]
    CHORDS: ClassVar[dict[str, tuple[int, ...]]] = {
        "win": (VK_LWIN,),
        "alt-f4": (VK_LMENU, 0x73),
    }

    def __init__(self, key: str, *, save_dir: Path | None = None) -> None:
        super().__init__()
        self.key = key
        self.save_dir = save_dir
        self.typing = False
        self.frames = 0
        self.last: Frame | None = None
        self.error: str | None = None
        self._vm_console: VMConsole | None = None
        self._resolution: tuple[int, int] | None = None
        self._resolution_at = 0.0
        self._fetching = False
        self._round_trips: list[float] = []
        self._pending: list[tuple[str, Any]] = []
        self._sending = False

    @property
    def hvtui(self) -> AppFacade:
        return cast(AppFacade, self.app)

    @property
    def vm(self) -> VM | None:
        row = self.hvtui.model.rows.get(self.key)
        return row.vm if row is not None else None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield Static(id="console-status", markup=False)
        yield ScreenImage(self.hvtui.graphics, id="console-screen")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self._show_status()
        self.set_interval(INTERVAL, self._tick)
        self.call_after_refresh(self._tick)  # once laid out: the first frame fits the widget

    def on_resize(self) -> None:
        self.call_after_refresh(self._tick)

    def on_screen_suspend(self) -> None:
        self.query_one(ScreenImage).cover()

    def on_screen_resume(self) -> None:
        self.query_one(ScreenImage).uncover()

    # -- the screen ---------------------------------------------------------------------------

    def _tick(self) -> None:
        laid_out = self.query_one(ScreenImage).content_region.width > 0
        if laid_out and not self._fetching and self.vm is not None:
            self._fetching = True
            self.run_worker(self._fetch(), group="console-frame", exit_on_error=False)

    async def _on_host(self, call: Callable[[VMConsole], Awaitable[T]]) -> T:
        """Run ``call`` on the refresh loop with this VM's console on its host's connection."""
        vm = self.vm
        row = self.hvtui.model.rows.get(self.key)
        if vm is None or row is None:
            raise HyperVError("the VM is no longer on its host")
        scheduler = self.hvtui.scheduler

        async def with_console(host: Any) -> T:
            console = self._vm_console
            if console is None or console.session is not host.session:
                console = self._vm_console = VMConsole(host.session, vm)
            return await call(console)

        return await scheduler.run(scheduler.with_host(row.host, with_console))

    async def _fetch(self) -> None:
        image = self.query_one(ScreenImage)
        stale = self._resolution is None or time.monotonic() - self._resolution_at > RESOLUTION_EVERY

        async def grab(console: VMConsole) -> tuple[tuple[int, int], Frame]:
            resolution = await console.resolution() if stale or self._resolution is None else self._resolution
            width, height = image.frame_for(resolution)
            return resolution, await console.frame(width, height)

        try:
            resolution, frame = await self._on_host(grab)
        except HyperVError as exc:
            self.error = str(exc)
        else:
            if stale:
                self._resolution_at = time.monotonic()
            self._resolution = resolution
            self.error = None
            self.last = frame
            self.frames += 1
            self._round_trips = [*self._round_trips[-9:], frame.seconds]
            await image.show_later(frame.width, frame.height, frame.rgb565)
        finally:
            self._fetching = False
        self._show_status()

    def _show_status(self) -> None:
        row = self.hvtui.model.rows.get(self.key)
        name = row.vm.name if row is not None else "this VM"
        view = self.hvtui.hosts.get(row.host) if row is not None else None
        where = f" on {view.short_name}" if view is not None else ""
        if self.error:
            text = self.error
        elif self.last is None:
            text = "reading the screen…"
        else:
            seconds = max(INTERVAL, sum(self._round_trips) / len(self._round_trips))
            last = self.last
            text = cost_line(self._resolution, last.width, last.height, last.reply_bytes, 1 / seconds)
        status = self.query_one("#console-status", Static)
        if self.typing:
            status.update(Content.assemble(("● TYPING ", "bold reverse"), " ctrl+] leaves · ", text))
        else:
            status.update(Content(text))
        screen = self.query_one(ScreenImage)
        screen.border_title = Content(f"{name}{where}" + (" — typing" if self.typing else ""))
        screen.set_class(self.typing, "typing")

    # -- the keyboard -------------------------------------------------------------------------

    def action_typing(self) -> None:
        self.typing = True
        self.refresh_bindings()
        self._show_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("typing", "chord", "save"):
            return not (self.hvtui.read_only and action != "save")
        return True

    def on_key(self, event: events.Key) -> None:
        if not self.typing:
            return
        event.stop()
        event.prevent_default()
        if event.key == LEAVE_TYPING:
            self.typing = False
            self.refresh_bindings()
            self._show_status()
            return
        sent = vm_keys(event)
        if sent is not None:
            self._send(*sent)

    def action_chord(self, name: str) -> None:
        if name == "ctrl-alt-del":
            self._send("ctrl-alt-del", None)
        else:
            self._send("keys", self.CHORDS[name])

    def _send(self, kind: str, what: Any) -> None:
        """Queue keys for the VM; one worker sends them in order, text typed together in one go."""
        if self._pending and kind == "text" and self._pending[-1][0] == "text":
            self._pending[-1] = ("text", self._pending[-1][1] + what)
        else:
            self._pending.append((kind, what))
        if not self._sending:
            self._sending = True
            self.run_worker(self._drain(), group="console-keys", exit_on_error=False)

    async def _drain(self) -> None:
        try:
            while self._pending:
                kind, what = self._pending.pop(0)

                async def deliver(console: VMConsole, kind: str = kind, what: Any = what) -> None:
                    await _deliver(console, kind, what)

                try:
                    await self._on_host(deliver)
                except HyperVError as exc:
                    self._pending.clear()
                    self.app.notify(str(exc), severity="warning", markup=False)
                    return
            self._tick()  # show what the keys did without waiting for the next second
        finally:
            self._sending = False

    # -- saving -------------------------------------------------------------------------------

    async def action_save(self) -> None:
        vm = self.vm
        if vm is None:
            return
        folder = self.save_dir or Path.cwd()
        path = folder / save_name(vm.name, datetime.now())

        async def grab(console: VMConsole) -> Frame:
            resolution = await console.resolution()
            return await console.frame(*fit_reply(resolution, DEFAULT_HOST_ENVELOPE))

        try:
            frame = await self._on_host(grab)
            data = png(frame.width, frame.height, frame.rgb565)
            await asyncio.to_thread(_write_private, path, data)
        except HyperVError as exc:
            self.app.notify(f"Screenshot not saved: {exc}", severity="error", markup=False)
        except OSError as exc:
            self.app.notify(
                f"Screenshot not saved: {path}: {exc.strerror or exc}", severity="error", markup=False
            )
        else:
            self.app.notify(f"Saved {frame.width}x{frame.height} screenshot to {path}", markup=False)


async def _deliver(console: VMConsole, kind: str, what: Any) -> None:
    if kind == "text":
        await console.type_text(what)
    elif kind == "ctrl-alt-del":
        await console.ctrl_alt_del()
    else:
        await console.send_keys(what)


def _write_private(path: Path, data: bytes) -> None:
    """The screen may show anything: the file is the owner's alone, and never replaces another."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
