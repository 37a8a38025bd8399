"""The faults every layer is proved against, and what each must end in.

One table for the domain, CLI and TUI tests, so the three agree on what "the right error"
is. ``rule`` is a simulator fault rule (``op=`` is added by each test); faults without one
are driven by the test itself (a password changed on the host, a restart, a host that goes
down). ``refresh`` and ``action`` are the :class:`Problem` a refresh and an action end in
while the fault lasts -- None when they get through it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hvtui.hyperv.actions import Verb
from hvtui.hyperv.errors import Problem
from hvtui.sim.injection import WINRM_FAULT_CODES


@dataclass(frozen=True)
class Fault:
    name: str
    rule: str | None
    refresh: Problem | None
    action: Problem | None
    #: The host may have run the request before the fault (so an action's error must say so).
    after_processing: bool = False
    #: Costs a timeout or a delay per attempt: tried on one verb per method, not on every verb.
    slow: bool = False

    def __str__(self) -> str:
        return self.name


FAULTS: tuple[Fault, ...] = (
    Fault("latency-spike", "latency:ms=300:jitter_ms=100:count=4", None, None, slow=True),
    Fault("latency-past-timeout", "latency:ms=5000", Problem.HOST, Problem.HOST, slow=True),
    Fault("reset", "reset", Problem.UNREACHABLE, Problem.UNREACHABLE),
    Fault("reset-mid-reply", "reset:at=mid", Problem.UNREACHABLE, Problem.UNREACHABLE, True),
    Fault("read-timeout", "no-answer", Problem.UNREACHABLE, Problem.UNREACHABLE, slow=True),
    Fault("http-500", "http500", Problem.PROTOCOL, Problem.PROTOCOL),
    Fault("http-503", "http503", Problem.UNREACHABLE, Problem.UNREACHABLE),
    *(Fault(f"winrm-{code}", f"fault:code={code}", Problem.HOST, Problem.HOST) for code in WINRM_FAULT_CODES),
    Fault("truncated", "truncate", Problem.UNREACHABLE, Problem.UNREACHABLE, True),
    Fault("malformed-xml", "malformed", Problem.PROTOCOL, Problem.PROTOCOL, True),
    Fault("connection-refused", None, Problem.UNREACHABLE, Problem.UNREACHABLE),
    Fault("password-changed", None, Problem.AUTH, Problem.AUTH),
    Fault("host-restart", None, None, None),
)
#: Only a refresh enumerates, so only a refresh meets an expired enumeration context.
EXPIRED_CONTEXT = Fault("expired-context", "expire-contexts:op=Pull", Problem.HOST, None)

BY_NAME = {fault.name: fault for fault in (*FAULTS, EXPIRED_CONTEXT)}

#: The state each verb is tried from, and the request that carries it.
FROM_STATE = {
    Verb.START: "off",
    Verb.SHUTDOWN: "running",
    Verb.TURN_OFF: "running",
    Verb.RESET: "running",
    Verb.REBOOT: "running",
    Verb.PAUSE: "running",
    Verb.RESUME: "paused",
    Verb.SAVE: "running",
    Verb.DISCARD_SAVE: "saved",
}


#: One verb per WMI method: what the slow faults are tried on.
ONE_VERB_PER_METHOD = (Verb.START, Verb.SHUTDOWN)


def action_cases() -> list[tuple[Verb, Fault]]:
    """Every fault on every verb, but slow faults on one verb per method only."""
    return [
        (verb, fault) for fault in FAULTS for verb in Verb if not fault.slow or verb in ONE_VERB_PER_METHOD
    ]


def method_of(verb: Verb) -> str:
    return "InitiateShutdown" if verb is Verb.SHUTDOWN else "RequestStateChange"


def scenario_vms() -> list[tuple[str, str]]:
    """One VM per verb, named after it, in a state it may be asked from; two spares running."""
    return [(verb.value, state) for verb, state in FROM_STATE.items()] + [
        ("spare-1", "running"),
        ("spare-2", "off"),
    ]
