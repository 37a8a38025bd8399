"""Which image protocol the terminal speaks, and how large a cell is in pixels.

Asked before Textual starts (its input thread would take the answers): the environment first
(kitty, iTerm2, WezTerm and Ghostty say who they are), then, when that does not settle it, the
terminal itself with one short exchange: kitty's graphics query, the cell size (CSI 16 t) and
Primary Device Attributes, which every terminal answers, so the wait ends with its answer
rather than a timeout. A DA1 that lists attribute 4 means Sixel.

Inside tmux or screen the answer is half blocks: an image passed through to the outer terminal
would not move, scroll or clear with the pane, and tmux drops it unless allow-passthrough is on.
So are the Linux console, a dumb terminal and anything that is not a terminal.
"""

from __future__ import annotations

import os
import re
import select
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass

MODES = ("auto", "kitty", "sixel", "iterm", "blocks")
#: What a cell is assumed to be when the terminal does not say (a common 10 pt font).
DEFAULT_CELL = (10, 20)
QUERY_TIMEOUT = 0.4  # seconds: a terminal across an ocean still answers DA1 within it

_KITTY_QUERY = b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
_CELL_QUERY = b"\x1b[16t"
_DA1_QUERY = b"\x1b[c"
_DA1 = re.compile(rb"\x1b\[\?([0-9;]*)c")
_KITTY_OK = re.compile(rb"\x1b_Gi=31;OK\x1b\\")
_CELL = re.compile(rb"\x1b\[6;(\d+);(\d+)t")

LABELS = {"kitty": "kitty graphics", "sixel": "Sixel", "iterm": "iTerm2 images", "blocks": "half blocks"}


@dataclass(frozen=True)
class Graphics:
    """How the console view draws: ``mode`` (kitty, sixel, iterm or blocks), a cell's
    ``cell`` size in pixels (width, height), and ``reason``: why this mode."""

    mode: str = "blocks"
    cell: tuple[int, int] = DEFAULT_CELL
    reason: str = "the default"

    @property
    def pixels(self) -> bool:
        return self.mode != "blocks"

    @property
    def label(self) -> str:
        return LABELS[self.mode]


def multiplexed(env: Mapping[str, str]) -> bool:
    """Inside tmux or GNU screen, whatever terminal is outside."""
    term = env.get("TERM", "")
    return bool(env.get("TMUX") or env.get("STY")) or term.startswith(("tmux", "screen"))


def from_environment(env: Mapping[str, str]) -> tuple[str, str] | None:
    """The mode the environment settles, with why; None when only asking the terminal can tell."""
    term = env.get("TERM", "")
    program = env.get("TERM_PROGRAM", "")
    if multiplexed(env):
        return "blocks", "inside tmux or screen"
    if term in ("", "dumb", "linux") or term.startswith("vt"):
        return "blocks", f"TERM={term or '(unset)'}"
    if term == "xterm-kitty" or env.get("KITTY_WINDOW_ID"):
        return "kitty", "kitty"
    if program == "ghostty" or term == "xterm-ghostty":
        return "kitty", "Ghostty"
    if program in ("iTerm.app", "WezTerm") or env.get("LC_TERMINAL") == "iTerm2":
        return "iterm", program or "iTerm2"
    return None


def parse_answers(data: bytes) -> tuple[str | None, tuple[int, int] | None]:
    """From what the terminal answered: the protocol it offers (or None) and its cell size."""
    cell = None
    if match := _CELL.search(data):
        height, width = int(match.group(1)), int(match.group(2))
        cell = (width, height) if width and height else None
    if _KITTY_OK.search(data):
        return "kitty", cell
    if (match := _DA1.search(data)) and "4" in match.group(1).decode().split(";"):
        return "sixel", cell
    return None, cell


def ask_terminal(fd_in: int, fd_out: int, timeout: float = QUERY_TIMEOUT) -> bytes:
    """Send the queries and read until the DA1 answer (or ``timeout``), the terminal in cbreak
    mode without echo so that no answer shows; its modes are restored whatever happens."""
    import termios
    import tty

    saved = termios.tcgetattr(fd_in)
    answer = b""
    try:
        tty.setcbreak(fd_in, termios.TCSANOW)
        os.write(fd_out, _KITTY_QUERY + _CELL_QUERY + _DA1_QUERY)
        deadline = time.monotonic() + timeout
        while not _DA1.search(answer):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd_in], [], [], left)[0]:
                break
            chunk = os.read(fd_in, 1024)
            if not chunk:
                break
            answer += chunk
    finally:
        termios.tcsetattr(fd_in, termios.TCSANOW, saved)
    return answer


def window_cell(fd: int) -> tuple[int, int] | None:
    """The cell size from the kernel's window size (TIOCGWINSZ), when the terminal fills in pixels."""
    try:
        import fcntl
        import termios

        packed = fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
    except (ImportError, OSError):
        return None
    rows, columns, width, height = struct.unpack("HHHH", packed)
    if not (rows and columns and width and height):
        return None
    return width // columns, height // rows


def detect(requested: str, env: Mapping[str, str], fd_in: int | None, fd_out: int | None) -> Graphics:
    """The mode to draw with: ``requested`` unless it is ``auto``; then the environment's, then
    the terminal's answer; half blocks when nothing says pixels work. ``fd_in``/``fd_out``
    are the terminal (None: not a terminal, nothing is asked)."""
    is_tty = fd_in is not None and fd_out is not None and os.isatty(fd_in) and os.isatty(fd_out)
    cell = window_cell(fd_out) if is_tty and fd_out is not None else None
    if requested != "auto":
        return Graphics(requested, cell or DEFAULT_CELL, "--graphics")
    if not is_tty or fd_in is None or fd_out is None:
        return Graphics(reason="not a terminal")
    settled = from_environment(env)
    if settled is not None and (settled[0] == "blocks" or cell is not None):
        return Graphics(settled[0], cell or DEFAULT_CELL, settled[1])
    mode, answered_cell = parse_answers(ask_terminal(fd_in, fd_out))
    cell = cell or answered_cell or DEFAULT_CELL
    if settled is not None:
        return Graphics(settled[0], cell, settled[1])
    if mode is None:
        return Graphics("blocks", cell, "the terminal offers no image protocol")
    return Graphics(mode, cell, "the terminal's answer")


def forced_graphics(requested: str) -> Graphics:
    """The mode an app starts with before the terminal is asked (tests and snapshots stay here):
    what ``--graphics`` forces, else half blocks."""
    if requested == "auto":
        return Graphics()
    return Graphics(requested, DEFAULT_CELL, "--graphics")


def terminal_graphics(requested: str) -> Graphics:
    """:func:`detect` on this process's terminal (stdin and stdout), its environment."""
    import sys

    def fd(stream: object) -> int | None:
        try:
            return stream.fileno()  # type: ignore[attr-defined, no-any-return]
        except (AttributeError, OSError, ValueError):
            return None

    return detect(requested, os.environ, fd(sys.__stdin__), fd(sys.__stdout__))
