"""Switches, VM devices, the guest and host files of a simulated host, read with hvtui's own
WS-Man client over a real socket, the way libvirt's Hyper-V driver reads them for dumpxml."""

from __future__ import annotations

import asyncio
import contextlib
import math
import xml.etree.ElementTree as ET

from hvtui import namespaces as ns
from hvtui.wsman import ClassSchema, ClientOptions, Credentials, WSManClient

V2 = ns.VIRTUALIZATION_V2
WILD = f"{V2}/*"
CS_KEYS = "CreationClassName='Msvm_ComputerSystem',Name='{}'"
ARRAYS = {
    "HostResource": "string[]",
    "Connection": "string[]",
    "IPAddresses": "string[]",
    "Subnets": "string[]",
    "DefaultGateways": "string[]",
    "DNSServers": "string[]",
    "GuestIntrinsicExchangeItems": "string[]",
    "EnabledState": "uint16",
    "ResourceType": "uint16",
    "ProtocolIFType": "uint16",
    "HealthState": "uint16",
}


def _schema(name: str) -> ClassSchema:
    return ClassSchema(name, ARRAYS)


@contextlib.asynccontextmanager
async def connect(host):
    options = ClientOptions(operation_timeout=10, read_timeout=15, total_timeout=30)
    async with WSManClient(
        f"http://127.0.0.1:{host.port}/wsman", Credentials(host.user, host.password), options
    ) as client:
        yield client


async def query(client, wql: str, cls: str = "*") -> list:
    return await client.enumerate_all(f"{V2}/{cls}", wql, max_elements=100, schema=_schema(cls))


def vssd_parts(guid: str, result_class: str) -> str:
    return (
        f"ASSOCIATORS OF {{Msvm_VirtualSystemSettingData.InstanceID='Microsoft:{guid}'}} "
        f"WHERE AssocClass = Msvm_VirtualSystemSettingDataComponent ResultClass = {result_class}"
    )


def wql_path(path: str) -> str:
    return path.replace("\\", "\\\\").replace("'", "\\'")


def kvp_items(component) -> dict[str, str]:
    items = {}
    for text in component["GuestIntrinsicExchangeItems"]:
        inst = ET.fromstring(text)
        assert inst.get("CLASSNAME") == "Msvm_KvpExchangeDataItem"
        props = {p.get("NAME"): p.findtext("VALUE") for p in inst.iter("PROPERTY")}
        assert props["Source"] == "2"
        items[props["Name"]] = props["Data"] or ""
    return items


async def test_three_switches_and_their_kinds(sim_host):
    async with connect(sim_host) as client:
        switches = await query(client, "SELECT * FROM Msvm_VirtualEthernetSwitch WHERE HealthState = 5")
        ports = await query(
            client, "SELECT * FROM Msvm_EthernetPortAllocationSettingData WHERE Parent IS NULL"
        )
        one = await client.get(
            f"{V2}/Msvm_VirtualEthernetSwitch",
            {"CreationClassName": "Msvm_VirtualEthernetSwitch", "Name": switches[0]["Name"]},
        )
    assert sorted(s["ElementName"] for s in switches) == ["External", "Internal", "Private"]
    assert one["ElementName"] == switches[0]["ElementName"]
    uplinks = {p["LastKnownSwitchName"]: p["HostResource"][0] for p in ports}
    assert ":Msvm_ExternalEthernetPort." in uplinks["External"]
    assert ':Msvm_ComputerSystem.CreationClassName="Msvm_ComputerSystem"' in uplinks["Internal"]
    assert "Private" not in uplinks


