"""How a VM's console reads: what a frame costs, and the names screenshots are saved under."""

from __future__ import annotations

import re
from datetime import datetime

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def cost_line(screen: tuple[int, int] | None, width: int, height: int, reply_bytes: int, fps: float) -> str:
    """``1024×768 screen · 160×90 frames · 28.9 KB/frame · 1 fps (29 KB/s)``."""
    kb = reply_bytes / 1024
    parts = [f"{screen[0]}×{screen[1]} screen"] if screen else []
    parts += [
        f"{width}×{height} frames",
        f"{kb:.1f} KB/frame",
        f"{fps:.2g} fps ({kb * fps:.0f} KB/s)",
    ]
    return " · ".join(parts)


def file_stem(vm_name: str) -> str:
    """A VM's name as a file name: what a file name cannot hold replaced."""
    return _UNSAFE.sub("_", vm_name).strip(". ") or "screenshot"


def default_file(vm_name: str) -> str:
    """``<vm>.png``: where ``hvtui screenshot`` writes unless told."""
    return file_stem(vm_name) + ".png"


def save_name(vm_name: str, when: datetime) -> str:
    """``<vm>-20250304-140501.png``: a screenshot saved from the console, never over another."""
    return f"{file_stem(vm_name)}-{when:%Y%m%d-%H%M%S}.png"
