"""The simulator in a child process (what ``hvtui --demo`` serves its hosts from)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hvtui.sim import OptionsError, SimOptions
from hvtui.sim.sim_process import SimProcess, decode, encode
from tests.sim.wire import ENUMERATE, V2, basic, enumerate_body, envelope, post

BODY = envelope(ENUMERATE, f"{V2}/Msvm_ComputerSystem", enumerate_body(optimize=True, max_elements=1))
PASSWORD = "child-Passw0rd"


class _Port:
    https = False

    def __init__(self, uri: str) -> None:
        self.port = int(uri.split(":")[2].split("/", maxsplit=1)[0])


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


def test_child_serves_its_hosts_until_stopped_and_keeps_the_password_out_of_argv():
    sim = SimProcess(SimOptions(hosts=2, vms=3, password=PASSWORD, allow_unencrypted=True)).start()
    try:
        child = sim._child
        assert child is not None
        assert PASSWORD not in " ".join(str(arg) for arg in child.args)
        uris = sim.uris()
        assert len(uris) == 2
        assert all(uri.startswith("hyperv://administrator@127.0.0.1:") for uri in uris)
        assert PASSWORD not in "".join(uris)
        assert post(_Port(uris[1]), BODY, auth=basic(password=PASSWORD)).status == 200
    finally:
        sim.stop()
    assert child.returncode == 0
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", _Port(uris[0]).port), timeout=2):
        pass


def test_child_stops_when_its_parent_is_gone():
    """A parent killed outright closes the child's stdin: the child stops on its own."""
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "from hvtui.sim import SimOptions\n"
         "from hvtui.sim.sim_process import SimProcess\n"
         "sim = SimProcess(SimOptions(vms=1, password='pw')).start()\n"
         "print(sim._child.pid, sim.uris()[0], flush=True)\n"
         "import time; time.sleep(60)\n"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert parent.stdout is not None
        pid, _uri = parent.stdout.readline().split()
    finally:
        parent.kill()
        parent.wait()
    proc = Path(f"/proc/{pid}")
    if not Path("/proc/self").exists():
        pytest.skip("no /proc to follow the child with")
    for _ in range(100):
        if not proc.exists() or "Z" in (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]:
            return
        time.sleep(0.1)
    raise AssertionError("the simulator's process outlived its parent")


def test_a_child_that_cannot_start_says_why_in_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            SimProcess(SimOptions(vms=1, password=PASSWORD, port=port)) as sim,
            pytest.raises(OptionsError) as err,
        ):
            sim.uris()
    assert f"cannot listen on 127.0.0.1:{port}" in str(err.value)