async def test_a_vm_s_disks_hang_off_their_controllers(sim_host):
    gen1 = next(vm for vm in sim_host.model.vms if vm.generation == 1)
    async with connect(sim_host) as client:
        rasd = await query(client, vssd_parts(gen1.guid, "Msvm_ResourceAllocationSettingData"))
        sasd = await query(client, vssd_parts(gen1.guid, "Msvm_StorageAllocationSettingData"))
    by_id = {r["InstanceID"]: r for r in rasd}

    def parent_of(item):
        found = [r for iid, r in by_id.items() if item["Parent"].endswith(iid.replace("\\", "\\\\") + '"')]
        assert len(found) == 1, item["Parent"]
        return found[0]

    ide = sorted(
        r["Address"] for r in rasd if r["ResourceSubType"] == "Microsoft:Hyper-V:Emulated IDE Controller"
    )
    assert ide == ["0", "1"]
    assert [r["ResourceType"] for r in rasd if "SCSI" in r["ResourceSubType"]] == [6]
    disks = [s for s in sasd if s["ResourceSubType"] == "Microsoft:Hyper-V:Virtual Hard Disk"]
    assert disks and all(s["HostResource"][0].lower().endswith((".vhd", ".vhdx")) for s in disks)
    for media in sasd:
        drive = parent_of(media)
        assert drive["ResourceType"] in (16, 17) and drive["AddressOnParent"].isdigit()
        assert parent_of(drive)["ResourceType"] in (5, 6)
        assert media["InstanceID"].startswith(f"Microsoft:{gen1.guid}\\")


async def test_nics_reach_their_switch_by_path_or_are_disconnected(sim_host):
    async with connect(sim_host) as client:
        connections = await query(
            client,
            "SELECT InstanceID, HostResource, EnabledState, Parent "
            "FROM Msvm_EthernetPortAllocationSettingData",
        )
        connections = [c for c in connections if c["Parent"]]
        nics = await query(client, "SELECT * FROM Msvm_SyntheticEthernetPortSettingData")
        connected = next(c for c in connections if c["EnabledState"] == 2)
        switch = await query(
            client,
            "SELECT * FROM Msvm_VirtualEthernetSwitch "
            f"WHERE __PATH = '{wql_path(connected['HostResource'][0])}'",
        )
        nic = await query(
            client,
            "SELECT * FROM Msvm_SyntheticEthernetPortSettingData "
            f"WHERE __PATH = '{wql_path(connected['Parent'])}'",
        )
    assert len(switch) == 1 and len(nic) == 1
    assert connected["InstanceID"] == nic[0]["InstanceID"] + "\\C"
    assert all(len(n["Address"]) == 12 and n["Address"].startswith("00155D") for n in nics)
    assert len(nics) == len(connections)
    disconnected = [c for c in connections if c["EnabledState"] == 3]
    assert disconnected and all(not c["HostResource"] for c in disconnected)


async def test_the_guest_reports_only_while_running_with_integration_services(sim_host):
    vms = sim_host.model.vms
    async with connect(sim_host) as client:
        kvps = await query(client, "SELECT * FROM Msvm_KvpExchangeComponent")
        configs = await query(client, "SELECT * FROM Msvm_GuestNetworkAdapterConfiguration")
        running = next(v for v in vms if v.state == 2 and v.has_shutdown_service)
        via_vm = await query(
            client,
            f"ASSOCIATORS OF {{Msvm_ComputerSystem.{CS_KEYS.format(running.guid)}}} "
            "WHERE ResultClass = Msvm_KvpExchangeComponent",
        )
    answering = {v.guid for v in vms if v.state in (2, 9) and v.has_shutdown_service}
    assert {k["SystemName"] for k in kvps} == answering
    assert {c["InstanceID"].split("\\")[1] for c in configs} == answering
    assert all(c["InstanceID"].startswith("Microsoft:GuestNetwork\\") for c in configs)
    assert any(not v.has_shutdown_service and v.state == 2 for v in vms)
    assert any(v.state == 3 for v in vms)
    items = kvp_items(via_vm[0])
    assert items["FullyQualifiedDomainName"].startswith(running.name + ".")
    assert {
        "OSName",
        "OSVersion",
        "OSBuildNumber",
        "ProcessorArchitecture",
        "IntegrationServicesVersion",
    } <= set(items)


