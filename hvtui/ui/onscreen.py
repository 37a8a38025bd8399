"""Which hosts the person can see: those refresh every interval, the rest less often.

A fleet of a thousand hosts refreshed every 2 s would keep the jump host's cores busy with
hosts nobody looks at. On screen are the hosts in the hosts pane's window, the hosts of the
VMs in the table's window, the selected host and the host of the VM under the cursor; the
scheduler also counts a host with an action in flight. A few times a second the main screen
is looked at, and the scheduler told when that set changes; the hosts pane then says how often
the rest refresh. With every host on screen (a few hosts) nothing changes: no set, no line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hvtui.ui.scheduler import off_screen_interval

if TYPE_CHECKING:
    from hvtui.ui.flows.context import FlowContext

LOOK_EVERY = 0.25  # seconds between looks at the screen: a scrolled-to host refreshes this soon


def cadence_text(on_screen: int, interval: float, off_screen: int) -> str:
    """ "24 on screen every 2 s, the rest every 30 s": what the hosts pane says."""
    rest = off_screen_interval(interval, off_screen)
    return f"{on_screen:,} on screen every {interval:g} s, the rest every {rest:.0f} s"


class OnScreen:
    """Follows what the main screen shows and tells the scheduler (UI thread only)."""

    def __init__(self, app: FlowContext) -> None:
        self.app = app
        self.focused: frozenset[str] | None = None  # None: every host is on screen

    def look(self) -> None:
        app = self.app
        main = app.main
        if main is None or not main.is_current:
            return  # another screen covers it: keep what it showed last
        keys = main.hosts_pane.visible_keys() | main.table.visible_hosts()
        model = app.model
        cursor = model.cursor_row
        keys |= {key for key in (model.scope, cursor.host if cursor else None) if key is not None}
        hosts = app.hosts
        focused = None if all(key in keys for key in hosts) else frozenset(k for k in keys if k in hosts)
        if focused == self.focused:
            return
        self.focused = focused
        app.scheduler.set_focus(focused)
        cadence = None
        if focused is not None:
            cadence = cadence_text(len(focused), app.scheduler.interval, len(hosts) - len(focused))
        main.hosts_pane.set_cadence(cadence)
        app.state_changed.publish(None)
