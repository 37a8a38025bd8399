"""Textual's Header, whose title line is redrawn in place when the subtitle changes.

The subtitle counts running VMs; in a fleet it changes with nearly every batch of refreshes,
and Textual's title lays the whole screen out again at each change (then draws it whole),
although the header's line keeps its size whatever it says.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.visual import VisualType
from textual.widgets import Header
from textual.widgets._header import HeaderClock, HeaderClockSpace, HeaderIcon, HeaderTitle


class _Title(HeaderTitle):
    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(content, layout=False)  # one line, the header's width: its size never changes


class TitleBar(Header):
    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield _Title()
        yield HeaderClock().data_bind(Header.time_format) if self._show_clock else HeaderClockSpace()
