"""One wording per fact, in a short form for table cells and a long one for ``hvtui ls`` and details."""

from __future__ import annotations

import pytest

from hvtui.hyperv.models import VM, HostFacts
from hvtui.hyperv.states import Heartbeat, decode_enabled_state
from hvtui.present.host import cpu_long, cpu_short, protection
from hvtui.present.vm import status, vm_rows
from hvtui.version import identify_release


def vm(enabled_state: int = 2, heartbeat: Heartbeat | None = Heartbeat.OK, host_job: str | None = None) -> VM:
    return VM(
        host="hyperv://administrator@hv01/",
        guid="0DB8524C-FA36-4FD3-8A7A-1AA980D5D8D4",
        name="web-01",
        power=decode_enabled_state(enabled_state),
        heartbeat=heartbeat,
        host_job=host_job,
    )


@pytest.mark.parametrize(
    ("machine", "job", "short", "long"),
    [
        (vm(), None, "", "Running normally"),
        (vm(heartbeat=Heartbeat.NO_CONTACT), None, "no heartbeat", "Heartbeat no contact"),
        (vm(heartbeat=Heartbeat.LOST_COMMUNICATION), None, "heartbeat lost", "Heartbeat lost communication"),
        (vm(enabled_state=3, heartbeat=Heartbeat.NO_CONTACT), None, "", ""),
        (vm(enabled_state=32781), None, "Critical", "Critical"),  # running, critical: not "normally"
        (vm(enabled_state=32781, host_job="Backing up 40%"), None, "Backing up 40%", "Backing up 40%"),
        (vm(host_job="Backing up 40%"), "Saving 35%", "Saving 35%", "Saving 35%"),
    ],
)
def test_status_has_one_wording_in_two_lengths(machine, job, short, long):
    words = status(machine, job)
    assert (words.short, words.long) == (short, long)


def test_hvtui_vm_and_the_vm_screen_share_the_long_status():
    rows = dict(vm_rows(vm(enabled_state=32781), "hv01"))
    assert rows["Status"] == "Critical"
    assert dict(vm_rows(vm(enabled_state=3, heartbeat=None), "hv01"))["Status"] == "—"
    assert dict(vm_rows(vm(), "hv01", "Saving 35%"))["Status"] == "Saving 35%"


@pytest.mark.parametrize(
    ("https", "verified", "encrypted", "words"),
    [
        (True, True, True, "TLS verified"),
        (True, False, True, "TLS NOT verified (no_verify=1)"),
        (False, None, True, "no TLS (NTLM message encryption)"),
        (False, None, False, "no TLS, unencrypted"),
        (False, None, None, "no TLS"),
    ],
)
def test_protection_is_worded_once(https, verified, encrypted, words):
    assert protection(https=https, tls_verified=verified, encrypted=encrypted) == words


def facts(**fields) -> HostFacts:
    base = {
        "hostname": "hv01",
        "release": identify_release("10.0.20348"),
        "cpu_model": "Intel Xeon Gold 6330",
    }
    return HostFacts(**{**base, **fields})


def test_logical_processors_and_cores_are_said_apart():
    host = facts(sockets=2, cores=14, threads=2, logical_processors=56, mhz=2000)
    rows = dict(cpu_long(host))
    assert rows["Logical processors"] == "56 (2 per core)"
    assert rows["Cores"] == "28 (2 sockets × 14 cores)"
    assert not any("CPU(s)" in label for label in rows)
    assert cpu_short(host) == "Intel Xeon Gold 6330 @ 2000 MHz · 56 logical processors, 28 cores, 2 sockets"


def test_logical_processors_without_the_host_s_count():
    host = facts(sockets=1, cores=4, threads=None, logical_processors=None)
    assert dict(cpu_long(host))["Logical processors"] == "4"
    assert dict(cpu_long(host))["Cores"] == "4 (1 socket × 4 cores)"
    assert cpu_short(facts()) == "Intel Xeon Gold 6330"


def test_protection_names_kerberos_message_encryption():
    words = protection(https=False, tls_verified=None, encrypted=True, auth="kerberos")
    assert words == "no TLS (Kerberos message encryption)"
