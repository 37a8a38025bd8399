"""An independent client (pypsrp's WSMan) sends WQL to the simulator over a real socket."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.sim.wire import ENUMERATE, V2, WQL, enumerate_body, envelope, post
from tests.support.independent import ENUM, WSMAN, pypsrp_client

pypsrp_wsman = pytest.importorskip("pypsrp.wsman")
pypsrp_exceptions = pytest.importorskip("pypsrp.exceptions")




def _query(w, wql: str) -> list[ET.Element]:
    uri = f"{V2}/*"
    body = ET.Element(f"{{{ENUM}}}Enumerate")
    ET.SubElement(body, f"{{{WSMAN}}}OptimizeEnumeration")
    ET.SubElement(body, f"{{{WSMAN}}}MaxElements").text = "50"
    ET.SubElement(body, f"{{{WSMAN}}}Filter", Dialect=WQL).text = wql
    resp = w.enumerate(uri, body).find(f"{{{ENUM}}}EnumerateResponse")
    found = resp.find(f"{{{WSMAN}}}Items")
    items = list(found) if found is not None else []
    ctx = resp.find(f"{{{ENUM}}}EnumerationContext")
    while ctx is not None and ctx.text:
        pull = ET.Element(f"{{{ENUM}}}Pull")
        ET.SubElement(pull, f"{{{ENUM}}}EnumerationContext").text = ctx.text
        ET.SubElement(pull, f"{{{ENUM}}}MaxElements").text = "50"
        presp = w.pull(uri, pull).find(f"{{{ENUM}}}PullResponse")
        items.extend(presp.find(f"{{{ENUM}}}Items"))
        ctx = presp.find(f"{{{ENUM}}}EnumerationContext")
    return items


def _value(item: ET.Element, name: str) -> str | None:
    return next(c.text for c in item if c.tag.rsplit("}", 1)[-1] == name)


@pytest.mark.parametrize("auth", ["basic", "ntlm"])
def test_property_to_property_and_associators(sim_host, auth):
    w = pypsrp_client(sim_host, auth)
    vms = sim_host.model.vms
    same = _query(w, "SELECT Name, ElementName FROM Msvm_ComputerSystem WHERE Name = ElementName")
    assert [_value(i, "Name") for i in same] == [sim_host.name]
    settled = _query(
        w, "SELECT Name FROM Msvm_ComputerSystem WHERE EnabledState != RequestedState AND Name <> ElementName"
    )
    assert {_value(i, "Name") for i in settled} <= {v.guid for v in vms}
    vm = vms[0]
    path = (
        f'{{\\\\{sim_host.name}\\root\\virtualization\\v2:Msvm_ComputerSystem.Name="{vm.guid.lower()}",'
        'CreationClassName="Msvm_ComputerSystem"}'
    )
    vssd = _query(w, f"ASSOCIATORS OF {path} WHERE AssocClass = Msvm_SettingsDefineState")
    assert len(vssd) == 1
    assert vssd[0].tag.endswith("}Msvm_VirtualSystemSettingData")
    assert _value(vssd[0], "ElementName") == vm.name
    refs = _query(w, f"REFERENCES OF {path} WHERE ResultClass = CIM_SettingsDefineState")
    assert [r.tag.rsplit("}", 1)[-1] for r in refs] == ["Msvm_SettingsDefineState"]


def test_invalid_queries_get_cannot_process_filter(sim_host):
    w = pypsrp_client(sim_host, "basic")
    for wql, inner in [
        ("SELECT * FROM Msvm_ComputerSystem WHERE Name = = 'x'", "Invalid query "),
        (
            "SELECT * FROM Msvm_Nope WHERE Name = ElementName",
            "The specified class does not exist in the given namespace. ",
        ),
    ]:
        with pytest.raises(pypsrp_exceptions.WSManFaultError) as err:
            _query(w, wql)
        assert err.value.code == 2150858778
        assert err.value.provider == "WMI Provider"
        reply = post(sim_host, envelope(ENUMERATE, f"{V2}/*", enumerate_body(wql)))
        assert reply.subcode == "n:CannotProcessFilter"
        assert reply.text("//f:ProviderFault/f:WSManFault/f:Message") == inner
        assert reply.text("//*[local-name()='ParameterInfo']") == wql
