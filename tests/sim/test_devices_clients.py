"""pypsrp, an independent WS-Man client, reads switches, devices and the guest from the simulator."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.sim.wire import V2, WQL
from tests.support.independent import ENUM, WSMAN, pypsrp_client

pypsrp_wsman = pytest.importorskip("pypsrp.wsman")




def _query(w, wql: str) -> list[ET.Element]:
    body = ET.Element(f"{{{ENUM}}}Enumerate")
    ET.SubElement(body, f"{{{WSMAN}}}OptimizeEnumeration")
    ET.SubElement(body, f"{{{WSMAN}}}MaxElements").text = "100"
    ET.SubElement(body, f"{{{WSMAN}}}Filter", Dialect=WQL).text = wql
    resp = w.enumerate(f"{V2}/*", body).find(f"{{{ENUM}}}EnumerateResponse")
    items = list(resp.find(f"{{{WSMAN}}}Items"))
    ctx = resp.find(f"{{{ENUM}}}EnumerationContext")
    while ctx is not None and ctx.text:
        pull = ET.Element(f"{{{ENUM}}}Pull")
        ET.SubElement(pull, f"{{{ENUM}}}EnumerationContext").text = ctx.text
        ET.SubElement(pull, f"{{{ENUM}}}MaxElements").text = "100"
        presp = w.pull(f"{V2}/*", pull).find(f"{{{ENUM}}}PullResponse")
        items.extend(presp.find(f"{{{ENUM}}}Items"))
        ctx = presp.find(f"{{{ENUM}}}EnumerationContext")
    return items


def _values(item: ET.Element, name: str) -> list[str]:
    return [c.text or "" for c in item if c.tag.rsplit("}", 1)[-1] == name]


def test_pypsrp_reads_switches_nics_and_guest_addresses(sim_host):
    w = pypsrp_client(sim_host)
    switches = _query(w, "SELECT Name, ElementName FROM Msvm_VirtualEthernetSwitch")
    names = {_values(s, "Name")[0]: _values(s, "ElementName")[0] for s in switches}
    assert sorted(names.values()) == ["External", "Internal", "Private"]
    ports = _query(w, "SELECT * FROM Msvm_EthernetPortAllocationSettingData WHERE EnabledState = 2")
    resources = [r for p in ports for r in _values(p, "HostResource")]
    assert any(f'Name="{guid}"' in r for r in resources for guid in names)
    nics = _query(w, "SELECT Address, StaticMacAddress FROM Msvm_SyntheticEthernetPortSettingData")
    assert nics and all(len(_values(n, "Address")[0]) == 12 for n in nics)
    configs = _query(w, "SELECT * FROM Msvm_GuestNetworkAdapterConfiguration WHERE DHCPEnabled = FALSE")
    assert configs and all(_values(c, "DHCPEnabled") == ["false"] for c in configs)
    addresses = [a for c in configs for a in _values(c, "IPAddresses")]
    assert any(":" in a for a in addresses)


def test_pypsrp_reads_kvp_items_and_devices_of_a_vm(sim_host):
    running = next(v for v in sim_host.model.vms if v.state == 2 and v.has_shutdown_service)
    w = pypsrp_client(sim_host)
    kvp = _query(w, f"SELECT * FROM Msvm_KvpExchangeComponent WHERE SystemName = '{running.guid}'")
    items = {}
    for text in _values(kvp[0], "GuestIntrinsicExchangeItems"):
        inst = ET.fromstring(text)
        props = {p.get("NAME"): p.findtext("VALUE") for p in inst.iter("PROPERTY")}
        items[props["Name"]] = props["Data"]
    assert items["FullyQualifiedDomainName"].split(".")[0] == running.name
    parts = _query(
        w,
        f"ASSOCIATORS OF {{Msvm_VirtualSystemSettingData.InstanceID='Microsoft:{running.guid}'}} "
        "WHERE AssocClass = Msvm_VirtualSystemSettingDataComponent",
    )
    kinds = {p.tag.rsplit("}", 1)[-1] for p in parts}
    assert {
        "Msvm_ResourceAllocationSettingData",
        "Msvm_StorageAllocationSettingData",
        "Msvm_SyntheticEthernetPortSettingData",
        "Msvm_EthernetPortAllocationSettingData",
        "Msvm_SerialPortSettingData",
    } <= kinds
    com = [p for p in parts if p.tag.endswith("}Msvm_SerialPortSettingData")]
    assert sorted(_values(c, "ElementName")[0] for c in com) == ["COM 1", "COM 2"]
