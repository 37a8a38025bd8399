"""``hvtui ls`` without a URI lists the config's hosts; names that several VMs share are answered
with each one's state, host and GUID; ``--guid`` shows the GUID column."""

from __future__ import annotations

import json

import keyring.backends.null
import keyring.core
import pytest

from hvtui.cli import main
from hvtui.uri import parse_uri
from tests.conftest import SIM_DEFAULTS, SIM_PASSWORD
from tests.reliability import clirun
from tests.support.scenarios import write_scenario


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    monkeypatch.setenv("HVTUI_CONFIG", str(path))
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.backends.null.Keyring())
    return path


@pytest.fixture
def pwfile(tmp_path):
    return str(clirun.password_file(tmp_path, SIM_PASSWORD))


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    from hvtui.sim import SimOptions, Simulator

    vms = [("web", "running"), ("twin", "off"), ("twin", "running")]
    scenario = write_scenario(vms, tmp=tmp_path_factory.mktemp("twins"), name="HV-TWINS")
    with Simulator(SimOptions(**{**SIM_DEFAULTS, "scenario": scenario})) as sim:
        yield sim.hosts[0]


def test_ls_without_a_uri_lists_the_config_s_hosts(make_sim, config, pwfile):
    sim = make_sim(hosts=2, vms=3)
    config.write_text("".join(f'[[hosts]]\nuri = "{h.uri}"\n' for h in sim.hosts))
    listed = clirun.run("ls", "--json", "--password-file", pwfile)
    assert listed.code == 0, listed.err
    assert {vm["host"] for vm in json.loads(listed.out)} == {h.uri for h in sim.hosts}
    table = clirun.run("ls", "--password-file", pwfile)
    assert table.code == 0, table.err
    assert "HOST" in table.out.splitlines()[0]


def test_a_config_host_whose_uri_no_longer_parses_is_said_and_left_out(sim_host, config, pwfile):
    config.write_text(f'[[hosts]]\nuri = "hyperv://hv01:99999/"\n[[hosts]]\nuri = "{sim_host.uri}"\n')
    listed = clirun.run("ls", "--json", "--password-file", pwfile)
    assert listed.code == 2
    assert len(json.loads(listed.out)) == len(sim_host.model.vms)
    assert listed.err_lines == [
        "hvtui ls: config: host 'hyperv://hv01:99999/' left out: "
        "port 99999 is out of range: use a number from 1 to 65535"
    ]


def test_ls_without_a_uri_and_no_hosts_in_the_config(config, capsys):
    assert main(["ls"]) == 2
    err = capsys.readouterr().err
    assert f"hvtui ls: a URI is required: none was given, and {config} lists no hosts" in err


def test_ca_file_applies_to_the_uris_given_with_it(config, capsys, tmp_path):
    config.write_text('[[hosts]]\nuri = "hyperv://hv01/"\n')
    assert main(["ls", "--ca-file", str(config)]) == 2
    assert "set ca_file in the config" in capsys.readouterr().err


@pytest.mark.parametrize("command", [("vm",), ("start",)])
def test_an_ambiguous_name_shows_each_candidate(twins, pwfile, command):
    result = clirun.run(*command, twins.uri, "twin", "--password-file", pwfile, "--no-keyring")
    assert result.code == 1
    line = result.err_lines[0]
    assert len(result.err_lines) == 1
    assert "2 VMs are named 'twin'" in line
    host = parse_uri(twins.uri).display_host
    for vm in twins.model.vms:
        if vm.name == "twin":
            state = "off" if vm.enabled_state == 3 else "running"
            assert f"{vm.guid} ({state} on {host})" in line


def test_ls_can_show_the_guid_column(twins, pwfile):
    result = clirun.run("ls", twins.uri, "--guid", "--password-file", pwfile, "--no-keyring")
    assert result.code == 0, result.err
    header, *_ = result.out.splitlines()
    assert header.split()[:3] == ["ID", "NAME", "GUID"]
    for vm in twins.model.vms:
        assert vm.guid in result.out
    plain = clirun.run("ls", twins.uri, "--password-file", pwfile, "--no-keyring")
    assert twins.model.vms[0].guid not in plain.out
