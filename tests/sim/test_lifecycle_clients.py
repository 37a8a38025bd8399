"""An independent client (pypsrp's WSMan) defines, changes, checkpoints and destroys a VM, and
makes and resizes a disk file, on the simulator over a real socket. It writes its parameters as
Microsoft documents them: embedded instances as escaped CIM-XML text, references as endpoint
references, object paths built by hand as libvirt's driver builds them. Nothing here is written
by hvtui's own serializer."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest

from tests.sim.test_wql_clients import _query, _value
from tests.sim.wire import V2
from tests.support.independent import WSMAN, pypsrp_client

pypsrp_wsman = pytest.importorskip("pypsrp.wsman")

ADDRESSING = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
ANONYMOUS = f"{ADDRESSING}/role/anonymous"
VSMS = f"{V2}/Msvm_VirtualSystemManagementService"
SNAPSHOTS = f"{V2}/Msvm_VirtualSystemSnapshotService"
IMS = f"{V2}/Msvm_ImageManagementService"


def _instance(cls: str, **props: str | list[str]) -> str:
    """A CIM-XML INSTANCE of DTD 2.0, the form of PowerShell's ``GetText_(1)`` and libvirt's, with
    every property written as a string (the simulator, like WMI, converts by the class)."""
    out = [f'<INSTANCE CLASSNAME="{cls}">']
    for name, value in props.items():
        if isinstance(value, list):
            values = "".join(f"<VALUE>{v}</VALUE>" for v in value)
            out.append(f'<PROPERTY.ARRAY NAME="{name}" TYPE="string">')
            out.append(f"<VALUE.ARRAY>{values}</VALUE.ARRAY></PROPERTY.ARRAY>")
        else:
            out.append(f'<PROPERTY NAME="{name}" TYPE="string"><VALUE>{value}</VALUE></PROPERTY>')
    out.append("</INSTANCE>")
    return "".join(out)


def _path(host: str, cls: str, **keys: str) -> str:
    """A WMI object path, quotes and backslashes in key values escaped as WMI writes them."""
    written = ",".join(f'{k}="{v.replace(chr(92), chr(92) * 2)}"' for k, v in keys.items())
    return f"\\\\{host}\\root\\virtualization\\v2:{cls}.{written}"


def _ref(resource: str, **selectors: str) -> ET.Element:
    """An endpoint reference parameter (its tag is set where it is sent)."""
    el = ET.Element("ref")
    ET.SubElement(el, f"{{{ADDRESSING}}}Address").text = ANONYMOUS
    params = ET.SubElement(el, f"{{{ADDRESSING}}}ReferenceParameters")
    ET.SubElement(params, f"{{{WSMAN}}}ResourceURI").text = resource
    selector_set = ET.SubElement(params, f"{{{WSMAN}}}SelectorSet")
    for name, value in selectors.items():
        ET.SubElement(selector_set, f"{{{WSMAN}}}Selector", Name=name).text = value
    return el


def _service(w, cls: str):
    row = _query(w, f"SELECT * FROM {cls}")[0]
    sel = pypsrp_wsman.SelectorSet()
    for key in ("CreationClassName", "Name", "SystemCreationClassName", "SystemName"):
        sel.add_option(key, _value(row, key))
    return sel


def _invoke(w, uri: str, sel, method: str, **params: list[str] | str | ET.Element) -> tuple[int, ET.Element]:
    body = ET.Element(f"{{{uri}}}{method}_INPUT")
    for name, value in params.items():
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, ET.Element):
                one.tag = f"{{{uri}}}{name}"
                body.append(one)
            else:
                ET.SubElement(body, f"{{{uri}}}{name}").text = one  # ElementTree escapes the markup
    out = w.invoke(f"{uri}/{method}", uri, body, selector_set=sel).find(f".//{{{uri}}}{method}_OUTPUT")
    return int(out.find(f"{{{uri}}}ReturnValue").text), out


def _selector(out: ET.Element, param: str, name: str) -> str:
    return next(
        s.text
        for p in out
        if p.tag.rsplit("}", 1)[-1] == param
        for s in p.iter(f"{{{WSMAN}}}Selector")
        if s.get("Name") == name
    )


def _finish(w, out: ET.Element) -> int:
    """Follow the method's job by Get until it ends; its JobState (7 completed, 10 exception)."""
    job_id = _selector(out, "Job", "InstanceID")
    uri = f"{V2}/Msvm_ConcreteJob"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        sel = pypsrp_wsman.SelectorSet()
        sel.add_option("InstanceID", job_id)
        job = w.get(uri, selector_set=sel).find(f"{{{uri}}}Msvm_ConcreteJob")
        state = int(_value(job, "JobState"))
        if state not in (3, 4):  # starting, running
            return state
        time.sleep(0.01)
    raise AssertionError("the job did not end")


