"""Fault injection: every kind, the grammar, seeded reproducibility and the counters."""

from __future__ import annotations

import http.client
import socket
import time

import pytest

from hvtui.sim import FaultSpecError
from hvtui.sim.injection import parse_spec
from tests.sim.wire import (
    ENUMERATE,
    GET,
    PULL,
    V2,
    connect,
    context_of,
    enumerate_body,
    envelope,
    post,
    pull_body,
)

CS = f"{V2}/Msvm_ComputerSystem"
BODY = envelope(ENUMERATE, CS, enumerate_body(optimize=True, max_elements=1))


@pytest.fixture
def host(make_sim):
    return make_sim(vms=3).hosts[0]


def test_grammar():
    rules = parse_spec(
        "latency:ms=50:jitter_ms=10:op=Pull, fault:code=TimedOut:op=Invoke:RequestStateChange:count=2"
    )
    assert rules[0].ops == ("Pull",)
    assert rules[0].params == {"ms": "50", "jitter_ms": "10"}
    assert rules[1].ops == ("Invoke:RequestStateChange",)
    assert rules[1].count == 2
    for bad in ("nope", "latency", "fault:code=Bogus", "latency:ms=x", "reset:at=end", "http500:p=2",
                "http500:colour=red", "restart", "drip"):  # fmt: skip
        with pytest.raises(FaultSpecError):
            parse_spec(bad)


def test_latency_and_op_filter(host):
    host.faults.add("latency:ms=300:op=Get")
    t = time.monotonic()
    assert post(host, BODY).status == 200
    assert time.monotonic() - t < 0.25
    host.faults.clear()
    host.faults.add("latency:ms=200")
    t = time.monotonic()
    post(host, BODY)
    assert time.monotonic() - t >= 0.2


def test_latency_beyond_operation_timeout_is_timed_out(host):
    host.faults.add("latency:ms=1500")
    r = post(host, envelope(ENUMERATE, CS, enumerate_body(), timeout="PT0.2S"))
    assert r.status == 500
    assert r.subcode == "w:TimedOut"
    assert r.fault_code == "2150858793"


def test_reset_and_count_and_after(host):
    host.faults.add("reset:count=1:after=1")
    assert post(host, BODY).status == 200
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        post(host, BODY)
    assert post(host, BODY).status == 200


def test_reset_mid_and_truncate(host):
    host.faults.add("reset:at=mid:count=1,truncate:count=1:op=Enumerate")
    for _ in range(2):
        with pytest.raises((http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionError)):
            post(host, BODY)
    assert post(host, BODY).status == 200


def test_no_answer(host):
    host.faults.add("no-answer:count=1")
    conn = connect(host, timeout=0.5)
    with pytest.raises(socket.timeout):
        post(host, BODY, conn=conn)
    conn.close()
    assert post(host, BODY).status == 200


@pytest.mark.parametrize(("kind", "status"), [("http500", 500), ("http503", 503)])
def test_plain_http_errors(host, kind, status):
    host.faults.add(f"{kind}:count=1")
    r = post(host, BODY)
    assert r.status == status
    assert b"soap-envelope" not in r.body
    assert post(host, BODY).status == 200


@pytest.mark.parametrize(
    ("code", "subcode", "wsman"),
    [
        ("TimedOut", "w:TimedOut", "2150858793"),
        ("InvalidSelectors", "w:InvalidSelectors", "2150858843"),
        ("AccessDenied", "w:AccessDenied", "5"),
        ("InternalError", "w:InternalError", "2150859174"),
        ("QuotaLimit", "w:QuotaLimit", None),
        ("CannotProcessFilter", "n:CannotProcessFilter", "2150858778"),
        ("InvalidEnumerationContext", "n:InvalidEnumerationContext", "2150858779"),
    ],
)
def test_injected_soap_faults(host, code, subcode, wsman):
    host.faults.add(f"fault:code={code}:op=Enumerate:count=1")
    r = post(host, BODY)
    assert r.status == 500
    assert r.subcode == subcode
    assert r.fault_code == wsman
    if code == "QuotaLimit":
        assert r.text("//*[local-name()='error_Code']") == "2150859173"
    assert post(host, BODY).status == 200


def test_malformed_and_drip(host):
    host.faults.add("malformed:count=1")
    r = post(host, BODY)
    assert r.status == 200
    with pytest.raises(Exception):  # noqa: B017 - any XML error will do
        r.xml  # noqa: B018
    host.faults.add("drip:bytes_per_s=20000:count=1")
    t = time.monotonic()
    r = post(host, BODY)
    assert r.status == 200
    assert time.monotonic() - t >= 0.1
    assert r.xml is not None


def test_expire_contexts(host):
    ctx = context_of(post(host, envelope(ENUMERATE, CS, enumerate_body())))
    host.faults.add("expire-contexts:op=Pull:count=1")
    r = post(host, envelope(PULL, CS, pull_body(ctx)))
    assert r.subcode == "n:InvalidEnumerationContext"


def test_password_change_after_requests(make_sim):
    host = make_sim(faults="password-change:after=2").hosts[0]
    assert post(host, BODY).status == 200
    assert post(host, BODY).status == 200
    assert post(host, BODY).status == 401
    assert host.counters["http_401"] == 1


def test_set_password_and_restart(host):
    from hvtui.sim.injection import parse_rule  # noqa: F401 - the API is importable

    vm = next(v for v in host.model.vms if v.enabled_state == 3)
    from tests.sim.wire import invoke

    r = invoke(host, CS, "RequestStateChange", {"CreationClassName": "Msvm_ComputerSystem", "Name": vm.guid},
               "<p:RequestedState>2</p:RequestedState>")  # fmt: skip
    assert r.status == 200
    assert host.model.jobs
    host.restart()
    assert host.model.jobs == []
    assert host.model.vm(vm.guid).enabled_state == 3
    host.set_password("new-Passw0rd")
    assert post(host, BODY).status == 401
    from tests.sim.wire import basic

    assert post(host, BODY, auth=basic(password="new-Passw0rd")).status == 200


def test_restart_fault_cuts_the_connection(make_sim):
    host = make_sim(vms=2, faults="restart:after=1").hosts[0]
    assert post(host, BODY).status == 200
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        post(host, BODY)
    assert post(host, BODY).status == 200


def test_probability_is_seeded_and_reproducible(make_sim):
    def pattern(seed: int) -> list[int]:
        h = make_sim(vms=1, seed=seed, faults="http503:p=0.5").hosts[0]
        return [post(h, BODY).status for _ in range(12)]

    first = pattern(3)
    assert first == pattern(3)
    assert 503 in first
    assert 200 in first


def test_counters(host):
    host.reset_counters()
    post(host, BODY, auth=None)
    post(host, BODY)
    post(host, envelope(GET, CS, selectors={"CreationClassName": "Msvm_ComputerSystem", "Name": "x"}))
    assert host.counters["http_401"] == 1
    assert host.counters["Enumerate"] == 1
    assert host.counters["Get"] == 1
    assert host.counters.total == 2


def test_link_latency_delays_every_exchange(make_sim):
    """--latency-ms is the network's round trip: a 401 and a reply alike wait for it."""
    host = make_sim(vms=3, latency_ms=200).hosts[0]
    for auth in (None, "basic"):
        t = time.monotonic()
        reply = post(host, BODY, auth=auth)
        assert time.monotonic() - t >= 0.2
        assert reply.status == (401 if auth is None else 200)
