"""The host timeout is what ``--host-timeout`` says: one request is given up at S seconds.

One request means one WS-Management operation with everything it takes: the authentication
legs of a new connection, a resend after a reset, and the retries of a read. A reply slower
than S is given up at S (not at 2 × S, nor rounded up), and the error names S; a reply
within S gets through. The delays are the simulator's latency fault on the first read: in
the network (``where=network``, which no host can cut short), or in the host (which WinRM
ends at the OperationTimeout the client asked for, early enough to say so within S).
"""

from __future__ import annotations

import time

import pytest

from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.session import DEFAULT_TIMEOUT, exchange_timeouts
from tests.conftest import SIM_PASSWORD

from .conftest import host_for

#: What a busy 2-core machine may add to a deadline (scheduling, the reply's last bytes).
SLACK = 0.35


async def connect_timed(uri: str, timeout: float) -> tuple[float, HyperVError | None]:
    started = time.monotonic()
    try:
        async with host_for(uri, SIM_PASSWORD, timeout=timeout) as host:
            await host.connect()
    except HyperVError as exc:
        return time.monotonic() - started, exc
    return time.monotonic() - started, None


@pytest.mark.parametrize("timeout", [0.5, 1.0, 1.2])
@pytest.mark.parametrize("where", ["network", "host"])
async def test_a_reply_slower_than_the_timeout_is_given_up_at_it(make_sim, timeout, where):
    h = make_sim(vms=1).hosts[0]
    h.faults.add(f"latency:ms=1500:where={where}:op=Enumerate:count=1")
    elapsed, error = await connect_timed(h.uri, timeout)
    assert error is not None, f"a 1.5 s reply got through a {timeout:g} s timeout"
    assert elapsed <= timeout + SLACK, f"{timeout:g} s timeout gave up after {elapsed:.2f} s"
    assert f"within {timeout:g}s" in str(error), str(error)


@pytest.mark.parametrize(("delay", "timeout"), [(0.5, 1.0), (1.0, 1.5), (1.2, 1.5)])
async def test_a_reply_within_the_timeout_gets_through(make_sim, delay, timeout):
    h = make_sim(vms=1).hosts[0]
    h.faults.add(f"latency:ms={delay * 1000:g}:where=network:op=Enumerate:count=1")
    elapsed, error = await connect_timed(h.uri, timeout)
    assert error is None, str(error)
    assert elapsed >= delay


@pytest.mark.parametrize("timeout", [0.5, 1.2, DEFAULT_TIMEOUT, 600.0])
def test_no_limit_of_one_request_passes_the_host_timeout(timeout):
    operation, read, total = exchange_timeouts(timeout)
    assert total == timeout
    assert read <= timeout
    # The host is asked to give up first, so that its w:TimedOut arrives within the limit.
    assert operation < read