def _of_vm(w, cls: str, props: str, guid: str) -> list[ET.Element]:
    """``cls`` instances of one VM: their InstanceIDs begin with ``Microsoft:<guid>``."""
    return _query(w, f"SELECT {props} FROM {cls} WHERE InstanceID LIKE 'Microsoft:{guid}%'")


def _vm_ref(guid: str) -> ET.Element:
    return _ref(f"{V2}/Msvm_ComputerSystem", CreationClassName="Msvm_ComputerSystem", Name=guid)


def _add(w, vsms, guid: str, instance: str) -> ET.Element:
    """AddResourceSettings of one device to a VM, followed to its end; the method's output."""
    code, out = _invoke(
        w,
        VSMS,
        vsms,
        "AddResourceSettings",
        AffectedConfiguration=_ref(f"{V2}/Msvm_VirtualSystemSettingData", InstanceID=f"Microsoft:{guid}"),
        ResourceSettings=instance,
    )
    assert code == 4096 and _finish(w, out) == 7
    return out


def _checkpoint(w, guid: str, **settings: ET.Element) -> ET.Element:
    """CreateSnapshot of a VM, followed to its end; the method's output."""
    snapshots = _service(w, "Msvm_VirtualSystemSnapshotService")
    code, out = _invoke(
        w, SNAPSHOTS, snapshots, "CreateSnapshot", AffectedSystem=_vm_ref(guid), SnapshotType="2", **settings
    )
    assert code == 4096 and _finish(w, out) == 7
    return out


