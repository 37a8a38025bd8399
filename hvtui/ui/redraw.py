"""What sums over every host, redrawn at most a few times a second in a fleet.

Each refresh of a host changes its rows and its entry in the hosts pane, but also what
counts every host: the All hosts totals, the subtitle, the footer's keys, the VM table's
size and order. With a few hosts that is redrawn at once; with a thousand, each of their
refreshes redrawing it kept the UI thread (and so, through the interpreter's lock, the
refresh thread) busy. Here those are gathered and redrawn together every REDRAW_EVERY, or
at once after a batch of the feed's results (:class:`~hvtui.ui.messages.Arrivals`): the hosts
pane's entries, the table, the totals, and the word to observers that the state changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hvtui.ui.tablemodel import Change

if TYPE_CHECKING:
    from textual.timer import Timer

    from hvtui.ui.flows.context import FlowContext

FEW_HOSTS = 16  # up to these many hosts, everything is redrawn at once, as it always was
REDRAW_EVERY = 0.2


class Redraw:
    """Gathers the table's changes and the totals of a fleet's refreshes (UI thread only)."""

    def __init__(self, app: FlowContext) -> None:
        self.app = app
        self._change: Change | None = Change()  # None: redraw the whole table
        self._hosts: set[str] = set()  # hosts whose entries changed
        self._timer: Timer | None = None  # the pending redraw's timer, if one is due

    @property
    def gathering(self) -> bool:
        return len(self.app.hosts) > FEW_HOSTS

    def rows(self, change: Change | None) -> None:
        """The table's rows changed as ``change`` says (None: anything may have)."""
        if not self.gathering:
            main = self.app.main
            if main is not None:
                main.rows_changed(change)
            return
        if change is None or self._change is None:
            self._change = None
        else:
            self._change.order_changed |= change.order_changed
            self._change.widths_changed |= change.widths_changed
            self._change.dirty |= change.dirty
        self._soon()

    def host(self, key: str) -> None:
        """A host's status or counts changed: its entry follows (and, with a few hosts, the totals)."""
        if not self.gathering:
            main = self.app.main
            if main is not None:
                main.host_changed(key)
            return
        self._hosts.add(key)
        self._soon()

    def changed(self) -> None:
        """Tell observers (``state_changed``) the state changed: now, or with the next redraw."""
        if not self.gathering:
            self.app.state_changed.publish(None)
            return
        self._soon()

    def totals(self) -> None:
        """A host's counts or status changed: the subtitle, All hosts and the footer follow."""
        if not self.gathering:
            self.app.update_subtitle()
            return
        self._soon()

    def _soon(self) -> None:
        if self._timer is None:
            self._timer = self.app.set_timer(REDRAW_EVERY, self._flush)

    def flush(self) -> None:
        """Redraw what was gathered now (a batch of results was just taken in)."""
        if self._timer is not None:
            self._timer.stop()
            self._flush()

    def _flush(self) -> None:
        self._timer = None
        change, self._change = self._change, Change()
        hosts, self._hosts = self._hosts, set()
        app = self.app
        main = app.main
        if main is not None:
            if change is None or change.anything:
                main.rows_changed(change)
            main.hosts_updated(hosts)
            main.totals_changed()
        app.update_subtitle()
        app.state_changed.publish(None)
