"""The power-verb keys, shared by the main screen (cursor or marks) and the VM detail screen.

The footer shows a verb only when it applies to what it would act on, so it lists "the keys
that apply now". A verb key pressed when it does not apply says why, rather than doing
nothing. In read-only mode the applicable verbs stay visible but greyed out.
"""

from __future__ import annotations

from typing import cast

from textual import events
from textual.binding import Binding
from textual.screen import Screen

from hvtui.hyperv.actions import VERBS, Verb
from hvtui.ui.facade import AppFacade
from hvtui.ui.rows import Row

VERB_KEYS: dict[Verb, str] = {
    Verb.START: "s",
    Verb.SHUTDOWN: "d",
    Verb.TURN_OFF: "T",
    Verb.SAVE: "v",
    Verb.PAUSE: "z",
    Verb.RESUME: "r",
    Verb.RESET: "R",
    Verb.DISCARD_SAVE: "X",
}
_SHORT = {Verb.DISCARD_SAVE: "Delete saved"}
VERB_BY_KEY: dict[str, Verb] = {key: verb for verb, key in VERB_KEYS.items()}

VERB_BINDINGS = [
    Binding(
        key,
        f"verb('{verb.value}')",
        _SHORT.get(verb, VERBS[verb].title),
        id=f"verb.{verb.value}",
        tooltip=VERBS[verb].note,
    )
    for verb, key in VERB_KEYS.items()
]


def applicable(verb: Verb, rows: list[Row]) -> list[Row]:
    spec = VERBS[verb]
    return [row for row in rows if spec.check(row.vm.name, row.vm.power) is None]


class VerbScreen(Screen[None]):
    """A screen whose verb keys act on :meth:`verb_targets`: the main screen and the VM screen.

    One place decides which verbs apply, what the footer shows and what a key that does not
    apply says, so the two screens cannot disagree about it.
    """

    _footer_signature: tuple[object, ...] | None = None

    @property
    def hvtui(self) -> AppFacade:
        return cast(AppFacade, self.app)

    def verb_targets(self) -> list[Row]:
        raise NotImplementedError

    def footer_signature(self) -> tuple[object, ...]:
        """What the footer's keys depend on: which verbs apply now.

        The footer is redrawn only when this changes: a redraw lays the screen out again (tens
        of ms with a big table), and Textual's Footer (8.2) keeps the keys it drew before alive
        through their data bindings (megabytes a minute when redrawn at every status report).
        """
        targets = self.verb_targets()
        return tuple(bool(applicable(verb, targets)) for verb in VERB_KEYS)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "verb":
            verb = Verb(str(parameters[0]))
            if not applicable(verb, self.verb_targets()):
                return False
            return None if self.hvtui.read_only else True
        return True

    def action_verb(self, name: str) -> None:
        self.hvtui.request_verb(Verb(name), self.verb_targets())

    def on_key(self, event: events.Key) -> None:
        """A verb key whose binding is hidden or greyed out: say why instead of doing nothing.

        Key events reach the screen before the app looks up bindings, so a verb that applies
        is left alone here and runs through its binding.
        """
        verb = VERB_BY_KEY.get(event.key)
        if verb is None or self.check_action("verb", (verb.value,)) is True:
            return
        event.stop()
        self.hvtui.request_verb(verb, self.verb_targets())

    def refresh_footer(self) -> None:
        signature = self.footer_signature()
        if signature != self._footer_signature:
            self._footer_signature = signature
            self.refresh_bindings()