def test_define_configure_checkpoint_and_destroy(make_sim):
    host = make_sim(vms=2, allow_unencrypted=True, time_scale=100).hosts[0]
    w = pypsrp_client(host, "basic")
    vsms = _service(w, "Msvm_VirtualSystemManagementService")

    code, out = _invoke(
        w,
        VSMS,
        vsms,
        "DefineSystem",
        SystemSettings=_instance(
            "Msvm_VirtualSystemSettingData",
            ElementName="from-pypsrp",
            VirtualSystemSubType="Microsoft:Hyper-V:SubType:2",
            Notes=["made by an independent client"],
        ),
        ResourceSettings=[
            _instance("Msvm_ProcessorSettingData", VirtualQuantity="2"),
            _instance("Msvm_MemorySettingData", VirtualQuantity="2048"),
        ],
    )
    assert code == 4096
    assert _finish(w, out) == 7
    guid = _selector(out, "ResultingSystem", "Name")
    row = _query(w, f"SELECT ElementName, EnabledState FROM Msvm_ComputerSystem WHERE Name = '{guid}'")
    assert [(_value(r, "ElementName"), _value(r, "EnabledState")) for r in row] == [("from-pypsrp", "3")]
    settings = _query(
        w,
        "SELECT VirtualSystemSubType, Notes FROM Msvm_VirtualSystemSettingData "
        f"WHERE InstanceID = 'Microsoft:{guid}'",
    )
    assert _value(settings[0], "VirtualSystemSubType") == "Microsoft:Hyper-V:SubType:2"
    assert _value(settings[0], "Notes") == "made by an independent client"

    # A NIC in libvirt's two steps: the port, then its connection to a switch by object path.
    switch = _query(w, "SELECT Name, ElementName FROM Msvm_VirtualEthernetSwitch")[0]
    switch_path = _path(
        host.name,
        "Msvm_VirtualEthernetSwitch",
        CreationClassName="Msvm_VirtualEthernetSwitch",
        Name=_value(switch, "Name"),
    )
    out = _add(
        w,
        vsms,
        guid,
        _instance(
            "Msvm_SyntheticEthernetPortSettingData",
            ResourceType="10",
            ResourceSubType="Microsoft:Hyper-V:Synthetic Ethernet Port",
            ElementName="Network Adapter",
            Address="00155D0A0B0C",
            StaticMacAddress="true",
        ),
    )
    port_id = _selector(out, "ResultingResourceSettings", "InstanceID")
    _add(
        w,
        vsms,
        guid,
        _instance(
            "Msvm_EthernetPortAllocationSettingData",
            ResourceType="33",
            ResourceSubType="Microsoft:Hyper-V:Ethernet Connection",
            EnabledState="2",
            Parent=_path(host.name, "Msvm_SyntheticEthernetPortSettingData", InstanceID=port_id),
            HostResource=[switch_path],
        ),
    )
    ports = _of_vm(w, "Msvm_SyntheticEthernetPortSettingData", "Address, StaticMacAddress", guid)
    assert [(_value(p, "Address"), _value(p, "StaticMacAddress")) for p in ports] == [
        ("00155D0A0B0C", "true")
    ]
    connections = _of_vm(w, "Msvm_EthernetPortAllocationSettingData", "HostResource", guid)
    assert [_value(c, "HostResource") for c in connections] == [switch_path]

    # Memory changed by ModifyResourceSettings on the instance the enumeration named.
    memory = _of_vm(w, "Msvm_MemorySettingData", "InstanceID", guid)
    code, out = _invoke(
        w,
        VSMS,
        vsms,
        "ModifyResourceSettings",
        ResourceSettings=_instance(
            "Msvm_MemorySettingData", InstanceID=_value(memory[0], "InstanceID"), VirtualQuantity="4096"
        ),
    )
    assert code == 4096 and _finish(w, out) == 7
    memory = _of_vm(w, "Msvm_MemorySettingData", "VirtualQuantity", guid)
    assert _value(memory[0], "VirtualQuantity") == "4096"

    # A checkpoint of the new VM, found again through the association Windows serves.
    out = _checkpoint(w, guid)
    vm_path = (
        "{"
        + _path(host.name, "Msvm_ComputerSystem", CreationClassName="Msvm_ComputerSystem", Name=guid)
        + "}"
    )
    taken = _query(w, f"ASSOCIATORS OF {vm_path} WHERE AssocClass = Msvm_SnapshotOfVirtualSystem")
    assert [_value(t, "InstanceID") for t in taken] == [_selector(out, "ResultingSnapshot", "InstanceID")]

    code, out = _invoke(w, VSMS, vsms, "DestroySystem", AffectedSystem=_vm_ref(guid))
    assert code == 4096 and _finish(w, out) == 7
    assert _query(w, f"SELECT Name FROM Msvm_ComputerSystem WHERE Name = '{guid}'") == []
    assert _of_vm(w, "Msvm_VirtualSystemSettingData", "InstanceID", guid) == []


def test_refusals_come_back_as_windows_return_codes(make_sim):
    host = make_sim(vms=3, allow_unencrypted=True, time_scale=100).hosts[0]
    w = pypsrp_client(host, "basic")
    vsms = _service(w, "Msvm_VirtualSystemManagementService")
    before = len(host.model.vms)
    code, _ = _invoke(
        w,
        VSMS,
        vsms,
        "DefineSystem",
        SystemSettings=_instance("Msvm_VirtualSystemSettingData", ElementName="odd-memory"),
        ResourceSettings=_instance("Msvm_MemorySettingData", VirtualQuantity="1025"),
    )
    assert code == 32773  # invalid parameter: memory is taken in 2 MiB steps
    assert len(host.model.vms) == before
    running = next(v for v in host.model.vms if v.enabled_state == 2)
    code, _ = _invoke(w, VSMS, vsms, "DestroySystem", AffectedSystem=_vm_ref(running.guid))
    assert code == 32775  # invalid state: a running VM is not deleted
    assert host.model.vm(running.guid) is not None