async def test_ipv6_only_guest_and_a_guest_with_three_nics(sim_host):
    async with connect(sim_host) as client:
        configs = await query(client, "SELECT * FROM Msvm_GuestNetworkAdapterConfiguration")
        v6_only = next(c for c in configs if c["ProtocolIFType"] == 4097 and c["DefaultGateways"])
        vm_guid, nic_guid = v6_only["InstanceID"].split("\\")[1:]
        nic_id = wql_path("Microsoft:" + vm_guid + "\\" + nic_guid)
        nic = await query(
            client,
            f"SELECT * FROM Msvm_SyntheticEthernetPortSettingData WHERE InstanceID = '{nic_id}'",
        )
        via_nic = await query(
            client,
            "ASSOCIATORS OF {Msvm_SyntheticEthernetPortSettingData.InstanceID="
            f"'{wql_path(nic[0]['InstanceID'])}'}} "
            "WHERE AssocClass = Msvm_SettingDataComponent",
        )
    assert all(":" in ip for ip in v6_only["IPAddresses"]) and all(
        s.startswith("/") for s in v6_only["Subnets"]
    )
    assert via_nic[0]["InstanceID"] == v6_only["InstanceID"]
    per_vm: dict[str, list] = {}
    for c in configs:
        per_vm.setdefault(c["InstanceID"].split("\\")[1], []).append(c)
    several = next(cs for cs in per_vm.values() if len(cs) == 3)
    subnets = {s for c in several for s in c["Subnets"]}
    assert "255.255.0.0" in subnets and "255.255.255.0" in subnets


async def test_image_management_answers_for_a_differencing_disk(sim_host):
    first = sim_host.model.vms[0]
    service = {"CreationClassName": "Msvm_ImageManagementService"}
    out = ClassSchema("OUTPUT", {"SettingData": "string", "State": "string"})
    async with connect(sim_host) as client:
        media = await query(client, vssd_parts(first.guid, "Msvm_StorageAllocationSettingData"))
        path = next(m["HostResource"][0] for m in media if m["ResourceSubType"].endswith("Virtual Hard Disk"))
        settings = await client.invoke(
            f"{V2}/Msvm_ImageManagementService",
            "GetVirtualHardDiskSettingData",
            service,
            {"Path": path},
            schema=out,
        )
        state = await client.invoke(
            f"{V2}/Msvm_ImageManagementService",
            "GetVirtualHardDiskState",
            service,
            {"Path": path},
            schema=out,
        )
        missing = await client.invoke(
            f"{V2}/Msvm_ImageManagementService", "GetVirtualHardDiskState", service, {"Path": "C:\\nope.vhdx"}
        )
        parent = ET.fromstring(settings.outputs["SettingData"])
        values = {p.get("NAME"): p.findtext("VALUE") for p in parent.iter("PROPERTY")}
        of_parent = await client.invoke(
            f"{V2}/Msvm_ImageManagementService",
            "GetVirtualHardDiskSettingData",
            service,
            {"Path": values["ParentPath"]},
            schema=out,
        )
    assert settings.return_value == 0 and parent.get("CLASSNAME") == "Msvm_VirtualHardDiskSettingData"
    assert values["Type"] == "4" and values["Path"] == path and values["ParentPath"]
    assert values["Format"] == ("3" if path.lower().endswith(".vhdx") else "2")
    assert int(values["MaxInternalSize"]) == 127 << 30
    disk_state = {
        p.get("NAME"): p.findtext("VALUE") for p in ET.fromstring(state.outputs["State"]).iter("PROPERTY")
    }
    assert 0 < int(disk_state["FileSize"]) < int(values["MaxInternalSize"])
    assert missing.return_value == 32779
    assert of_parent.return_value == 0 and "<VALUE>3</VALUE>" in of_parent.outputs["SettingData"]


