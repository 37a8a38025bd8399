"""A VM's Status cell while a change of ours runs on it ("Saving 35%", "Changing settings…"):
the one place that writes it, for the verbs and the changes alike, on every screen that shows it."""

from __future__ import annotations

from hvtui.ui.flows.context import FlowContext
from hvtui.ui.screens.vm_detail import VMDetailScreen


def show_job(app: FlowContext, key: str, text: str | None) -> None:
    """Show ``text`` in the VM's Status cell (None: its state again) and on its open VM screen."""
    app.model.set_job(key, text)
    main = app.main
    if main is not None:
        main.job_changed(key)
    screen = app.top
    if isinstance(screen, VMDetailScreen) and screen.key == key:
        screen.update_vm()
