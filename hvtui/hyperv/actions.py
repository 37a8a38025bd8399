"""The power verbs: what each one asks of Hyper-V, and from which states it may be asked.

One table serves the CLI, the TUI and the domain facade, so a verb means the same thing
everywhere. Preconditions follow libvirt's driver (checked on a fresh read of the VM) and go
beyond it where administrators need it (turning off a VM stuck in "stopping"); the host's
own answer (32775, "invalid state for this operation") is honoured regardless.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from hvtui.hyperv.states import SAVED_LIKE, PowerState, VMState


class Verb(Enum):
    START = "start"
    SHUTDOWN = "shutdown"
    TURN_OFF = "off"
    RESET = "reset"
    REBOOT = "reboot"
    PAUSE = "pause"
    RESUME = "resume"
    SAVE = "save"
    DISCARD_SAVE = "discard-save"


@dataclass(frozen=True)
class VerbSpec:
    verb: Verb
    title: str  # "Turn off" — for menus and confirmations
    progressive: str  # "Turning off" — for the status cell while the job runs
    done: str  # "turned off" — for notifications
    allowed_from: frozenset[VMState]
    requested_state: int | None  # RequestStateChange value; None for the shutdown component
    destructive: bool  # asks for confirmation in the TUI
    note: str = ""
    refusal: str = ""  # why it is refused, completed with the VM's name

    def check(self, name: str, power: PowerState) -> str | None:
        """None when the verb may be asked now, else a one-line reason naming the VM."""
        if power.state in self.allowed_from:
            return None
        return f"{name} {self.refusal} (it is {power.label})"


_RUNNING = frozenset({VMState.RUNNING})

VERBS: dict[Verb, VerbSpec] = {
    spec.verb: spec
    for spec in (
        VerbSpec(
            Verb.START,
            "Start",
            "Starting",
            "started",
            frozenset({VMState.OFF}) | SAVED_LIKE,
            2,
            destructive=False,
            note="also restores a saved VM",
            refusal="is not off or saved",
        ),
        VerbSpec(
            Verb.SHUTDOWN,
            "Shut down",
            "Shutting down",
            "shut down",
            _RUNNING,
            None,
            destructive=False,
            note="asks the guest OS to shut down (needs the shutdown integration service)",
            refusal="is not running",
        ),
        VerbSpec(
            Verb.TURN_OFF,
            "Turn off",
            "Turning off",
            "turned off",
            frozenset({VMState.RUNNING, VMState.PAUSED, VMState.STOPPING}),
            3,
            destructive=True,
            note="cuts the power: unsaved guest data is lost",
            refusal="is not running",
        ),
        VerbSpec(
            Verb.RESET,
            "Reset",
            "Resetting",
            "reset",
            _RUNNING,
            11,
            destructive=True,
            note="hard reset, like pressing the reset button",
            refusal="is not running",
        ),
        VerbSpec(
            Verb.REBOOT,
            "Reboot",
            "Rebooting",
            "rebooted",
            _RUNNING,
            10,
            destructive=True,
            note="a hard reset, as libvirt's reboot: the guest is not asked",
            refusal="is not running",
        ),
        VerbSpec(
            Verb.PAUSE,
            "Pause",
            "Pausing",
            "paused",
            _RUNNING,
            9,
            destructive=False,
            refusal="is not running",
        ),
        VerbSpec(
            Verb.RESUME,
            "Resume",
            "Resuming",
            "resumed",
            frozenset({VMState.PAUSED}),
            2,
            destructive=False,
            refusal="is not paused",
        ),
        VerbSpec(
            Verb.SAVE,
            "Save",
            "Saving",
            "saved",
            frozenset({VMState.RUNNING, VMState.PAUSED}),
            6,
            destructive=False,
            note="saves memory to disk and stops the VM",
            refusal="is not running",
        ),
        VerbSpec(
            Verb.DISCARD_SAVE,
            "Delete saved state",
            "Deleting saved state",
            "saved state deleted",
            SAVED_LIKE,
            3,
            destructive=True,
            note="discards the saved memory: the VM boots fresh next time",
            refusal="has no saved state",
        ),
    )
}


def spec_for(verb: Verb | str) -> VerbSpec:
    """The spec of a verb, by enum or by its CLI spelling ("off", "discard-save" ...)."""
    return VERBS[verb if isinstance(verb, Verb) else Verb(verb)]