async def test_hyper_v_files_and_default_folders(sim_host):
    files_wql = (
        "SELECT Name, Version FROM CIM_DataFile WHERE Path = '\\\\windows\\\\system32\\\\' "
        "AND (FileName = 'vmms' OR FileName = 'vmwp') AND Extension = 'exe'"
    )
    async with connect(sim_host) as client:
        files = await client.enumerate_all(f"{ns.CIMV2}/*", files_wql)
        vmms = await client.get(f"{ns.CIMV2}/CIM_DataFile", {"Name": "c:\\windows\\system32\\vmms.exe"})
        folders = await query(
            client,
            "ASSOCIATORS OF {Msvm_VirtualSystemManagementService."
            "CreationClassName='Msvm_VirtualSystemManagementService',"
            f"Name='vmms',SystemCreationClassName='Msvm_ComputerSystem',SystemName='{sim_host.name}'}} "
            "WHERE ResultClass = Msvm_VirtualSystemManagementServiceSettingData",
        )
    assert sorted(f["Name"] for f in files) == [
        "c:\\windows\\system32\\vmms.exe",
        "c:\\windows\\system32\\vmwp.exe",
    ]
    assert vmms["Version"].startswith("10.0.20348.")
    assert folders[0]["DefaultVirtualHardDiskPath"].startswith("C:\\")
    assert folders[0]["DefaultExternalDataRoot"].endswith("Hyper-V")


async def _config_round_trips(host) -> tuple[int, int]:
    """(requests, configurations) of one property-list enumeration of every guest's addresses."""
    host.reset_counters()
    async with connect(host) as client:
        found = await client.enumerate_all(
            f"{V2}/Msvm_GuestNetworkAdapterConfiguration",
            "SELECT InstanceID, IPAddresses FROM Msvm_GuestNetworkAdapterConfiguration",
            max_elements=512,
        )
    counts = host.counters.as_dict()
    assert set(counts) <= {"Enumerate", "Pull", "Release", "http_401"} and counts["Enumerate"] == 1
    return counts["Enumerate"] + counts.get("Pull", 0), len(found)


async def test_guest_addresses_of_every_vm_in_a_fixed_number_of_round_trips(make_sim):
    small, _ = await _config_round_trips(make_sim(vms=10).hosts[0])
    large, configs = await _config_round_trips(make_sim(vms=1000).hosts[0])
    assert small == 2  # the Enumerate carries one item, as on Windows; one Pull brings the rest
    # More VMs cost only the pages that WinRM's envelope size (about 76 KB a page) makes
    # necessary; a configuration renders in well under 400 bytes.
    assert configs > 500
    assert large <= 1 + math.ceil(configs * 400 / 76_800)


async def test_resizing_a_disk_runs_as_a_job_and_refuses_what_windows_refuses(sim_host):
    """ResizeVirtualHardDisk: 4096 and a job that grows the file; a size of nothing is refused at once."""

    off = next(vm for vm in sim_host.model.vms if vm.state == 3)
    service = {"CreationClassName": "Msvm_ImageManagementService"}
    image = f"{V2}/Msvm_ImageManagementService"
    out = ClassSchema("OUTPUT", {"SettingData": "string"})

    async def size_of(client, path: str) -> int:
        read = await client.invoke(
            image, "GetVirtualHardDiskSettingData", service, {"Path": path}, schema=out
        )
        root = ET.fromstring(read.outputs["SettingData"])
        values = {p.get("NAME"): p.findtext("VALUE") for p in root.iter("PROPERTY")}
        return int(values["MaxInternalSize"] or 0)

    async with connect(sim_host) as client:
        media = await query(client, vssd_parts(off.guid, "Msvm_StorageAllocationSettingData"))
        path = next(m["HostResource"][0] for m in media if m["ResourceSubType"].endswith("Virtual Hard Disk"))
        before = await size_of(client, path)
        grown = await client.invoke(
            image, "ResizeVirtualHardDisk", service, {"Path": path, "MaxInternalSize": before * 2}
        )
        nothing = await client.invoke(
            image, "ResizeVirtualHardDisk", service, {"Path": path, "MaxInternalSize": 0}
        )
        assert grown.return_value == 4096 and grown.job is not None
        assert nothing.return_value == 32773  # invalid parameter, and no job
        for _ in range(200):
            if await size_of(client, path) == before * 2:
                break
            await asyncio.sleep(0.05)
        assert await size_of(client, path) == before * 2
