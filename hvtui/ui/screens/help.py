"""``?``: every key of the screen it was opened from, read from the bindings themselves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "space": "space",
    "escape": "esc",
    "delete": "del",
    "enter": "enter",
    "pageup": "pgup",
    "pagedown": "pgdn",
}


def key_text(binding: Binding) -> str:
    """ "s", "ctrl+r", "up / k": how a person types the binding's keys."""
    if binding.key_display:
        return binding.key_display
    keys = [k.strip() for k in binding.key.split(",")]
    return " / ".join(_KEY_NAMES.get(k, k) for k in keys)


@dataclass(frozen=True)
class HelpEntry:
    keys: str
    description: str
    enabled: bool = True


def entries_from(bindings: Iterable[Binding], *, disabled: set[str] = frozenset()) -> list[HelpEntry]:  # type: ignore[assignment]
    seen: set[str] = set()
    entries = []
    for binding in bindings:
        if not binding.description or binding.action in seen:
            continue
        seen.add(binding.action)
        entries.append(HelpEntry(key_text(binding), binding.description, binding.action not in disabled))
    return entries


def render_section(title: str, entries: Sequence[HelpEntry]) -> Content:
    width = max((len(e.keys) for e in entries), default=4) + 2
    lines = [Content.assemble((title, "bold $text-accent"))]
    for entry in entries:
        style = "" if entry.enabled else "$text-disabled"
        suffix = "" if entry.enabled else "  (read-only)"
        lines.append(
            Content.assemble(
                "  ",
                (entry.keys.ljust(width), "bold" if entry.enabled else style),
                (entry.description + suffix, style),
            )
        )
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "dismiss_help", "Close")]

    def __init__(self, sections: Sequence[tuple[str, Sequence[HelpEntry]]], note: str = "") -> None:
        super().__init__(classes="dialog")
        self.sections = sections
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog-box"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                for title, entries in self.sections:
                    if entries:
                        yield Static(render_section(title, entries), classes="help-section")
                if self.note:
                    yield Static(self.note, classes="muted", markup=False)
            yield Static("esc closes · ctrl+p opens the command palette", classes="muted")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
