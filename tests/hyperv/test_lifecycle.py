"""Creating, changing and deleting VMs through HyperVHost against the simulator, over real sockets."""

from __future__ import annotations

import pytest

from hvtui.hyperv.devices_edit import DeviceEditor
from hvtui.hyperv.errors import ActionFailed, ActionRefused
from hvtui.hyperv.lifecycle import DiskPlan, NewVM, NicPlan, create_vm, delete_vm
from hvtui.hyperv.vm_settings import SettingsChange, apply_settings
from tests.hyperv.test_host import host_for
from tests.support.scenarios import write_scenario


async def _editor(host, name: str) -> DeviceEditor:
    vm = await host.find_vm(name)
    facts = await host.host_facts()
    return DeviceEditor(host.session, facts.hostname.split(".")[0], vm)


async def test_a_created_vm_is_listed_started_and_deleted(make_sim):
    sim = make_sim(vms=3, time_scale=200.0)
    plan = NewVM("fresh", generation=2, vcpus=2, memory_mib=2048, disks=(DiskPlan(size_gib=20),),
                 nics=(NicPlan("External"),), isos=("C:\\ISO\\setup.iso",))  # fmt: skip
    async with host_for(sim.hosts[0]) as host:
        made = await create_vm(host, plan)
        snap = await host.snapshot()
        vm = snap.by_guid[made.guid]
        assert (vm.name, vm.vcpus, vm.startup_memory_mib, vm.generation) == ("fresh", 2, 2048, 2)
        layout = await (await _editor(host, made.guid)).layout()
        assert [d.device for d in layout.drives] == ["disk", "cdrom"]
        assert layout.drives[0].path.endswith("\\fresh.vhdx")
        assert [n.switch for n in layout.nics] == ["External"]
        action = await host.request(vm, "start")
        assert (await action.wait(timeout=30)).ok
        with pytest.raises(ActionRefused, match="turn it off"):
            await delete_vm(host, await host.find_vm(made.guid))
        assert (await (await host.request(made.guid, "off")).wait(timeout=30)).ok
        message = await delete_vm(host, await host.find_vm(made.guid), delete_disks=True)
        assert "1 disk file" in message
        assert made.guid not in (await host.snapshot()).by_guid
    assert all(v.guid != made.guid for v in sim.hosts[0].model.vms)


async def test_a_failing_step_takes_the_new_vm_back(make_sim):
    sim = make_sim(vms=2)
    plan = NewVM("broken", disks=(DiskPlan(path="C:\\nowhere\\missing.vhdx"),))
    async with host_for(sim.hosts[0]) as host:
        before = len((await host.snapshot()).vms)
        with pytest.raises(ActionFailed, match="undone: nothing of it is left"):
            await create_vm(host, plan)
        assert len((await host.snapshot()).vms) == before


async def test_failing_jobs_leave_nothing_behind(make_sim):
    sim = make_sim(vms=2, faults="fail-jobs:p=1")
    async with host_for(sim.hosts[0]) as host:
        with pytest.raises(ActionFailed, match="defining x failed"):
            await create_vm(host, NewVM("x"))
    assert len(sim.hosts[0].model.vms) == 2


async def test_refusals_are_said_before_anything_is_sent(make_sim):
    sim = make_sim(vms=1)
    async with host_for(sim.hosts[0]) as host:
        for plan, words in [
            (NewVM("m", memory_mib=1001), "even number"),
            (NewVM("c", vcpus=100000), "virtual processors"),
            (NewVM("g", generation=1, secure_boot=True), "secure boot"),
        ]:
            with pytest.raises(ActionRefused, match=words):
                await create_vm(host, plan)


async def test_settings_apply_what_the_state_allows(tmp_path, make_sim):
    scenario = write_scenario([("on", "running"), ("down", "off")], tmp=tmp_path)
    sim = make_sim(scenario=scenario)
    change = SettingsChange(vcpus=4, memory_mib=4096, autostart="start", notes="hello", name=None)
    async with host_for(sim.hosts[0]) as host:
        running = await apply_settings(host, await host.find_vm("on"), change)
        stopped = await apply_settings(host, await host.find_vm("down"), change)
    assert [(o.what, o.ok) for o in running] == [
        ("notes, autostart", True),
        ("vcpus", False),
        ("memory", False),
    ]
    assert "only while the VM is off" in running[1].message
    assert all(o.ok for o in stopped)
    down = sim.hosts[0].model.vm("down")
    assert (down.vcpus, down.memory_mb, down.autostart, down.notes) == (4, 4096, 4, "hello")
    assert sim.hosts[0].model.vm("on").autostart == 4


async def test_generation_1_ide_rules(tmp_path, make_sim):
    scenario = write_scenario([("old", "off")], tmp=tmp_path)
    sim = make_sim(scenario=scenario, time_scale=200.0)
    disks = tuple(DiskPlan(size_gib=1) for _ in range(3))
    async with host_for(sim.hosts[0]) as host:
        await create_vm(host, NewVM("g1", generation=1, disks=disks))
        editor = await _editor(host, "g1")
        layout = await editor.layout()
        assert [d.target for d in layout.drives] == ["hda", "hdb", "hdc"]
        ide0 = next(c for c in layout.controllers if c.bus == "ide" and c.index == 0)
        with pytest.raises(ActionRefused, match="32773"):  # a channel holds two drives
            await editor._add(
                "Msvm_ResourceAllocationSettingData",
                {"ResourceType": 17, "ResourceSubType": "Microsoft:Hyper-V:Synthetic Disk Drive",
                 "Parent": editor._path("Msvm_ResourceAllocationSettingData", ide0.instance_id),
                 "AddressOnParent": "2"},
                {"ResourceType": "uint16", "ResourceSubType": "string", "Parent": "string",
                 "AddressOnParent": "string"},
                "a third drive on IDE 0",
            )  # fmt: skip
        assert (await (await host.request("g1", "start")).wait(timeout=30)).ok
        editor = await _editor(host, "g1")
        with pytest.raises(ActionRefused, match="32775"):
            await editor.remove_disk("hda")
        message = await editor.add_disk(
            size_gib=2, folder="C:\\ProgramData\\Microsoft\\Windows\\Virtual Hard Disks"
        )
        assert "attached as sda" in message
        assert "sda removed" in await editor.remove_disk("sda")
        with pytest.raises(ActionRefused, match="32775"):
            await editor.add_nic("External")  # generation 1: NICs only while off


async def test_media_and_nics_on_a_running_generation_2_vm(tmp_path, make_sim):
    scenario = write_scenario([("web", "running", {"generation": 2})], tmp=tmp_path)
    sim = make_sim(scenario=scenario)
    async with host_for(sim.hosts[0]) as host:
        editor = await _editor(host, "web")
        assert "inserted" in await editor.insert("C:\\ISO\\a.iso")
        assert "replaced" in await editor.insert("C:\\ISO\\b.iso")
        assert "ejected C:\\ISO\\b.iso" in await editor.eject()
        with pytest.raises(ActionRefused, match="no disc"):
            await editor.eject()
        added = await editor.add_nic("Internal")
        assert "connected to Internal" in added
        nic = (await editor.layout()).nics[-1]
        assert "disconnected from Internal" in await editor.disconnect_nic(nic.mac)
        assert "connected to Private" in await editor.connect_nic(nic.mac, "Private")
        with pytest.raises(ActionRefused, match="no switch named"):
            await editor.connect_nic(nic.mac, "Nope")
        assert "removed" in await editor.remove_nic(nic.mac)
