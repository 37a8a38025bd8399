"""VM state transitions, jobs, shutdown, settings changes and GetSummaryInformation."""

from __future__ import annotations

import pytest

from tests.sim.wire import V2, enumerate_all, get, invoke, prop, props

CS = f"{V2}/Msvm_ComputerSystem"
VSMS = f"{V2}/Msvm_VirtualSystemManagementService"
SCENARIO = """
[[host]]
name = "HV-TEST"
release = "2019"
[[host.vm]]
name = "run"
state = "running"
[[host.vm]]
name = "off"
state = "off"
[[host.vm]]
name = "saved"
state = "saved"
[[host.vm]]
name = "paused"
state = "paused"
[[host.vm]]
name = "noic"
state = "running"
shutdown_service = false
[[host.vm]]
name = "dyn"
state = "running"
dynamic = true
memory = 2048
min_memory = 1024
max_memory = 4096
[[host.vm]]
name = "dup"
state = "off"
[[host.vm]]
name = "dup"
state = "off"
"""


@pytest.fixture
def host(make_sim, tmp_path):
    path = tmp_path / "scenario.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return make_sim(scenario=str(path), time_scale=0.001).hosts[0]  # time moves only by advance()


def rsc(host, name: str, state: int):
    vm = host.model.vm(name)
    r = invoke(host, CS, "RequestStateChange", {"CreationClassName": "Msvm_ComputerSystem", "Name": vm.guid},
               f"<p:RequestedState>{state}</p:RequestedState>")  # fmt: skip
    assert r.status == 200, r.body[:500]
    job = r.xpath("//*[local-name()='Job']//w:Selector[@Name='InstanceID']/text()")
    return int(r.text("//*[local-name()='ReturnValue']")), (job[0] if job else None)


def settle(host):
    host.model.advance(60)


# (from, requested) -> (return value, final state)
MATRIX = [
    ("off", 2, 4096, 2), ("off", 3, 32775, 3), ("off", 6, 32775, 3), ("off", 9, 32775, 3), ("off", 10, 32775, 3),  # noqa: E501
    ("run", 2, 32775, 2), ("run", 3, 4096, 3), ("run", 6, 4096, 6), ("run", 9, 4096, 9), ("run", 10, 4096, 2),
    ("run", 11, 4096, 2), ("saved", 2, 4096, 2), ("saved", 3, 4096, 3), ("saved", 9, 32775, 6),
    ("paused", 2, 4096, 2), ("paused", 3, 4096, 3), ("paused", 6, 4096, 6), ("paused", 9, 32775, 9),
    ("paused", 11, 32775, 9), ("run", 4, 32770, 2), ("run", 77, 32773, 2),
]  # fmt: skip


@pytest.mark.parametrize(("name", "requested", "rv", "final"), MATRIX)
def test_transition_matrix(host, name, requested, rv, final):
    code, job = rsc(host, name, requested)
    assert code == rv
    assert (job is not None) == (rv == 4096)
    settle(host)
    assert host.model.vm(name).enabled_state == final
    if job:
        assert host.model.job(job).job_state == 7


def test_transitional_states_and_job_progress(host):
    code, job = rsc(host, "run", 6)
    assert code == 4096
    vm = host.model.vm("run")
    assert vm.enabled_state == 32773
    assert vm.requested_state == 6
    assert vm.in_transition
    assert rsc(host, "run", 2)[0] == 32775  # no second request while one is in progress
    r = get(host, f"{V2}/Msvm_ConcreteJob", {"InstanceID": job})
    inst = r.xpath("/s:Envelope/s:Body/*")[0]
    assert prop(inst, "JobState") in ("3", "4")
    assert 0 <= int(prop(inst, "PercentComplete")) < 100
    host.model.advance(2)
    mid = host.model.job(job)
    assert mid.job_state == 4
    assert 0 < mid.percent_complete < 100
    settle(host)
    assert host.model.vm("run").enabled_state == 6
    assert host.model.vm("run").requested_state == 12
    done = get(host, f"{V2}/Msvm_ConcreteJob", {"InstanceID": job}).xpath("/s:Envelope/s:Body/*")[0]
    assert prop(done, "JobState") == "7"
    assert prop(done, "PercentComplete") == "100"
    assert "P0DT0H0M" in "".join(props(done, "ElapsedTime")[0].itertext())
    host.model.advance(400)  # TimeBeforeRemoval is 5 minutes
    assert get(host, f"{V2}/Msvm_ConcreteJob", {"InstanceID": job}).status == 500


