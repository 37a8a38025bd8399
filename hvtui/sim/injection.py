"""Fault injection rules: ``--faults SPEC`` and ``host.faults.add(SPEC)`` share this grammar.

    SPEC  := RULE ("," RULE)*
    RULE  := KIND (":" KEY "=" VALUE)*

Kinds and their own keys:
    latency          ms=N jitter_ms=N        delay the reply: the host's own slowness, which it cuts
                     where=host|network      off at the request's OperationTimeout with w:TimedOut;
                                             where=network is the network's, which nothing cuts off
    reset            at=start|mid            close the connection before replying, or halfway
                                             through the reply
    no-answer                                never reply (the connection stays open)
    http500                                  a plain, non-SOAP HTTP 500
    http503                                  HTTP 503 Service Unavailable
    fault            code=NAME               a WinRM SOAP fault: TimedOut, InvalidSelectors, AccessDenied,
                                             InternalError, QuotaLimit, CannotProcessFilter,
                                             InvalidEnumerationContext, NotFound
    truncate                                 Content-Length promises more than is sent, then close
    malformed                                a 200 whose body is not well-formed XML
    drip             bytes_per_s=N           send the reply slowly
    expire-contexts                          drop every enumeration context (the next Pull fails)
    password-change  after_s=S | after=N     the password changes (401 from then on); to=NEW sets it;
                                             after=N counts HTTP requests: the first N are served
    restart          after_s=S | every_s=S | after=N
                                             the host restarts: all state back to start, connections cut
    slow-jobs        factor=F                jobs and transitions take F times longer
    fail-jobs        p=P                     each new job fails with probability P (JobState 10)
Common keys (all kinds but slow-jobs/fail-jobs):
    op=NAME[|NAME]   Identify, Enumerate, Pull, Release, Get, Invoke, Invoke:<Method>, or * (default)
    p=P              probability that a matching request is hit (default 1)
    count=N          hit only the first N matching requests
    after=N          skip the first N matching requests
Decisions use a random generator seeded from --seed and the host name: runs are reproducible.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from hvtui.sim.sim_options import OptionsError

KINDS: dict[str, set[str]] = {
    "latency": {"ms", "jitter_ms", "where"},
    "reset": {"at"},
    "no-answer": set(),
    "http500": set(),
    "http503": set(),
    "fault": {"code"},
    "truncate": set(),
    "malformed": set(),
    "drip": {"bytes_per_s"},
    "expire-contexts": set(),
    "password-change": {"after_s", "to"},
    "restart": {"after_s", "every_s"},
    "slow-jobs": {"factor"},
    "fail-jobs": set(),
}
COMMON = {"op", "p", "count", "after"}
STATE_KINDS = {"slow-jobs", "fail-jobs"}
#: The WinRM faults ``fault:code=NAME`` sends, as Windows spells them (the rule takes any case).
WINRM_FAULT_CODES = (
    "TimedOut",
    "InvalidSelectors",
    "AccessDenied",
    "InternalError",
    "QuotaLimit",
    "CannotProcessFilter",
    "InvalidEnumerationContext",
    "NotFound",
)
FAULT_CODES = {code.lower() for code in WINRM_FAULT_CODES}
TERMINAL = ("reset", "no-answer", "http500", "http503", "fault", "truncate", "malformed", "drip")


class FaultSpecError(OptionsError):
    """A bad --faults spec; the message names the rule and what to write instead."""


@dataclass
class Rule:
    kind: str
    params: dict[str, str]
    ops: tuple[str, ...] = ("*",)
    p: float = 1.0
    count: int | None = None
    after: int = 0
    seen: int = 0
    hits: int = 0
    fired_at: float | None = None

    def matches_op(self, op: str) -> bool:
        for want in self.ops:
            w = want.lower()
            o = op.lower()
            if w in ("*", o) or (w == "invoke" and o.startswith("invoke:")):
                return True
        return False

    def num(self, key: str, default: float) -> float:
        return float(self.params.get(key, default))

    def spec(self) -> str:
        parts = [self.kind] + [f"{k}={v}" for k, v in self.params.items()]
        if self.ops != ("*",):
            parts.append("op=" + "|".join(self.ops))
        return ":".join(parts)


def _number(rule: str, key: str, value: str, *, integer: bool = False, low: float = 0.0) -> None:
    try:
        num = int(value) if integer else float(value)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise FaultSpecError(f"--faults {rule}: {key}={value} must be {kind}") from None
    if num < low:
        raise FaultSpecError(f"--faults {rule}: {key}={value} must be at least {low:g}")


def parse_rule(text: str) -> Rule:
    raw = text.strip()
    tokens = raw.split(":")
    kind = tokens[0].strip().lower()
    if kind not in KINDS:
        raise FaultSpecError(f"--faults {raw}: unknown kind {kind!r}; kinds are " + ", ".join(KINDS))
    pairs: list[list[str]] = []
    for tok in tokens[1:]:
        if "=" in tok:
            key, _, value = tok.partition("=")
            pairs.append([key.strip().lower(), value.strip()])
        elif pairs:
            pairs[-1][1] += ":" + tok.strip()  # op=Invoke:RequestStateChange
        else:
            raise FaultSpecError(f"--faults {raw}: expected key=value after {kind}")
    if kind in STATE_KINDS:
        allowed = KINDS[kind] | {"p"}
    elif kind in ("password-change", "restart"):
        allowed = KINDS[kind] | {"after", "count"}
    else:
        allowed = KINDS[kind] | COMMON
    rule = Rule(kind=kind, params={})
    for key, value in pairs:
        if key not in allowed:
            raise FaultSpecError(
                f"--faults {raw}: {kind} takes no {key!r}; it takes "
                + (", ".join(sorted(allowed)) or "nothing")
            )
        if not value:
            raise FaultSpecError(f"--faults {raw}: {key} needs a value")
        if key == "op":
            rule.ops = tuple(v.strip() for v in value.split("|") if v.strip())
        elif key == "p":
            _number(raw, key, value)
            rule.p = float(value)
            if not 0 <= rule.p <= 1:
                raise FaultSpecError(f"--faults {raw}: p must be between 0 and 1")
        elif key == "count":
            _number(raw, key, value, integer=True, low=1)
            rule.count = int(value)
        elif key == "after":
            _number(raw, key, value, integer=True)
            rule.after = int(value)
        else:
            if key in ("ms", "jitter_ms", "bytes_per_s", "after_s", "every_s", "factor"):
                _number(raw, key, value, low=0.001 if key in ("bytes_per_s", "factor", "every_s") else 0)
            rule.params[key] = value
    if kind in ("password-change", "restart") and rule.count is None:
        rule.count = 1
    if kind == "fault":
        code = rule.params.get("code", "").lower()
        if code not in FAULT_CODES:
            raise FaultSpecError(
                f"--faults {raw}: fault needs code=NAME, one of " + ", ".join(sorted(FAULT_CODES))
            )
    if kind == "reset" and rule.params.get("at", "start").lower() not in ("start", "mid"):
        raise FaultSpecError(f"--faults {raw}: reset at= is start or mid")
    if kind == "latency" and "ms" not in rule.params:
        raise FaultSpecError(f"--faults {raw}: latency needs ms=N")
    if kind == "latency" and rule.params.get("where", "host").lower() not in ("host", "network"):
        raise FaultSpecError(f"--faults {raw}: latency where= is host or network")
    if kind == "drip" and "bytes_per_s" not in rule.params:
        raise FaultSpecError(f"--faults {raw}: drip needs bytes_per_s=N")
    if kind == "slow-jobs" and "factor" not in rule.params:
        raise FaultSpecError(f"--faults {raw}: slow-jobs needs factor=F")
    if kind == "restart" and not ({"after_s", "every_s"} & set(rule.params) or rule.after):
        raise FaultSpecError(f"--faults {raw}: restart needs after_s=S, every_s=S or after=N")
    return rule


def parse_spec(spec: str) -> list[Rule]:
    return [parse_rule(part) for part in spec.split(",") if part.strip()]


@dataclass
class Decision:
    """What the injector decided for one request."""

    delay_s: float = 0.0
    #: Spent in the network, on top of ``delay_s``: the host cannot cut it short.
    network_delay_s: float = 0.0
    terminal: Rule | None = None
    expire_contexts: bool = False
    change_password: str | None = None
    restart: bool = False


@dataclass
class FaultPlan:
    """The active rules of one host; thread-safe (rules may be added from test threads)."""

    seed_text: str
    rules: list[Rule] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(self.seed_text)
        self.on_state_rules: Callable[[], None] | None = None  # the host applies slow-jobs / fail-jobs

    def add(self, spec: str) -> None:
        """Add rules (same grammar as --faults); FaultSpecError on a bad spec."""
        rules = parse_spec(spec)
        with self._lock:
            self.rules.extend(rules)
        if self.on_state_rules is not None:
            self.on_state_rules()

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
        if self.on_state_rules is not None:
            self.on_state_rules()

    def state_rules(self) -> tuple[float, float]:
        """(slow factor, job failure probability) from slow-jobs / fail-jobs rules."""
        with self._lock:
            factor, fail = 1.0, 0.0
            for r in self.rules:
                if r.kind == "slow-jobs":
                    factor *= r.num("factor", 1)
                elif r.kind == "fail-jobs":
                    fail = max(fail, r.p)
            return factor, fail

    def _hit(self, rule: Rule) -> bool:
        rule.seen += 1
        if rule.seen <= rule.after:
            return False
        if rule.count is not None and rule.hits >= rule.count:
            return False
        if rule.p < 1 and self._rng.random() >= rule.p:
            return False
        rule.hits += 1
        return True

    def early(self, elapsed_s: float) -> Decision:
        """Host-wide events checked before anything else: password changes and restarts.

        ``after=N`` counts HTTP requests (the first N are served as before); ``after_s`` and
        ``every_s`` count real seconds since the host started.
        """
        d = Decision()
        with self._lock:
            for rule in self.rules:
                if rule.kind not in ("password-change", "restart"):
                    continue
                if "after_s" in rule.params or "every_s" in rule.params:
                    fired = self._timed(rule, elapsed_s)
                else:
                    fired = self._hit(rule)
                if fired:
                    if rule.kind == "restart":
                        d.restart = True
                    else:
                        d.change_password = rule.params.get("to", "")
        return d

    def decide(self, op: str) -> Decision:
        """Per-request faults for an operation (Identify, Enumerate, Pull, Get, Invoke:<M> ...)."""
        d = Decision()
        with self._lock:
            for rule in self.rules:
                if rule.kind in STATE_KINDS or rule.kind in ("password-change", "restart"):
                    continue
                if rule.kind in TERMINAL and d.terminal is not None:
                    continue  # one terminal fault per request; later rules keep their counts
                if not rule.matches_op(op) or not self._hit(rule):
                    continue
                if rule.kind == "latency":
                    jitter = rule.num("jitter_ms", 0)
                    delay = (rule.num("ms", 0) + (self._rng.uniform(-jitter, jitter) if jitter else 0)) / 1000
                    if rule.params.get("where", "host").lower() == "network":
                        d.network_delay_s += delay
                    else:
                        d.delay_s += delay
                elif rule.kind == "expire-contexts":
                    d.expire_contexts = True
                elif d.terminal is None:
                    d.terminal = rule
        d.delay_s = max(0.0, d.delay_s)
        d.network_delay_s = max(0.0, d.network_delay_s)
        return d

    @staticmethod
    def _timed(rule: Rule, elapsed: float) -> bool:
        if "every_s" in rule.params:
            every = rule.num("every_s", 1)
            last = rule.fired_at if rule.fired_at is not None else 0.0
            if elapsed - last >= every:
                rule.fired_at = elapsed
                return True
            return False
        if rule.fired_at is None and elapsed >= rule.num("after_s", 0):
            rule.fired_at = elapsed
            return True
        return False
