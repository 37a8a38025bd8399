"""A host that fails a third of its reads (HTTP 503) is still read: reads are tried again.

A refresh is some fifteen requests; failing it whenever one of them meets a passing 503 would
make such a host show nothing at all. Reads (Identify, Enumerate, Pull, Get) are sent again
after a short, jittered pause within the host timeout; an Invoke never is, which the
simulator's counters (every request that reached the host) prove.
"""

from __future__ import annotations

import json

from hvtui.hyperv.errors import HyperVError, Problem
from tests.conftest import SIM_PASSWORD

from . import clirun
from .conftest import host_for

READS = "Identify|Enumerate|Pull|Get"
ONE_IN_THREE = f"http503:p=0.34:op={READS}"
RUNS = 10
HOST_TIMEOUT = 5.0


def summaries(h) -> int:
    return h.counters["Invoke:GetSummaryInformation"]


def test_ls_gets_through_a_host_that_fails_a_third_of_its_reads(make_sim, tmp_path):
    h = make_sim(vms=12).hosts[0]
    h.faults.add(ONE_IN_THREE)
    pwfile = clirun.password_file(tmp_path, SIM_PASSWORD)
    for _ in range(RUNS):
        result = clirun.run(
            "ls", h.uri, "--json", "--password-file", str(pwfile), "--no-keyring",
            "--host-timeout", str(HOST_TIMEOUT),
        )  # fmt: skip
        assert (result.code, result.err) == (0, ""), result.err
        assert len(json.loads(result.out)) == 12
    assert h.faults.rules[0].hits >= RUNS  # the host did fail reads, several per run
    assert summaries(h) == RUNS  # the one Invoke of each run arrived once


async def test_snapshots_get_through_and_pulls_are_tried_again_in_place(make_sim):
    # A small envelope makes every enumeration take Pulls, and the summary several Invokes.
    h = make_sim(vms=30).hosts[0]
    async with host_for(h.uri, SIM_PASSWORD, timeout=HOST_TIMEOUT, max_envelope_size=16384) as host:
        await host.snapshot()
        invokes = summaries(h)
        h.reset_counters()
        h.faults.add(ONE_IN_THREE)
        for _ in range(3):
            host.invalidate_inventory()
            snapshot = await host.snapshot()
            assert len(snapshot.vms) == 30
    assert h.counters["Pull"] > 0 and h.faults.rules[0].hits > 0
    assert summaries(h) == 3 * invokes  # each Invoke arrived once


async def test_an_invoke_that_meets_a_503_is_not_sent_again(make_sim):
    h = make_sim(vms=3).hosts[0]
    async with host_for(h.uri, SIM_PASSWORD, timeout=HOST_TIMEOUT) as host:
        h.faults.add(f"{ONE_IN_THREE},http503:op=Invoke:count=1")
        try:
            await host.snapshot()
        except HyperVError as exc:
            assert exc.problem is Problem.UNREACHABLE
            assert "503" in str(exc)
        else:
            raise AssertionError("a 503 on the summary's Invoke went unnoticed")
        assert summaries(h) == 1
        assert len((await host.snapshot()).vms) == 3
        assert summaries(h) == 2
