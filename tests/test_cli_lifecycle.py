"""create, define, set, media, disk, nic and delete as a real process against the simulator."""

from __future__ import annotations

import json

import pytest

from tests.support.scenarios import write_scenario
from tests.test_cli_commands import hvtui, pwfile  # noqa: F401  (the fixture)


@pytest.fixture
def host(make_sim, tmp_path):
    scenario = write_scenario([("web", "running", {"generation": 2}), ("db", "off")], tmp=tmp_path)
    return make_sim(scenario=scenario, time_scale=200.0).hosts[0]


def _names(host, pwfile):  # noqa: F811
    result = hvtui("ls", host.uri, "--json", password_file=pwfile)
    assert result.returncode == 0, result.stderr
    return {vm["name"]: vm for vm in json.loads(result.stdout)}


def test_create_set_change_devices_and_delete(host, pwfile):  # noqa: F811
    made = hvtui("create", host.uri, "app", "--vcpus", "2", "--memory", "2048", "--disk", "10",
                 "--switch", "External", "--iso", "C:\\ISO\\setup.iso", password_file=pwfile)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("app created on 127.0.0.1")
    assert _names(host, pwfile)["app"]["vcpus"] == 2
    changed = hvtui(
        "set", host.uri, "app", "--vcpus", "4", "--autostart", "start", "--notes", "n", password_file=pwfile
    )
    assert changed.returncode == 0, changed.stderr
    assert host.model.vm("app").vcpus == 4 and host.model.vm("app").autostart == 4
    refused = hvtui("setvcpus", host.uri, "web", "--vcpus", "8", password_file=pwfile)
    assert refused.returncode == 1
    assert "only while the VM is off" in refused.stderr and "Traceback" not in refused.stderr
    assert "ejected" in hvtui("change-media", host.uri, "app", "eject", password_file=pwfile).stdout
    added = hvtui("attach-disk", host.uri, "app", "add", "5", password_file=pwfile)
    assert "attached as sdc" in added.stdout, added.stderr  # sdb: the DVD drive
    assert "sdc removed" in hvtui("disk", host.uri, "app", "remove", "sdc", password_file=pwfile).stdout
    nic = hvtui("attach-interface", host.uri, "app", "add", "--switch", "Internal", password_file=pwfile)
    assert "connected to Internal" in nic.stdout, nic.stderr
    started = hvtui("start", host.uri, "app", "--wait", password_file=pwfile)
    assert started.returncode == 0, started.stderr
    running = hvtui("delete", host.uri, "app", "--yes", password_file=pwfile)
    assert running.returncode == 1 and "turn it off" in running.stderr
    hvtui("off", host.uri, "app", "--wait", password_file=pwfile)
    unasked = hvtui("undefine", host.uri, "app", password_file=pwfile)
    assert unasked.returncode == 2 and "needs --yes" in unasked.stderr
    gone = hvtui("undefine", host.uri, "app", "--yes", "--delete-disks", password_file=pwfile)
    assert gone.returncode == 0, gone.stderr
    assert "app deleted from 127.0.0.1" in gone.stdout and "disk file" in gone.stdout
    assert "app" not in _names(host, pwfile)


def test_define_reads_libvirt_xml(host, pwfile, tmp_path):  # noqa: F811
    xml = tmp_path / "lab.xml"
    xml.write_text(
        "<domain type='hyperv'><name>lab</name><description>from virsh</description>"
        "<memory unit='GiB'>2</memory><vcpu placement='static'>3</vcpu><os><type>hvm</type></os>"
        "<devices><disk type='file' device='cdrom'><source file='C:\\ISO\\lab.iso'/>"
        "<target dev='hdc' bus='ide'/></disk><interface type='bridge'><mac address='00:15:5d:00:00:99'/>"
        "<source bridge='Private'/></interface><serial type='pipe'><source path='\\\\.\\pipe\\lab'/>"
        "<target port='1'/></serial></devices></domain>"
    )
    result = hvtui("define", host.uri, str(xml), password_file=pwfile)
    assert result.returncode == 0, result.stderr
    lab = host.model.vm("lab")
    assert (lab.vcpus, lab.memory_mb, lab.generation, lab.notes) == (3, 2048, 1, "from virsh")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("<domain><memory>1</memory></domain>", "<name> is missing"),
        ("<!DOCTYPE d [<!ENTITY x 'y'>]><domain><name>&x;</name></domain>", "not a readable XML"),
        ("<domain><name>n</name><memory>1024</memory><devices><interface type='network'/></devices></domain>",
         "type='bridge'"),
        ("<domain", "not a readable XML"),
    ],
)  # fmt: skip
def test_define_says_what_is_wrong_in_one_line(host, pwfile, tmp_path, text, words):  # noqa: F811
    xml = tmp_path / "bad.xml"
    xml.write_text(text)
    result = hvtui("define", host.uri, str(xml), password_file=pwfile)
    assert result.returncode == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_bad_values_are_usage_errors_before_any_request(pwfile):  # noqa: F811
    for args in (
        ["create", "hyperv://h/", "x", "--dynamic-memory", "9-1"],
        ["set", "hyperv://h/", "x", "--vcpus", "0"],
    ):
        result = hvtui(*args, password_file=pwfile)
        assert result.returncode == 2 and "Traceback" not in result.stderr


def test_dumpxml_fed_back_to_define_gives_an_equivalent_vm(host, pwfile, tmp_path):  # noqa: F811
    """A VM moved the libvirt way: dumpxml, undefine (its disk stays), define from the XML."""
    import xml.etree.ElementTree as ET

    made = hvtui("create", host.uri, "orig", "--vcpus", "2", "--memory", "2048", "--disk", "8",
                 "--switch", "External", password_file=pwfile)  # fmt: skip
    assert made.returncode == 0, made.stderr
    before = _names(host, pwfile)["orig"]
    dumped = hvtui("dumpxml", host.uri, "orig", password_file=pwfile)
    assert dumped.returncode == 0, dumped.stderr
    xml = tmp_path / "orig.xml"
    xml.write_text(dumped.stdout)
    shared = hvtui("define", host.uri, str(xml), password_file=pwfile)
    assert shared.returncode == 1 and "in use by another virtual machine" in shared.stderr
    assert "nothing of it is left" in shared.stderr  # the half-made copy was taken back
    assert hvtui("undefine", host.uri, "orig", "--yes", password_file=pwfile).returncode == 0
    defined = hvtui("define", host.uri, str(xml), password_file=pwfile)
    assert defined.returncode == 0, defined.stderr
    after = _names(host, pwfile)["orig"]
    for field in ("vcpus", "memory_mib", "generation", "state"):
        assert after[field] == before[field], field
    first = ET.fromstring(dumped.stdout)
    again = ET.fromstring(hvtui("dumpxml", host.uri, "orig", password_file=pwfile).stdout)
    for path in ("memory", "vcpu", "os/type"):
        assert again.findtext(path) == first.findtext(path), path
    assert [d.find("source").get("file") for d in again.findall("devices/disk[@device='disk']")] == [
        d.find("source").get("file") for d in first.findall("devices/disk[@device='disk']")
    ]
    assert [i.find("source").get("bridge") for i in again.findall("devices/interface")] == [
        i.find("source").get("bridge") for i in first.findall("devices/interface")
    ]
