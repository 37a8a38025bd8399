"""Switches, devices and the guest as a scenario file sets them, and what a bad one is told."""

from __future__ import annotations

import pytest

from hvtui.sim.devices import device_table, hardware_of
from hvtui.sim.guest import guest_networks, kvp_components
from hvtui.sim.inventory import generate_host, load_scenario
from hvtui.sim.model import HostModel
from hvtui.sim.releases import RELEASES
from hvtui.sim.sim_options import OptionsError
from hvtui.sim.switches import switches

SCENARIO = """
[[host]]
name = "HV-LAB01"
[[host.switch]]
name = "LAN"
type = "external"
[[host.switch]]
name = "Storage"
type = "private"

[[host.vm]]
name = "web-01"
state = "running"
generation = 1
fqdn = "web-01.example.org"
os = "Ubuntu 24.04 LTS"
com1 = '\\\\.\\pipe\\web-01'
[[host.vm.disk]]
path = 'D:\\VMs\\web-01.vhdx'
size_gb = 40
parent = 'D:\\Templates\\ubuntu.vhdx'
[[host.vm.dvd]]
iso = 'D:\\ISO\\ubuntu.iso'
[[host.vm.nic]]
switch = "lan"
mac = "00:15:5D:0A:0B:0C"
ips = ["192.0.2.10/24", "2001:db8::10/64"]
gateways = ["192.0.2.1"]
dns = ["192.0.2.53"]
[[host.vm.nic]]

[[host.vm]]
name = "plain"
state = "off"
"""


def _model(text: str, tmp_path) -> HostModel:
    path = tmp_path / "scenario.toml"
    path.write_text(text)
    spec = load_scenario(path, RELEASES["2022"], 7)[0]
    m = HostModel(spec, time_scale=1, legacy_states=False, seed=7)
    m.tick()
    return m


def test_scenario_devices_and_guest(tmp_path):
    m = _model(SCENARIO, tmp_path)
    assert [(s["ElementName"]) for s in switches(m)] == ["LAN", "Storage"]
    web = next(vm for vm in m.vms.values() if vm.spec.name == "web-01")
    hw = hardware_of(m)[web.guid]
    assert [n.switch for n in hw.nics or []] == ["LAN", None]
    assert hw.nics and hw.nics[0].mac == "00155D0A0B0C" and hw.nics[0].static_mac
    table = device_table(m)
    assert table.files["d:\\vms\\web-01.vhdx"].disk.parent == "D:\\Templates\\ubuntu.vhdx"
    assert "d:\\templates\\ubuntu.vhdx" in table.files
    media = [v["HostResource"] for v in table.by_class["Msvm_StorageAllocationSettingData"]]
    assert ["D:\\ISO\\ubuntu.iso"] in media
    ports = [
        v
        for v in table.by_class["Msvm_SerialPortSettingData"]
        if v["InstanceID"].startswith(f"Microsoft:{web.guid}")
    ]
    assert ports[0]["Connection"] == ["\\\\.\\pipe\\web-01"]
    configs = list(guest_networks(m))
    assert configs[0]["IPAddresses"] == ["192.0.2.10", "2001:db8::10"]
    assert configs[0]["Subnets"] == ["255.255.255.0", "/64"] and configs[0]["ProtocolIFType"] == 4098
    assert configs[1]["IPAddresses"] == []
    (kvp,) = list(kvp_components(m))
    assert any("web-01.example.org" in item for item in kvp["GuestIntrinsicExchangeItems"])
    assert any("x86_64" in item for item in kvp["GuestIntrinsicExchangeItems"])
    plain = next(vm for vm in m.vms.values() if vm.spec.name == "plain")
    assert hardware_of(m)[plain.guid].disks  # what the scenario leaves out comes from the seed


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ('[[host.vm.nic]]\nswitch = "WAN"', "switch 'WAN' is not a switch of this host"),
        ('[[host.vm.nic]]\nmac = "xyz"', "mac 'xyz' is not a MAC address"),
        ('[[host.vm.nic]]\nips = ["10.0.0.300"]', "'10.0.0.300' is not an IP address"),
        ("[[host.vm.disk]]\nsize_gb = 1", "path must be a non-empty string"),
        ("[[host.vm.disk]]\npath = 'x.vhdx'\ntype = \"differencing\"", "a differencing disk needs a parent"),
        ("[[host.vm.disk]]\npath = 'x.vhdx'\nspeed = 1", "unknown key 'speed'"),
    ],
)
def test_bad_scenario_devices_get_one_line(tmp_path, snippet, message):
    path = tmp_path / "bad.toml"
    path.write_text(f'[[host]]\nname = "H"\n[[host.vm]]\nname = "a"\n{snippet}\n')
    with pytest.raises(OptionsError) as err:
        load_scenario(path, RELEASES["2022"], 7)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_seeded_devices_are_deterministic_for_every_release():
    for release in RELEASES.values():
        a, b = (
            HostModel(generate_host(0, release, 12, 3, True), time_scale=1, legacy_states=False, seed=3)
            for _ in "ab"
        )
        assert hardware_of(a) == hardware_of(b)
        assert device_table(a).by_class == device_table(b).by_class
