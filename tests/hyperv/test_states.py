"""EnabledState decoding (both value sets), verbs and their preconditions."""

from __future__ import annotations

import pytest

from hvtui.hyperv.actions import VERBS, Verb, spec_for
from hvtui.hyperv.models import clean_cpu_model
from hvtui.hyperv.states import Heartbeat, JobState, VMState, decode_enabled_state


@pytest.mark.parametrize(
    ("value", "state", "label"),
    [
        (2, VMState.RUNNING, "running"),
        (3, VMState.OFF, "off"),
        (4, VMState.STOPPING, "stopping"),
        (6, VMState.SAVED, "saved"),
        (9, VMState.PAUSED, "paused"),
        (10, VMState.STARTING, "starting"),
        (11, VMState.RESETTING, "resetting"),
        (32768, VMState.PAUSED, "paused"),  # libvirt's (v1) value
        (32769, VMState.SAVED, "saved"),  # libvirt's (v1) value
        (32770, VMState.STARTING, "starting"),
        (32771, VMState.SNAPSHOTTING, "snapshotting"),
        (32773, VMState.SAVING, "saving"),
        (32774, VMState.STOPPING, "stopping"),
        (32776, VMState.PAUSING, "pausing"),
        (32777, VMState.RESUMING, "resuming"),
        (32779, VMState.FAST_SAVED, "fast saved"),
        (32780, VMState.FAST_SAVING, "fast saving"),
        (32781, VMState.RUNNING, "running (critical)"),
        (32784, VMState.SAVED, "saved (critical)"),
        (32792, VMState.FAST_SAVING, "fast saving (critical)"),
        (0, VMState.UNKNOWN, "unknown (0)"),
        (7, VMState.UNKNOWN, "unknown (7)"),
        (32793, VMState.UNKNOWN, "unknown (32793)"),
        (None, VMState.UNKNOWN, "unknown"),
    ],
)
def test_enabled_state(value, state, label):
    power = decode_enabled_state(value)
    assert power.state is state
    assert power.label == label
    assert power.enabled_state == value


def test_active_and_transition_follow_libvirt():
    assert decode_enabled_state(2).is_active
    assert decode_enabled_state(9).is_active
    assert not decode_enabled_state(3).is_active
    assert not decode_enabled_state(6).is_active
    assert not decode_enabled_state(32769).is_active
    assert decode_enabled_state(32773).in_transition
    assert not decode_enabled_state(2).in_transition


@pytest.mark.parametrize(
    ("verb", "allowed", "refused"),
    [
        (Verb.START, [3, 6, 32769, 32779], [2, 9, 10, 4]),
        (Verb.SHUTDOWN, [2], [3, 9, 6, 10]),
        (Verb.TURN_OFF, [2, 9, 32768, 4], [3, 6, 10, 32773]),
        (Verb.RESET, [2], [3, 9, 6]),
        (Verb.REBOOT, [2], [3, 9]),
        (Verb.PAUSE, [2], [3, 9, 6]),
        (Verb.RESUME, [9, 32768], [2, 3, 6]),
        (Verb.SAVE, [2, 9], [3, 6, 10]),
        (Verb.DISCARD_SAVE, [6, 32769], [2, 3, 9]),
    ],
)
def test_preconditions(verb, allowed, refused):
    spec = spec_for(verb)
    for value in allowed:
        assert spec.check("vm-1", decode_enabled_state(value)) is None
    for value in refused:
        reason = spec.check("vm-1", decode_enabled_state(value))
        assert reason is not None
        assert reason.startswith("vm-1 ")


def test_requested_states_are_libvirts():
    assert {v: s.requested_state for v, s in VERBS.items()} == {
        Verb.START: 2,
        Verb.SHUTDOWN: None,
        Verb.TURN_OFF: 3,
        Verb.RESET: 11,
        Verb.REBOOT: 10,
        Verb.PAUSE: 9,
        Verb.RESUME: 2,
        Verb.SAVE: 6,
        Verb.DISCARD_SAVE: 3,
    }
    assert spec_for("off") is VERBS[Verb.TURN_OFF]
    assert "hard reset" in VERBS[Verb.REBOOT].note
    assert spec_for("resume").check("vm-9", decode_enabled_state(2)) == "vm-9 is not paused (it is running)"


def test_job_states():
    assert JobState.from_value(7).finished
    assert JobState.from_value(10).finished
    assert not JobState.from_value(4).finished
    assert JobState.from_value(99) is JobState.UNKNOWN
    assert Heartbeat.from_value(12) is Heartbeat.NO_CONTACT
    assert Heartbeat.from_value(99) is Heartbeat.UNKNOWN
    assert Heartbeat.from_value(None) is None


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz", "Intel Xeon Gold 6230 CPU"),
        ("AMD EPYC 7702 64-Core Processor                ", "AMD EPYC 7702 64-Core Processor"),
        ("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", "Intel Core i7-8700 CPU"),
        ("", None),
        (None, None),
    ],
)
def test_cpu_model_cleaned_as_libvirt(raw, clean):
    assert clean_cpu_model(raw) == clean
