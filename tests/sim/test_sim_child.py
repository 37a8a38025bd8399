"""The simulator in a child process (what ``hvtui --demo`` serves its hosts from).

Both ways of starting it: a fork (Linux, a parent with one thread) and a new interpreter.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hvtui.sim import OptionsError, SimOptions
from hvtui.sim.sim_process import SimProcess, decode, encode
from tests.sim.wire import ENUMERATE, V2, basic, enumerate_body, envelope, post

BODY = envelope(ENUMERATE, f"{V2}/Msvm_ComputerSystem", enumerate_body(optimize=True, max_elements=1))
PASSWORD = "child-Passw0rd"
HAS_PROC = Path("/proc/self/fd").is_dir()


WAYS = [pytest.param(True, id="fork"), pytest.param(False, id="interpreter")]


def _can(fork: bool) -> None:
    """Skip a fork where the simulator itself would not make one (a thread of another test runs)."""
    if fork and (not hasattr(os, "fork") or not HAS_PROC or threading.active_count() > 1):
        pytest.skip("a fork needs Linux and a test process with one thread")


class _Port:
    https = False

    def __init__(self, uri: str) -> None:
        self.port = int(uri.split(":")[2].split("/", maxsplit=1)[0])


def _gone(pid: int) -> bool:
    proc = Path(f"/proc/{pid}")
    return not proc.exists() or (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def test_options_round_trip_as_one_line():
    options = SimOptions(hosts=3, vms="20-60", release="2019,2022", seed=7, password=PASSWORD,
                         auth=("ntlm",), scenario=Path("/x/y.toml"), latency_ms=2.5)  # fmt: skip
    line = encode(options)
    assert "\n" not in line
    again = decode(line)
    assert again.auth == ("ntlm",)
    assert again.scenario == "/x/y.toml"
    assert (again.hosts, again.vms, again.release, again.seed) == (3, "20-60", "2019,2022", 7)
    assert again.password == PASSWORD


@pytest.mark.parametrize("fork", WAYS)
def test_child_serves_its_hosts_until_stopped(fork):
    _can(fork)
    sim = SimProcess(SimOptions(hosts=2, vms=3, password=PASSWORD, allow_unencrypted=True), fork=fork)
    sim.start()
    try:
        child = sim._child
        assert child is not None
        uris = sim.uris()
        assert len(uris) == 2
        assert all(uri.startswith("hyperv://administrator@127.0.0.1:") for uri in uris)
        assert PASSWORD not in "".join(uris)
        assert post(_Port(uris[1]), BODY, auth=basic(password=PASSWORD)).status == 200
    finally:
        sim.stop()
    assert child.returncode == 0, "it stopped when its input closed, without being killed"
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", _Port(uris[0]).port), timeout=2):
        pass


def test_the_password_stays_out_of_argv():
    sim = SimProcess(SimOptions(vms=1, password=PASSWORD), fork=False).start()
    try:
        child = sim._child
        assert isinstance(child, subprocess.Popen)
        assert PASSWORD not in " ".join(str(arg) for arg in child.args)
        sim.uris()
    finally:
        sim.stop()


@pytest.mark.parametrize("fork", WAYS)
def test_a_child_holds_nothing_of_another(fork):
    """A second child must not keep the first one's input open: the first stops on its own."""
    _can(fork)
    first = SimProcess(SimOptions(vms=1, password=PASSWORD), fork=fork).start()
    second = SimProcess(SimOptions(vms=1, password=PASSWORD), fork=fork).start()
    try:
        first.uris()
        second.uris()
        child = first._child
        assert child is not None
        started = time.monotonic()
        first.stop()
        assert child.wait() == 0
        assert time.monotonic() - started < 3
    finally:
        first.stop()
        second.stop()


@pytest.mark.skipif(not hasattr(os, "fork") or not HAS_PROC, reason="a fork needs Linux")
def test_forked_children_in_a_fresh_process():
    """The fork, whatever threads this test process has: two children, each stopping on its own."""
    script = (
        "import time\n"
        "from hvtui.sim import SimOptions\n"
        "from hvtui.sim.sim_process import SimProcess\n"
        "first = SimProcess(SimOptions(vms=1, password='pw')).start()\n"
        "second = SimProcess(SimOptions(vms=1, password='pw')).start()\n"
        "print(first.fork, len(first.uris()), len(second.uris()))\n"
        "child = first._child\n"
        "started = time.monotonic()\n"
        "first.stop()\n"
        "print(child.wait(), round(time.monotonic() - started, 2))\n"
        "second.stop()\n"
    )
    argv = [sys.executable, "-c", script]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True)
    forked, stopped = done.stdout.splitlines()
    assert forked == "True 1 1"
    code, seconds = stopped.split()
    assert code == "0", "the first stopped when its input closed, without being killed"
    assert float(seconds) < 3
    assert done.stderr == ""


@pytest.mark.skipif(not HAS_PROC, reason="no /proc to follow the child with")
def test_child_stops_when_its_parent_is_gone():
    """A parent killed outright closes the child's input: the child stops on its own."""
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "from hvtui.sim import SimOptions\n"
         "from hvtui.sim.sim_process import SimProcess\n"
         "sim = SimProcess(SimOptions(vms=1, password='pw')).start()\n"
         "print(sim._child.pid, sim.fork, sim.uris()[0], flush=True)\n"
         "import time; time.sleep(60)\n"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert parent.stdout is not None
        pid, forked, _uri = parent.stdout.readline().split()
    finally:
        parent.kill()
        parent.wait()
    assert forked == str(sys.platform == "linux"), "a parent with one thread forks on Linux"
    deadline = time.monotonic() + 10
    while not _gone(int(pid)):
        assert time.monotonic() < deadline, "the simulator's process outlived its parent"
        time.sleep(0.1)


@pytest.mark.parametrize("fork", WAYS)
def test_a_child_that_cannot_start_says_why_in_one_line(fork):
    _can(fork)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            SimProcess(SimOptions(vms=1, password=PASSWORD, port=port), fork=fork) as sim,
            pytest.raises(OptionsError) as err,
        ):
            sim.uris()
    assert f"cannot listen on 127.0.0.1:{port}" in str(err.value)
