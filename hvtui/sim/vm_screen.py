"""What a simulated VM's screen holds: its resolution, the text typed at it, the keys held down.

Kept beside the model rather than in it: only the console's classes and methods read it, and
a host of 10,000 VMs pays for it only for the VMs whose console someone opens. A screen is
forgotten with its host model (the registry holds models weakly).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

#: Resolutions a guest may have set (what the seed picks from).
RESOLUTIONS = ((1024, 768), (1280, 720), (1920, 1080), (1280, 1024), (1600, 900), (640, 480))
BOOT_RESOLUTION = {1: (640, 480), 2: (1024, 768)}  # BIOS text mode (S3) / UEFI's frame buffer
MAX_LINES = 64  # typed lines kept: more than any screen shows


@dataclass
class VMScreen:
    """One VM's console. ``lines`` is what was typed since the VM last started, by line."""

    resolution: tuple[int, int]
    lines: list[str] = field(default_factory=lambda: [""])
    pressed: set[int] = field(default_factory=set)
    caps_lock: bool = False
    signing_in: bool = False  # Ctrl+Alt+Del was pressed: the sign-in prompt is up
    run: float | None = None  # the run (VM.started_at) the text belongs to
    cache: dict[Any, Any] = field(default_factory=dict)  # rendered pictures, by what they show

    def begin_run(self, started_at: float | None) -> None:
        """A VM that starts again starts with a clear screen."""
        if started_at != self.run:
            self.run = started_at
            self.lines = [""]
            self.pressed.clear()
            self.signing_in = False

    def type(self, text: str) -> None:
        for char in text:
            if char == "\n":
                self.lines.append("")
            elif char == "\b":
                self.lines[-1] = self.lines[-1][:-1]
            else:
                self.lines[-1] += char
        del self.lines[:-MAX_LINES]


_screens: weakref.WeakKeyDictionary[Any, dict[str, VMScreen]] = weakref.WeakKeyDictionary()


def screen_of(model: Any, vm: Any) -> VMScreen:
    """The screen of a VM of ``model`` (a HostModel), made on first use from the VM's seed."""
    screens = _screens.setdefault(model, {})
    screen = screens.get(vm.guid)
    if screen is None:
        screen = screens[vm.guid] = VMScreen(RESOLUTIONS[vm.spec.load_seed % len(RESOLUTIONS)])
    screen.begin_run(vm.started_at)
    return screen
