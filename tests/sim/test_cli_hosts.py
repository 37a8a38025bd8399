"""``hvtui sim`` as a subprocess, many hosts, scenarios, determinism and options errors."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from hvtui.sim import OptionsError, SimOptions, Simulator
from hvtui.sim.cli import main
from tests.sim.wire import ENUMERATE, V2, enumerate_body, envelope, post

BODY = envelope(ENUMERATE, f"{V2}/Msvm_ComputerSystem", enumerate_body(optimize=True, max_elements=1))


def test_cli_subprocess_ready_lines_and_sigterm(tmp_path):
    pw = tmp_path / "pw"
    pw.write_text("cli-Passw0rd\n", encoding="utf-8")
    pw.chmod(0o600)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hvtui.sim", "--port", "0", "--hosts", "2", "--vms", "3",
         "--release", "2016,win10", "--password-file", str(pw), "--allow-unencrypted"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        lines = [proc.stdout.readline() for _ in range(2)]
        assert all(line.startswith("hyperv://administrator@127.0.0.1:") for line in lines), lines
        assert "release=2016" in lines[0]
        assert "release=win10" in lines[1]
        assert "vms=3" in lines[0]
        assert "cli-Passw0rd" not in "".join(lines)
        port = int(lines[0].split(":")[2].split("/")[0])

        class _H:
            https = False

        h = _H()
        h.port = port  # type: ignore[attr-defined]
        from tests.sim.wire import basic

        assert post(h, BODY, auth=basic(password="cli-Passw0rd")).status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Enumerate=1" in out
    assert "Traceback" not in err


def test_cli_random_password_printed_once(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "hvtui", "sim", "--port", "0", "--vms", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        first = proc.stdout.readline()
        second = proc.stdout.readline()
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert first.startswith("password")
    assert second.startswith("hyperv://")
    password = first.rsplit(" ", 1)[1].strip()
    assert (first + second + out).count(password) == 1
    assert proc.returncode == 0


@pytest.mark.parametrize(
    "argv",
    [["--nope"], ["--vms", "20000"], ["--release", "2003"], ["--faults", "latency"], ["--auth", "kerberos"],
     ["--scenario", "/nonexistent.toml"], ["--cert", "x"], ["--hosts", "0"]],
)  # fmt: skip
def test_cli_bad_input_is_one_line_and_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("hvtui sim:")
    assert "Traceback" not in err


def test_cli_bad_scenario(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[host]]\nname = "x"\n[[host.vm]]\nname = "a"\nstate = "flying"\n', encoding="utf-8")
    assert main(["--scenario", str(bad), "--port", "0"]) == 2
    assert "state 'flying'" in capsys.readouterr().err
    bad.write_text("[[host]\n", encoding="utf-8")
    assert main(["--scenario", str(bad), "--port", "0"]) == 2


def test_hvtui_cli_dispatches_sim(capsys):
    from hvtui.cli import main as hvtui_main

    assert hvtui_main(["sim", "--help"]) == 0
    assert "--faults" in capsys.readouterr().out


def test_many_hosts_are_independent(make_sim):
    sim = make_sim(hosts=3, vms="2-6", release="2012r2,2025")
    names = [h.name for h in sim.hosts]
    assert len(set(names)) == 3
    assert len({h.port for h in sim.hosts}) == 3
    assert [h.release for h in sim.hosts] == ["2012r2", "2025", "2012r2"]
    assert all(2 <= h.vm_count <= 6 for h in sim.hosts)
    post(sim.hosts[0], BODY)
    assert sim.hosts[0].counters["Enumerate"] == 1
    assert sim.hosts[1].counters.total == 0
    assert sim.hosts[0].model.host.version == "6.3.9600"
    assert sim.hosts[1].model.host.product_type == 3


def test_generation_is_deterministic():
    a = Simulator(SimOptions(vms=30, seed=11, password="x"))
    b = Simulator(SimOptions(vms=30, seed=11, password="x"))
    c = Simulator(SimOptions(vms=30, seed=12, password="x"))
    key = lambda s: [(v.name, v.guid, v.state, v.vcpus, v.memory_mb) for v in s.hosts[0]._spec0.vms]  # noqa: E731
    assert key(a) == key(b) != key(c)
    vms = a.hosts[0]._spec0.vms
    assert len({v.name for v in vms}) == 30
    assert all(v.guid == v.guid.upper() for v in vms)
    assert {v.state for v in vms} >= {2, 3}
    assert any(not v.shutdown_service for v in vms)
    assert any(v.dynamic for v in vms)
    assert {v.generation for v in vms} == {1, 2}


def test_options_validation():
    with pytest.raises(OptionsError):
        SimOptions(vms="5-2").validate()
    with pytest.raises(OptionsError):
        SimOptions(auth=("digest",)).validate()
    assert "secret" not in repr(SimOptions(password="secret"))


def test_current_loop_mode():
    import asyncio

    async def run() -> int:
        async with Simulator(SimOptions(vms=1, password="pw", allow_unencrypted=True)) as sim:
            host = sim.hosts[0]
            loop = asyncio.get_running_loop()
            from tests.sim.wire import basic

            r = await loop.run_in_executor(None, lambda: post(host, BODY, auth=basic(password="pw")))
            return r.status

    assert asyncio.run(run()) == 200


def test_ten_thousand_vms_per_host(make_sim):
    sim = make_sim(vms=10_000, time_scale=1)
    assert sim.hosts[0].vm_count == 10_000
    from hvtui.sim.instances import instances_of
    from hvtui.sim.render import render_instance
    from hvtui.sim.schema import find_class

    cls = find_class("Msvm_ComputerSystem")
    m = sim.hosts[0]._model
    with m.lock:
        out = [render_instance(cls, i.values) for i in instances_of(m, cls)]
    assert len(out) == 10_001  # benchmarks/bench_sim_render.py measures how fast
