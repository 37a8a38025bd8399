"""The scripting CLI as a real process against the simulator: JSON shapes, tables, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SIM_PASSWORD
from tests.support.scenarios import write_scenario


def hvtui(*args: str, password_file: Path | None = None, stdin: str | None = None, timeout: float = 60):
    argv = [sys.executable, "-m", "hvtui", *args]
    if password_file is not None:
        argv += ["--password-file", str(password_file)]
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", "COLUMNS": "120"}
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, check=False, input=stdin, env=env
    )


@pytest.fixture
def pwfile(tmp_path):
    path = tmp_path / "pw"
    path.write_text(SIM_PASSWORD + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def cli_sim(tmp_path_factory):
    from hvtui.sim import SimOptions, Simulator
    from tests.conftest import SIM_DEFAULTS

    vms = [("web", "running"), ("db", "off"), ("cache", "saved"), ("twin", "off"), ("twin", "off")]
    scenario = write_scenario(vms, tmp=tmp_path_factory.mktemp("cli"))
    with Simulator(
        SimOptions(**{**SIM_DEFAULTS, "hosts": 1, "scenario": scenario, "time_scale": 100.0})
    ) as sim:
        yield sim


def test_ls_json_shape(sim_host, pwfile):
    result = hvtui("ls", sim_host.uri, "--json", password_file=pwfile)
    assert result.returncode == 0, result.stderr
    vms = json.loads(result.stdout)
    assert len(vms) == len(sim_host.model.vms)
    required = {
        "host",
        "name",
        "guid",
        "state",
        "enabled_state",
        "id",
        "vcpus",
        "memory_mib",
        "uptime_s",
        "cpu_load",
        "heartbeat",
    }
    for vm in vms:
        assert required <= set(vm)
        assert vm["host"] == f"hyperv://administrator@127.0.0.1:{sim_host.port}/?transport=http"
        assert vm["state"] in {"running", "off", "saved", "paused", "starting", "stopping", "saving"}
        assert isinstance(vm["enabled_state"], int)
    assert SIM_PASSWORD not in result.stdout + result.stderr


def test_ls_state_filter_and_csv(sim_host, pwfile):
    result = hvtui("ls", sim_host.uri, "--csv", "--state", "running", password_file=pwfile)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    header = lines[0].split(",")
    assert header[:4] == ["host", "name", "guid", "state"]
    running = [vm for vm in sim_host.model.vms if vm.enabled_state == 2]
    assert len(lines) - 1 == len(running)


def test_ls_csv_has_the_same_header_when_nothing_matches(sim_host, pwfile):
    full = hvtui("ls", sim_host.uri, "--csv", password_file=pwfile)
    none = hvtui("ls", sim_host.uri, "--csv", "--state", "stopping", password_file=pwfile)
    assert none.returncode == 0, none.stderr
    assert none.stdout.splitlines() == full.stdout.splitlines()[:1]


def test_ls_table_for_people(sim_host, pwfile):
    result = hvtui("ls", sim_host.uri, password_file=pwfile)
    assert result.returncode == 0, result.stderr
    assert "NAME" in result.stdout
    assert "STATE" in result.stdout
    for vm in sim_host.model.vms[:3]:
        assert vm.name in result.stdout


def test_ls_many_hosts_with_one_down(sim_host, pwfile):
    result = hvtui("ls", sim_host.uri, "hyperv://127.0.0.1:9/?transport=http", "--json", password_file=pwfile)
    assert result.returncode == 3
    assert len(json.loads(result.stdout)) == len(sim_host.model.vms)
    assert "127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


def test_info_json_shape(sim_host, pwfile):
    result = hvtui("info", sim_host.uri, "--json", password_file=pwfile)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["version"] == "10.0.20348"
    assert info["build"] == 20348
    assert info["release"] == "Windows Server 2022"
    assert info["libvirt_version"] == 1000020348
    assert info["libvirt_version_text"] == "1000.20.348"
    for key in (
        "hostname",
        "caption",
        "cpu_model",
        "sockets",
        "cores",
        "threads",
        "memory_mib",
        "free_memory_mib",
    ):
        assert info[key] is not None, key


def test_info_for_people(sim_host, pwfile):
    result = hvtui("info", sim_host.uri, password_file=pwfile)
    assert result.returncode == 0, result.stderr
    assert "1000.20.348 (1000020348)" in result.stdout
    assert "10.0.20348" in result.stdout


def test_info_says_logical_processors_and_cores_apart(sim_host, pwfile):
    result = hvtui("info", sim_host.uri, password_file=pwfile)
    assert result.returncode == 0, result.stderr
    assert "CPU(s)" not in result.stdout
    rows = dict(line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)
    facts = json.loads(hvtui("info", sim_host.uri, "--json", password_file=pwfile).stdout)
    assert rows["Logical processors"].split()[0] == str(facts["logical_processors"])
    assert rows["Cores"].split()[0] == str(facts["sockets"] * facts["cores"])
    assert facts["logical_processors"] == facts["sockets"] * facts["cores"] * facts["threads"]


def test_vm_by_name_guid_and_ambiguity(cli_sim, pwfile):
    uri = cli_sim.hosts[0].uri
    result = hvtui("vm", uri, "web", "--json", password_file=pwfile)
    assert result.returncode == 0, result.stderr
    web = json.loads(result.stdout)
    assert web["name"] == "web"
    again = hvtui("vm", uri, web["guid"].lower(), password_file=pwfile)
    assert again.returncode == 0
    assert web["guid"] in again.stdout
    ambiguous = hvtui("vm", uri, "twin", password_file=pwfile)
    assert ambiguous.returncode == 1
    assert "2 VMs are named 'twin'" in ambiguous.stderr
    missing = hvtui("vm", uri, "nope", password_file=pwfile)
    assert missing.returncode == 1


def test_actions_exit_codes(cli_sim, pwfile):
    uri = cli_sim.hosts[0].uri
    refused = hvtui("pause", uri, "db", password_file=pwfile)  # db is off
    assert refused.returncode == 1
    assert "db is not running (it is off)" in refused.stderr
    started = hvtui("start", uri, "db", "--wait", "--timeout", "60", password_file=pwfile)
    assert started.returncode == 0, started.stderr
    assert "db started" in started.stdout
    assert cli_sim.hosts[0].model.vm("db").enabled_state == 2
    off = hvtui("off", uri, "db", password_file=pwfile)  # without --wait: accepted, not followed
    assert off.returncode == 0, off.stderr
    assert "db: turning off" in off.stdout


def test_password_from_stdin(sim_host):
    result = hvtui("ls", sim_host.uri, "--json", "--password-stdin", stdin=SIM_PASSWORD + "\n")
    assert result.returncode == 0, result.stderr


def test_wrong_password_exit_3(sim_host, tmp_path):
    path = tmp_path / "pw"
    path.write_text("Wr0ng-Passw0rd\n")
    path.chmod(0o600)
    result = hvtui("info", sim_host.uri, password_file=path)
    assert result.returncode == 3
    assert "Wr0ng" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_no_password_source_and_no_terminal(sim_host):
    result = hvtui("info", sim_host.uri, stdin="")
    assert result.returncode == 3
    assert "--password-file" in result.stderr


def test_world_readable_password_file_refused(sim_host, tmp_path):
    path = tmp_path / "pw"
    path.write_text(SIM_PASSWORD)
    path.chmod(0o644)
    result = hvtui("info", sim_host.uri, password_file=path)
    assert result.returncode == 3
    assert "chmod 600" in result.stderr


def test_unreachable_exit_3():
    result = hvtui("info", "hyperv://127.0.0.1:9/?transport=http", "--password-stdin", stdin="x\n")
    assert result.returncode == 3
    assert result.stderr.startswith("hvtui info: ")
