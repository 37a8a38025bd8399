"""How a VM's console reads: what a frame costs, and the names screenshots are saved under."""

from __future__ import annotations

import re
from datetime import datetime

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def cost_line(screen: tuple[int, int] | None, width: int, height: int, reply_bytes: int, fps: float) -> str:
    """``1024×768 → 50×38 px · 3.8 KB/frame · 1 fps``: the screen, the frames asked for, their cost."""
    size = f"{screen[0]}×{screen[1]} → {width}×{height} px" if screen else f"{width}×{height} px"
    return f"{size} · {reply_bytes / 1024:.1f} KB/frame · {fps:.2g} fps"


def file_stem(vm_name: str) -> str:
    """A VM's name as a file name: what a file name cannot hold replaced."""
    return _UNSAFE.sub("_", vm_name).strip(". ") or "screenshot"


def default_file(vm_name: str) -> str:
    """``<vm>.png``: where ``hvtui screenshot`` writes unless told."""
    return file_stem(vm_name) + ".png"


def save_name(vm_name: str, when: datetime) -> str:
    """``<vm>-20250304-140501.png``: a screenshot saved from the console, never over another."""
    return f"{file_stem(vm_name)}-{when:%Y%m%d-%H%M%S}.png"
