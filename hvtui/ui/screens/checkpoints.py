"""``S`` on a VM: its checkpoints as Hyper-V Manager shows them (a tree with "Now"), and their keys.

The screen only shows and asks; what the keys do (confirming, sending, following the job,
reporting) is the :class:`CheckpointHandler`'s, a flow the app passes in, so the screen
imports no flow and no app.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from hvtui.hyperv.checkpoints import Checkpoint, CheckpointTree
from hvtui.present.checkpoints import TreeLine, tree_lines

_CHANGES = ("create", "apply", "delete", "delete_subtree", "rename")
_NEED_CHECKPOINT = ("apply", "delete", "delete_subtree", "rename")


class CheckpointHandler(Protocol):
    def reload(self, screen: CheckpointsScreen) -> None: ...

    def create(self, screen: CheckpointsScreen) -> None: ...

    def apply(self, screen: CheckpointsScreen, checkpoint: Checkpoint) -> None: ...

    def delete(self, screen: CheckpointsScreen, checkpoint: Checkpoint, *, subtree: bool) -> None: ...

    def rename(self, screen: CheckpointsScreen, checkpoint: Checkpoint) -> None: ...


def line_text(line: TreeLine, width: int) -> Content:
    """One row: the drawn tree and name, then created and type in columns; "Now" stands out."""
    label = line.label.lstrip(" ")
    # Leading blanks that are not whitespace: SVG screenshots drop a line's leading spaces.
    label = "\u2800" * (len(line.label) - len(label)) + label
    if line.checkpoint is None:
        return Content.styled(label, "bold $text-accent")
    text = f"{label:<{width}}  {line.created:<16}  {line.kind}"
    return Content.styled(text, "bold") if line.current else Content(text)


class CheckpointsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        Binding("question_mark", "app.help", "Help", id="help"),
        Binding(
            "c", "create", "New", id="checkpoint.create", tooltip="a new checkpoint of the VM as it is now"
        ),
        Binding("a", "apply", "Apply", id="checkpoint.apply"),
        Binding("d", "delete", "Delete", id="checkpoint.delete"),
        Binding("D", "delete_subtree", "Delete subtree", id="checkpoint.delete-subtree"),
        Binding("n", "rename", "Rename", id="checkpoint.rename"),
        Binding("g", "reload", "Reload", show=False, id="checkpoint.reload"),
    ]

    def __init__(self, key: str, title: str, handler: CheckpointHandler, *, read_only: bool) -> None:
        super().__init__()
        self.key = key  # the VM's row key
        self.title_text = title  # "Checkpoints of web-01 on hv01"
        self.handler = handler
        self.read_only = read_only
        self.checkpoints: CheckpointTree | None = None
        self.busy: str | None = None  # "Applying checkpoint 40%" while an action of ours runs

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with Vertical(id="checkpoints"):
            yield OptionList(id="checkpoint-tree", compact=True)
            yield Static("Reading the checkpoints…", id="checkpoint-note", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#checkpoints").border_title = Content(self.title_text)
        self.query_one(OptionList).focus()
        self.handler.reload(self)

    @property
    def selected(self) -> Checkpoint | None:
        tree, options = self.checkpoints, self.query_one(OptionList)
        if tree is None or options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return tree.by_id(option_id) if option_id else None

    def show_tree(self, tree: CheckpointTree) -> None:
        """Draw a fresh read, keeping the highlight on the same checkpoint (or on Now)."""
        options = self.query_one(OptionList)
        keep = self.selected.id if self.selected else None
        self.checkpoints = tree
        lines = tree_lines(tree)
        width = max((len(line.label) for line in lines), default=0)
        options.clear_options()
        options.add_options(
            [
                Option(line_text(line, width), id=line.checkpoint.id if line.checkpoint else "now")
                for line in lines
            ]
        )
        wanted = keep or "now"
        index = next(
            (
                i
                for i, line in enumerate(lines)
                if (line.checkpoint.id if line.checkpoint else "now") == wanted
            ),
            None,
        )
        options.highlighted = index if index is not None else (len(lines) - 1 if lines else None)
        self._note()
        self.refresh_bindings()

    def show_error(self, message: str) -> None:
        self.query_one("#checkpoint-note", Static).update(message)

    def set_busy(self, text: str | None) -> None:
        self.busy = text
        self._note()

    def _note(self) -> None:
        tree = self.checkpoints
        if self.busy:
            text = self.busy
        elif tree is None:
            text = "Reading the checkpoints…"
        elif not tree.checkpoints:
            text = f"{tree.vm.name} has no checkpoints yet: c makes one."
        else:
            count = len(tree.checkpoints)
            text = f"{count} checkpoint{'s' if count != 1 else ''} · ▸ Now is where the VM runs from"
        if self.read_only:
            text += " · read-only"
        self.query_one("#checkpoint-note", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _CHANGES:
            if action in _NEED_CHECKPOINT and self.selected is None:
                return False
            return None if self.read_only or self.busy else True
        return True

    def on_option_list_option_highlighted(self) -> None:
        self.refresh_bindings()

    def action_reload(self) -> None:
        self.handler.reload(self)

    def action_create(self) -> None:
        self.handler.create(self)

    def action_apply(self) -> None:
        if self.selected is not None:
            self.handler.apply(self, self.selected)

    def action_delete(self) -> None:
        if self.selected is not None:
            self.handler.delete(self, self.selected, subtree=False)

    def action_delete_subtree(self) -> None:
        if self.selected is not None:
            self.handler.delete(self, self.selected, subtree=True)

    def action_rename(self) -> None:
        if self.selected is not None:
            self.handler.rename(self, self.selected)
