"""What ``?`` shows: the keys of the screen it was opened from, read from the bindings themselves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.binding import Binding, BindingType
from textual.screen import Screen

from hvtui.ui.rows import SEARCH_FIELDS
from hvtui.ui.screens.changes import MAIN_CHANGE_BINDINGS, VM_CHANGE_BINDINGS, is_change
from hvtui.ui.screens.help import HelpEntry, HelpScreen, entries_from
from hvtui.ui.screens.main import MainScreen
from hvtui.ui.screens.verbs import VERB_BINDINGS, VerbScreen
from hvtui.ui.widgets.vm_table import VMTable

MOUSE = "Mouse: click a row to select it, click a header to sort, double-click for details."


def filter_syntax() -> str:
    """What ``/`` matches, from the fields the filter really looks in."""
    fields = [name for name, _ in SEARCH_FIELDS]
    where = ", ".join(fields[:-1]) + " or " + fields[-1]
    return (
        f"Filter (/): words, all of which must appear (any case) in the {where}; "
        "~ starts a regular expression instead (~^web-0[1-3]$); a leading ! shows what does not "
        "match; esc clears. Marks stay on VMs the filter hides; the title counts them, and an "
        "action on them asks first."
    )


def help_screen(screen: Screen[Any], app_bindings: Iterable[BindingType], *, read_only: bool) -> HelpScreen:
    """The help for ``screen``: its verbs (greyed out when read-only), its other keys, the app's."""
    disabled: set[str] = set()
    if read_only:
        disabled = {b.action for b in (*VERB_BINDINGS, *MAIN_CHANGE_BINDINGS, *VM_CHANGE_BINDINGS)}
    sections: list[tuple[str, list[HelpEntry]]] = []
    if isinstance(screen, VerbScreen):
        bindings = list(type(screen).BINDINGS)
        verbs = [b for b in bindings if isinstance(b, Binding) and b.action.startswith("verb(")]
        others = [b for b in bindings if isinstance(b, Binding) and not b.action.startswith("verb(")]
        changes = [b for b in others if is_change(b.action)]
        others = [b for b in others if not is_change(b.action)]
        sections.append(
            (
                "Actions on the VM under the cursor, or on every marked VM",
                entries_from(verbs, disabled=disabled),
            )
        )
        if changes:
            sections.append(
                (
                    "Creating, changing and deleting (the VM under the cursor)",
                    entries_from(changes, disabled=disabled),
                )
            )
        if isinstance(screen, MainScreen):
            table = [b for b in VMTable.BINDINGS if isinstance(b, Binding)]
            sections.append(("Moving around", entries_from(table)))
        sections.append(("This screen", entries_from(others)))
    everywhere = [b for b in app_bindings if isinstance(b, Binding)]
    everywhere = [b for b in everywhere if b.action not in ("help", "command_palette")] + [
        Binding("tab", "focus_next", "Next pane"),
        Binding("ctrl+p", "command_palette", "Command palette: hosts, VMs, verbs"),
        Binding("question_mark", "help", "This help"),
    ]
    sections.append(("Everywhere", entries_from(everywhere)))
    note = MOUSE
    if isinstance(screen, MainScreen):
        note = filter_syntax() + "\n\n" + note
    if read_only:
        note = "Read-only mode: the actions are disabled. " + note
    return HelpScreen(sections, note)