def test_legacy_states(make_sim, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    host = make_sim(scenario=str(path), legacy_states=True).hosts[0]
    assert host.model.vm("saved").enabled_state == 32769
    assert host.model.vm("paused").enabled_state == 32768
    items, _ = enumerate_all(host, f"{V2}/*", "SELECT * FROM Msvm_ComputerSystem WHERE EnabledState = 32769")
    assert [prop(i, "ElementName") for i in items] == ["saved"]


def test_failing_and_slow_jobs(host):
    host.faults.add("fail-jobs:p=1")
    code, job = rsc(host, "off", 2)
    assert code == 4096
    settle(host)
    view = host.model.job(job)
    assert view.job_state == 10
    assert view.error_code == 32768
    assert "failed" in view.error_description
    assert host.model.vm("off").enabled_state == 3
    host.faults.clear()
    host.faults.add("slow-jobs:factor=100")
    code, job = rsc(host, "off", 2)
    host.model.advance(60)
    assert host.model.job(job).job_state == 4
    host.model.advance(600)
    assert host.model.vm("off").enabled_state == 2


def shutdown(host, name: str):
    vm = host.model.vm(name)
    return invoke(host, f"{V2}/Msvm_ShutdownComponent", "InitiateShutdown", {
        "CreationClassName": '"Msvm_ShutdownComponent"',
        "DeviceID": f'"Microsoft:{vm.guid}\\9F8233AC-BE49-4C79-8EE3-E7E1985B2077"',
        "SystemCreationClassName": '"Msvm_ComputerSystem"', "SystemName": f'"{vm.guid}"'},
        "<p:Force>false</p:Force><p:Reason>Planned shutdown via libvirt</p:Reason>")  # fmt: skip


def test_initiate_shutdown(host):
    r = shutdown(host, "run")
    assert r.text("//*[local-name()='ReturnValue']") == "4096"
    assert host.model.vm("run").enabled_state == 4
    settle(host)
    assert host.model.vm("run").enabled_state == 3
    assert shutdown(host, "off").text("//*[local-name()='ReturnValue']") == "32775"
    missing = shutdown(host, "noic")
    assert missing.status == 500
    assert missing.subcode == "a:DestinationUnreachable"
    items, _ = enumerate_all(
        host,
        f"{V2}/*",
        f"SELECT * FROM Msvm_ShutdownComponent WHERE SystemName = '{host.model.vm('noic').guid}'",
    )
    assert items == []


def test_turn_off_interrupts_a_graceful_shutdown(host):
    r = shutdown(host, "run")
    shutdown_job = r.text("//*[local-name()='Selector'][@Name='InstanceID']")
    assert host.model.vm("run").enabled_state == 4
    code, job = rsc(host, "run", 3)  # Hyper-V lets Turn Off win over a shutdown in progress
    assert code == 4096
    settle(host)
    assert host.model.vm("run").enabled_state == 3
    assert host.model.job(job).job_state == 7
    interrupted = host.model.job(shutdown_job)
    assert interrupted.job_state == 10
    assert "turned off" in interrupted.error_description


def test_turn_off_interrupts_a_start(host):
    code, _ = rsc(host, "off", 2)
    assert code == 4096
    assert host.model.vm("off").enabled_state == 10
    assert rsc(host, "off", 3)[0] == 4096
    settle(host)
    assert host.model.vm("off").enabled_state == 3


def vsms(host, method: str, params: str):
    return invoke(host, VSMS, method, {"CreationClassName": "Msvm_VirtualSystemManagementService"}, params)


def embedded(cls: str, **values) -> str:
    body = "".join(
        f'<PROPERTY NAME="{k}" TYPE="string"><VALUE>{v}</VALUE></PROPERTY>' for k, v in values.items()
    )
    return f'<INSTANCE CLASSNAME="{cls}">{body}</INSTANCE>'


def test_modify_system_settings_autostart_and_notes(host):
    vm = host.model.vm("off")
    inst = embedded(
        "Msvm_VirtualSystemSettingData", InstanceID=f"Microsoft:{vm.guid}", AutomaticStartupAction=4
    )
    r = vsms(host, "ModifySystemSettings", f"<p:SystemSettings><![CDATA[{inst}]]></p:SystemSettings>")
    assert r.text("//*[local-name()='ReturnValue']") == "0"
    assert host.model.vm("off").autostart == 4
    escaped = embedded("Msvm_VirtualSystemSettingData", InstanceID=f"Microsoft:{vm.guid}").replace(
        "<", "&lt;"
    )
    notes = escaped.replace(
        "&lt;/INSTANCE>",
        '&lt;PROPERTY.ARRAY NAME="Notes" TYPE="string">&lt;VALUE.ARRAY>'
        "&lt;VALUE>hello &amp;amp; bye&lt;/VALUE>&lt;/VALUE.ARRAY>&lt;/PROPERTY.ARRAY>&lt;/INSTANCE>",
    )
    r = vsms(host, "ModifySystemSettings", f"<p:SystemSettings>{notes}</p:SystemSettings>")
    assert r.text("//*[local-name()='ReturnValue']") == "0"
    assert host.model.vm("off").notes == "hello & bye"
    bad = embedded(
        "Msvm_VirtualSystemSettingData", InstanceID=f"Microsoft:{vm.guid}", AutomaticStartupAction=9
    )
    r = vsms(host, "ModifySystemSettings", f"<p:SystemSettings><![CDATA[{bad}]]></p:SystemSettings>")
    assert r.text("//*[local-name()='ReturnValue']") == "32773"


def resources(host, name: str, cls: str, suffix: str, **values):
    vm = host.model.vm(name)
    inst = embedded(cls, InstanceID=f"Microsoft:{vm.guid}\\{suffix}", **values)
    r = vsms(host, "ModifyResourceSettings", f"<p:ResourceSettings><![CDATA[{inst}]]></p:ResourceSettings>")
    return int(r.text("//*[local-name()='ReturnValue']")), r


PROC = "b637f346-6a0e-4dec-af52-bd70cb80a21d\\0"
MEM = "4764334d-e001-4176-82ee-5594ec9b530e"


def test_modify_resource_settings_rules(host):
    code, r = resources(host, "off", "Msvm_ProcessorSettingData", PROC, VirtualQuantity=6)
    assert code == 4096
    assert host.model.vm("off").vcpus == 6
    assert r.xpath("//*[local-name()='ResultingResourceSettings']//w:Selector/text()")
    assert resources(host, "run", "Msvm_ProcessorSettingData", PROC, VirtualQuantity=6)[0] == 32775
    assert resources(host, "off", "Msvm_MemorySettingData", MEM, VirtualQuantity=4096)[0] == 4096
    assert host.model.vm("off").memory_mb == 4096
    assert resources(host, "off", "Msvm_MemorySettingData", MEM, VirtualQuantity=4095)[0] == 32773
    assert resources(host, "run", "Msvm_MemorySettingData", MEM, VirtualQuantity=4096)[0] == 32775
    assert resources(host, "dyn", "Msvm_MemorySettingData", MEM, Limit=8192)[0] == 4096
    assert host.model.vm("dyn").max_memory_mb == 8192
    assert resources(host, "dyn", "Msvm_MemorySettingData", MEM, Limit=2048)[0] == 32775
    assert resources(host, "dyn", "Msvm_MemorySettingData", MEM, VirtualQuantity=3000)[0] == 32775


def summary(host, codes, setting_data: str = ""):
    params = setting_data + "".join(f"<p:RequestedInformation>{c}</p:RequestedInformation>" for c in codes)
    r = vsms(host, "GetSummaryInformation", params)
    assert r.status == 200, r.body[:400]
    assert (
        r.text("//*[local-name()='GetSummaryInformation_OUTPUT']/*[last()][local-name()='ReturnValue']")
        == "0"
    )
    return r.xpath(
        "//*[local-name()='GetSummaryInformation_OUTPUT']/*[contains(local-name(), 'SummaryInformation')]"
    )


CODES = [0, 1, 2, 3, 4, 10, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 112, 113]


def test_get_summary_information_all_and_batched(host):
    entries = summary(host, CODES)
    assert len(entries) == 8
    si_ns = f"{V2}/Msvm_SummaryInformation"
    first = entries[0]
    assert all(c.tag.startswith(f"{{{si_ns}}}") for c in first)
    assert first.get("{http://www.w3.org/2001/XMLSchema-instance}type").endswith(
        "Msvm_SummaryInformation_Type"
    )
    by_name = {prop(e, "ElementName"): e for e in entries}
    run = by_name["run"]
    assert prop(run, "EnabledState") == "2"
    assert prop(run, "Heartbeat") == "2"
    assert int(prop(run, "UpTime")) > 0
    assert prop(run, "NumberOfProcessors") == "2"
    assert len(props(run, "ProcessorLoadHistory")) == 100
    assert prop(by_name["off"], "UpTime") == "0"
    assert prop(by_name["off"], "Heartbeat") == "12"
    assert prop(run, "HostComputerSystemName") is None  # not requested: present but nil
    names = [c.tag.split("}")[1] for c in first]
    assert names == sorted(names, key=str.lower)
    guids = [host.model.vm("saved").guid, host.model.vm("dyn").guid]
    eprs = "".join(
        '<p:SettingData xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><a:Address>'
        "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address><a:ReferenceParameters>"
        f"<w:ResourceURI>{V2}/Msvm_VirtualSystemSettingData</w:ResourceURI><w:SelectorSet>"
        f'<w:Selector Name="InstanceID">Microsoft:{g.lower()}</w:Selector></w:SelectorSet>'
        "</a:ReferenceParameters></p:SettingData>"
        for g in guids
    )
    batch = summary(host, [0, 100], eprs)
    assert [prop(e, "Name") for e in batch] == guids


def test_summary_input_in_the_wsman_namespace(host):
    # virt-who writes GetSummaryInformation_INPUT in the wsman namespace
    from tests.sim.wire import envelope, post

    body = (
        "<w:GetSummaryInformation_INPUT><w:RequestedInformation>0</w:RequestedInformation>"
        "<w:RequestedInformation>1</w:RequestedInformation></w:GetSummaryInformation_INPUT>"
    )
    r = post(
        host,
        envelope(
            f"{VSMS}/GetSummaryInformation",
            VSMS,
            body,
            selectors={
                "CreationClassName": "Msvm_VirtualSystemManagementService",
                "SystemCreationClassName": "Msvm_ComputerSystem",
            },
        ),
    )
    assert r.status == 200, r.body[:300]
    assert (
        len(
            r.xpath(
                "//*[contains(local-name(), 'SummaryInformation') and local-name() != 'GetSummaryInformation_OUTPUT']"  # noqa: E501
            )
        )
        == 8
    )


def test_duplicate_names_and_associations(host):
    items, _ = enumerate_all(host, f"{V2}/*", "SELECT * FROM Msvm_ComputerSystem WHERE ElementName = 'DUP'")
    assert len(items) == 2
    vm = host.model.vm("dyn")
    q = (
        f"ASSOCIATORS OF {{Msvm_ComputerSystem.CreationClassName='Msvm_ComputerSystem',Name='{vm.guid.lower()}'}} "  # noqa: E501
        "WHERE AssocClass = Msvm_SettingsDefineState ResultClass = Msvm_VirtualSystemSettingData"
    )
    vssd, _ = enumerate_all(host, f"{V2}/*", q)
    assert [prop(i, "InstanceID") for i in vssd] == [f"Microsoft:{vm.guid}"]
    q2 = (
        f"ASSOCIATORS OF {{Msvm_VirtualSystemSettingData.InstanceID='Microsoft:{vm.guid}'}} "
        "WHERE AssocClass = Msvm_VirtualSystemSettingDataComponent ResultClass = Msvm_MemorySettingData"
    )
    mem, _ = enumerate_all(host, f"{V2}/*", q2)
    assert prop(mem[0], "DynamicMemoryEnabled") == "true"
    assert prop(mem[0], "Limit") == "4096"
    kb, _ = enumerate_all(
        host,
        f"{V2}/*",
        f"ASSOCIATORS OF {{Msvm_ComputerSystem.CreationClassName='Msvm_ComputerSystem',Name='{vm.guid}'}} WHERE ResultClass = Msvm_Keyboard",  # noqa: E501
    )
    assert len(kb) == 1
    mx, _ = enumerate_all(
        host,
        f"{V2}/*",
        "SELECT * FROM Msvm_ProcessorSettingData WHERE InstanceID LIKE 'Microsoft:Definition%Maximum'",
    )
    assert prop(mx[0], "VirtualQuantity") == "240"
