"""``hvtui vm``'s Devices, Network and Guest, ``domifaddr``, ``net-list``, ``dumpxml`` and the
addresses in ``ls``, against a simulated host over real sockets."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from hvtui.cli import main
from tests.conftest import SIM_DEFAULTS, SIM_PASSWORD
from tests.reliability import clirun
from tests.support.inside import inside_scenario


@pytest.fixture(scope="module")
def inside(tmp_path_factory):
    from hvtui.sim import SimOptions, Simulator

    scenario = inside_scenario(tmp_path_factory.mktemp("inside"))
    with Simulator(SimOptions(**{**SIM_DEFAULTS, "scenario": scenario})) as sim:
        yield sim.hosts[0]


@pytest.fixture
def run(inside, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    pwfile = str(clirun.password_file(tmp_path, SIM_PASSWORD))

    def run_command(command: str, *args: str) -> clirun.Result:
        return clirun.run(command, inside.uri, *args, "--password-file", pwfile)

    return run_command


def test_vm_prints_devices_network_and_guest(run):
    result = run("vm", "web-01")
    assert result.code == 0, result.err
    out = result.out
    for title in ("\nDevices\n", "\nNetwork\n", "\nGuest\n"):
        assert title in out
    assert "  hda (IDE 0:0):  D:\\VMs\\web-01.vhdx (differencing VHDX; 40 GiB, file " in out
    assert "parent D:\\Templates\\ubuntu.vhdx)" in out
    assert "DVD D:\\ISO\\ubuntu.iso" in out
    assert "00:15:5d:0a:0b:0c on LAN: 192.0.2.10/24, 2001:db8::10/64" in out
    assert "00:15:5d:0a:0b:0d not connected" in out
    assert "FQDN:                 web-01.example.org" in out


def test_vm_json_adds_disks_nics_fqdn_and_guest_os(run):
    result = run("vm", "web-01", "--json")
    record = json.loads(result.out)
    assert (record["fqdn"], record["guest_os"]) == ("web-01.example.org", "Ubuntu 24.04 LTS")
    first = record["disks"][0]
    assert (first["type"], first["parent"], first["size_bytes"]) == (
        "differencing",
        "D:\\Templates\\ubuntu.vhdx",
        40 << 30,
    )
    assert [n["switch"] for n in record["nics"]] == ["LAN", None]
    assert record["nics"][0]["mac"] == "00:15:5d:0a:0b:0c"
    assert record["nics"][0]["ips"] == ["192.0.2.10", "2001:db8::10"]
    assert record["dvds"] == [{"target": "hdc", "bus": "ide", "iso": "D:\\ISO\\ubuntu.iso"}]


def test_vm_of_an_off_vm_says_the_guest_does_not_report(run):
    result = run("vm", "cold")
    assert result.code == 0
    assert "\nGuest\n  Status:         not reporting" in result.out
    record = json.loads(run("vm", "cold", "--json").out)
    assert record["fqdn"] is None and record["nics"][0]["ips"] == []


def test_domifaddr_lists_each_address_as_virsh_does(run):
    result = run("domifaddr", "web-01")
    lines = result.out.splitlines()
    assert lines[0].split() == ["Name", "MAC", "address", "Protocol", "Address"]
    assert set(lines[1]) == {"-"}
    assert lines[2].split()[-3:] == ["00:15:5d:0a:0b:0c", "ipv4", "192.0.2.10/24"]
    assert lines[3].split() == ["-", "-", "ipv6", "2001:db8::10/64"]
    assert len(lines) == 4  # the disconnected NIC has no address
    v6 = run("domifaddr", "v6-only", "--json")
    (nic,) = json.loads(v6.out)
    assert nic["hwaddr"] == "00:15:5d:0a:0c:01" and nic["switch"] == "Lab"
    assert [(a["type"], a["addr"], a["prefix"]) for a in nic["addrs"]] == [
        ("ipv6", "2001:db8:1::7", 64),
        ("ipv6", "fe80::7", 64),
    ]
    several = json.loads(run("domifaddr", "router", "--json").out)
    assert [n["addrs"][0]["addr"] for n in several] == ["192.0.2.1", "198.51.100.1", "10.9.0.1"]


def test_domifaddr_of_a_guest_without_integration_services_lists_nothing(run):
    result = run("domifaddr", "no-services", "--json")
    assert result.code == 0
    assert [n["addrs"] for n in json.loads(result.out)] == [[]]


def test_net_list(run):
    table = run("net-list")
    assert table.code == 0
    rows = [line.split() for line in table.out.splitlines()[2:]]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("Lab", "internal", "2"),
        ("LAN", "external", "4"),
        ("Storage", "private", "1"),
    ]
    records = json.loads(run("net-list", "--json").out)
    lan = next(r for r in records if r["name"] == "LAN")
    assert lan["vms"] == ["cold", "no-services", "router", "web-01"]
    assert len(lan["guid"]) == 36 and lan["type"] == "external"


def test_dumpxml_has_libvirt_s_shape(run):
    result = run("dumpxml", "web-01")
    assert result.code == 0, result.err
    domain = ET.fromstring(result.out)
    assert domain.tag == "domain" and domain.get("type") == "hyperv" and int(domain.get("id")) > 0
    assert domain.findtext("name") == "web-01"
    assert len(domain.findtext("uuid")) == 36 and domain.findtext("uuid").islower()
    assert domain.find("memory").get("unit") == "KiB"
    assert int(domain.findtext("memory")) == int(domain.findtext("currentMemory")) == 2048 * 1024
    assert int(domain.findtext("vcpu")) >= 1
    assert domain.find("os/type").text == "hvm" and domain.find("os/type").get("arch") == "x86_64"
    disks = domain.findall("devices/disk")
    assert [(d.get("device"), d.find("target").get("dev"), d.find("target").get("bus")) for d in disks] == [
        ("disk", "hda", "ide"),
        ("disk", "hdb", "ide"),
        ("cdrom", "hdc", "ide"),
    ]
    assert disks[0].get("type") == "file" and disks[0].find("source").get("file") == "D:\\VMs\\web-01.vhdx"
    assert disks[2].find("address").attrib == {
        "type": "drive",
        "controller": "0",
        "bus": "1",
        "target": "0",
        "unit": "0",
    }
    assert [(c.get("type"), c.get("index")) for c in domain.findall("devices/controller")] == [
        ("ide", "0"),
        ("scsi", "0"),
    ]
    (interface,) = domain.findall("devices/interface")  # the disconnected NIC is left out
    assert interface.get("type") == "bridge"
    assert interface.find("mac").get("address") == "00:15:5d:0a:0b:0c"
    switches = {s["name"]: s["guid"] for s in json.loads(run("net-list", "--json").out)}
    assert interface.find("source").get("bridge") == switches["LAN"]
    serials = domain.findall("devices/serial")
    assert [(s.get("type"), s.find("source").get("path"), s.find("target").get("port")) for s in serials] == [
        ("pipe", "\\\\.\\pipe\\web-01", "1"),
        ("pipe", "-1", "2"),
    ]


def test_dumpxml_of_a_gen2_vm_puts_its_disks_on_scsi(run):
    domain = ET.fromstring(run("dumpxml", "v6-only").out)
    assert domain.get("id") is not None
    targets = [
        (d.find("target").get("dev"), d.find("target").get("bus")) for d in domain.findall("devices/disk")
    ]
    assert targets and all(dev.startswith("sd") and bus == "scsi" for dev, bus in targets)
    assert [c.get("type") for c in domain.findall("devices/controller")] == ["scsi"]
    cold = ET.fromstring(run("dumpxml", "cold").out)
    assert cold.get("id") is None  # libvirt gives an inactive domain no id


def test_ls_json_and_csv_carry_ips_and_fqdn(run):
    records = {r["name"]: r for r in json.loads(run("ls", "--json").out)}
    assert records["router"]["ips"] == ["192.0.2.1", "198.51.100.1", "10.9.0.1"]
    assert records["web-01"]["fqdn"] == "web-01.example.org"
    assert records["cold"]["ips"] == [] and records["cold"]["fqdn"] is None
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(run("ls", "--csv").out))}
    assert rows["web-01"]["ips"] == "192.0.2.10 2001:db8::10"
    assert rows["v6-only"]["fqdn"] == "v6-only.example.org" and rows["cold"]["ips"] == ""


def test_ls_table_shows_an_ip_column_on_request(run):
    plain = run("ls")
    assert " IP " not in plain.out.splitlines()[0]
    table = run("ls", "--ips")
    assert table.out.splitlines()[0].split()[-2:] == ["IP", "STATUS"]
    assert "192.0.2.1 198.51.100.1 10.9.0.1" in table.out


@pytest.mark.parametrize("command", ["vm", "domifaddr", "dumpxml"])
def test_an_unknown_vm_prints_nothing_and_exits_1(run, command):
    result = run(command, "nope")
    assert (result.code, result.out) == (1, "")
    assert len(result.err_lines) == 1 and "no VM named 'nope'" in result.err


@pytest.mark.parametrize("command", ["domifaddr", "net-list", "dumpxml"])
def test_the_new_commands_are_listed_and_have_help(command, capsys):
    assert main(["--help"]) == 0
    assert f"\n  {command} URI" in capsys.readouterr().out
    assert main([command, "--help"]) == 0
    assert f"usage: hvtui {command} " in capsys.readouterr().out


def test_an_unreachable_host_prints_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    pwfile = str(clirun.password_file(tmp_path, SIM_PASSWORD))
    result = clirun.run(
        "net-list", "hyperv://administrator@127.0.0.1:9/?transport=http", "--password-file", pwfile
    )
    assert (result.code, result.out) == (3, "")
    assert len(result.err_lines) == 1