def _disk_size(w, ims, path: str) -> int:
    """MaxInternalSize of a disk file, from the embedded instance GetVirtualHardDiskSettingData answers."""
    code, out = _invoke(w, IMS, ims, "GetVirtualHardDiskSettingData", Path=path)
    assert code == 0
    text = next(p.text for p in out if p.tag.rsplit("}", 1)[-1] == "SettingData")
    instance = ET.fromstring(text)
    assert instance.get("CLASSNAME") == "Msvm_VirtualHardDiskSettingData"
    prop = next(p for p in instance if p.get("NAME") == "MaxInternalSize")
    return int(prop.find("VALUE").text)


def test_a_disk_file_made_resized_and_refused_when_it_exists(make_sim):
    host = make_sim(vms=2, allow_unencrypted=True, time_scale=100).hosts[0]
    w = pypsrp_client(host, "basic")
    ims = _service(w, "Msvm_ImageManagementService")
    folder = _value(
        _query(w, "SELECT DefaultVirtualHardDiskPath FROM Msvm_VirtualSystemManagementServiceSettingData")[0],
        "DefaultVirtualHardDiskPath",
    )
    path = f"{folder}\\from-pypsrp.vhdx"
    settings = _instance(
        "Msvm_VirtualHardDiskSettingData", Path=path, Type="3", Format="3", MaxInternalSize=str(10 * 2**30)
    )
    code, out = _invoke(w, IMS, ims, "CreateVirtualHardDisk", VirtualDiskSettingData=settings)
    assert code == 4096 and _finish(w, out) == 7
    assert _disk_size(w, ims, path) == 10 * 2**30
    code, out = _invoke(w, IMS, ims, "ResizeVirtualHardDisk", Path=path, MaxInternalSize=str(20 * 2**30))
    assert code == 4096 and _finish(w, out) == 7
    assert _disk_size(w, ims, path) == 20 * 2**30
    code, out = _invoke(w, IMS, ims, "CreateVirtualHardDisk", VirtualDiskSettingData=settings)
    assert code == 4096 and _finish(w, out) == 10  # Windows reports a file that exists in the job


def test_embedded_instances_in_the_other_forms_windows_takes(make_sim):
    """.NET's XmlWriter over a StringWriter declares "utf-16" for text that is no longer UTF-16;
    an instance may also come as a child element; SnapshotSettings may be nil ("may be an empty
    string")."""
    host = make_sim(vms=2, allow_unencrypted=True, time_scale=100).hosts[0]
    w = pypsrp_client(host, "basic")
    vsms = _service(w, "Msvm_VirtualSystemManagementService")
    declared = '<?xml version="1.0" encoding="utf-16"?>' + _instance(
        "Msvm_VirtualSystemSettingData", ElementName="déclaré"
    )
    code, out = _invoke(w, VSMS, vsms, "DefineSystem", SystemSettings=declared)
    assert code == 4096 and _finish(w, out) == 7
    guid = _selector(out, "ResultingSystem", "Name")
    assert host.model.vm(guid).name == "déclaré"
    as_element = ET.fromstring(_instance("Msvm_VirtualSystemSettingData", ElementName="as-an-element"))
    holder = ET.Element("holder")
    holder.append(as_element)
    code, out = _invoke(w, VSMS, vsms, "DefineSystem", SystemSettings=holder)
    assert code == 4096 and _finish(w, out) == 7
    assert host.model.vm(_selector(out, "ResultingSystem", "Name")).name == "as-an-element"
    nil = ET.Element("holder", {"{http://www.w3.org/2001/XMLSchema-instance}nil": "true"})
    _checkpoint(w, guid, SnapshotSettings=nil)
