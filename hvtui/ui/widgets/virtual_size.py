"""Growing or shrinking a scrolling widget's content without laying the whole screen out again.

Textual treats every change of a widget's virtual size as a change of layout: the screen is
arranged again and drawn whole. For the VM table and the hosts pane, whose own size the
layout fixes, only their scrollbars follow the content; while no scrollbar appears or goes,
nothing else on screen moves. A fleet's start changes both with every batch of hosts.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget


def set_virtual_size(widget: Widget, size: Size) -> None:
    """Give ``widget`` a new virtual size; the screen is laid out again only when a scrollbar
    appears or goes (Textual's reactive does that then), else ``widget`` alone is redrawn."""
    if size == widget.virtual_size:
        return
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)  # scrollbars: shown or hidden (a layout), their thumb
    widget.refresh()
