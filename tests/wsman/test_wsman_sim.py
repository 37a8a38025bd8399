"""The WS-Man client against the Hyper-V simulator, over real sockets.

The simulator is written independently from the client (they share only namespace
strings), so agreement here is evidence about both. HTTP and HTTPS, Basic and NTLM with
message encryption, paging of large enumerations, Get, Invoke with a job, faults.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from hvtui import namespaces as ns
from hvtui.wsman import (
    EPR,
    AuthenticationError,
    ClassSchema,
    ClientOptions,
    Credentials,
    EmbeddedInstance,
    FaultError,
    ProtocolError,
    TimeoutExpired,
    TransportError,
    WSManClient,
)

V2 = ns.VIRTUALIZATION_V2
CS = f"{V2}/Msvm_ComputerSystem"
JOB = f"{V2}/Msvm_ConcreteJob"
VSMS = f"{V2}/Msvm_VirtualSystemManagementService"
VSSD = f"{V2}/Msvm_VirtualSystemSettingData"
VMS_WQL = "SELECT * FROM Msvm_ComputerSystem WHERE Caption = 'Virtual Machine'"

CS_SCHEMA = ClassSchema(
    "Msvm_ComputerSystem",
    {
        "EnabledState": "uint16",
        "RequestedState": "uint16",
        "HealthState": "uint16",
        "OperationalStatus": "uint16[]",
        "AvailableRequestedStates": "uint16[]",
        "OnTimeInMilliseconds": "uint64",
        "ProcessID": "uint32",
        "InstallDate": "datetime",
        "TimeOfLastStateChange": "datetime",
    },
)
JOB_SCHEMA = ClassSchema(
    "Msvm_ConcreteJob",
    {"JobState": "uint16", "PercentComplete": "uint16", "ErrorCode": "uint16", "ElapsedTime": "datetime"},
)


def endpoint(host) -> str:
    return f"{'https' if host.https else 'http'}://127.0.0.1:{host.port}/wsman"


@contextlib.asynccontextmanager
async def connect(host, **options):
    opts = {"operation_timeout": 10, "read_timeout": 15, "total_timeout": 30, **options}
    async with WSManClient(
        endpoint(host), Credentials(host.user, host.password), ClientOptions(**opts)
    ) as client:
        yield client


async def vm_keys(client, name=None):
    vms = await client.enumerate_all(CS, VMS_WQL, schema=CS_SCHEMA)
    vm = vms[0] if name is None else next(v for v in vms if v["ElementName"] == name)
    return vm, {"CreationClassName": "Msvm_ComputerSystem", "Name": vm["Name"]}


async def test_default_host_ntlm_with_encryption_over_http(make_sim):
    sim = make_sim(vms=7, allow_unencrypted=False)
    host = sim.hosts[0]
    async with connect(host) as client:
        identity = await client.identify()
        vms = await client.enumerate_all(CS, VMS_WQL, schema=CS_SCHEMA)
    assert identity.product_vendor == "Microsoft Corporation"
    assert identity.os_version == "10.0.20348"
    assert client.auth_scheme == "ntlm"
    assert client.encrypted
    assert len(vms) == 7 == len(host.model.vms)
    assert {(v["Name"], v["ElementName"], v["EnabledState"]) for v in vms} == {
        (vm.guid, vm.name, vm.enabled_state) for vm in host.model.vms
    }
    assert all(v["Caption"] == "Virtual Machine" and isinstance(v["EnabledState"], int) for v in vms)
    assert all(isinstance(v["OperationalStatus"], list) for v in vms)
    assert client.stats.handshakes == 1


async def test_basic_over_http_when_the_host_allows_it(sim_host):
    async with connect(sim_host, auth="basic", allow_basic_over_http=True) as client:
        vms = await client.enumerate_all(CS, VMS_WQL)
    assert client.auth_scheme == "basic"
    assert len(vms) == 20


async def test_https_basic_and_ntlm(https_sim, sim_ca_file):
    host = https_sim.hosts[0]
    for auth in ("basic", "ntlm", "auto"):
        async with connect(host, auth=auth, ca_file=str(sim_ca_file)) as client:
            vms = await client.enumerate_all(CS, VMS_WQL)
            assert len(vms) == 5
            assert not client.encrypted


async def test_https_untrusted_without_the_ca(https_sim):
    from hvtui.wsman import TLSError

    async with connect(https_sim.hosts[0]) as client:
        with pytest.raises(TLSError, match="not trusted"):
            await client.identify()


@pytest.mark.parametrize("uri", [CS, f"{V2}/*"], ids=["class-uri", "wildcard"])
async def test_paging_a_large_enumeration(make_sim, uri):
    sim = make_sim(vms=300)
    host = sim.hosts[0]
    async with connect(host, max_elements=40) as client:
        host.reset_counters()
        vms = await client.enumerate_all(uri, VMS_WQL, schema=CS_SCHEMA)
    names = [v["Name"] for v in vms]
    assert len(names) == 300 == len(set(names))
    assert host.counters["Enumerate"] == 1
    assert host.counters["Pull"] >= 300 // 40
    assert ns.ACTION_RELEASE not in host.counters


async def test_without_max_elements_the_host_sends_one_item_per_pull(make_sim):
    sim = make_sim(vms=12)
    host = sim.hosts[0]
    async with connect(host, max_elements=None) as client:
        host.reset_counters()
        vms = await client.enumerate_all(V2 + "/*", VMS_WQL, optimize=False, schema=CS_SCHEMA)
    assert len(vms) == 12
    assert host.counters["Enumerate"] == 1
    assert host.counters["Pull"] == 12


async def test_class_enumeration_without_wql(sim_host):
    async with connect(sim_host) as client:
        systems = await client.enumerate_all(CS, schema=CS_SCHEMA)
    captions = {s["Caption"] for s in systems}
    assert "Virtual Machine" in captions
    assert len([s for s in systems if s["Caption"] == "Virtual Machine"]) == 20


async def test_early_stop_releases(make_sim):
    sim = make_sim(vms=100)
    host = sim.hosts[0]
    async with connect(host, max_elements=10) as client:
        async with contextlib.aclosing(client.enumerate(CS, VMS_WQL)) as vms:
            async for _vm in vms:
                if host.counters["Pull"] >= 1:
                    break
        assert host.counters["Release"] == 1
        assert len(await client.enumerate_all(CS, VMS_WQL)) == 100


async def test_reference_modes(sim_host):
    async with connect(sim_host) as client:
        refs = await client.enumerate_all(CS, VMS_WQL, mode="EPR")
        both = await client.enumerate_all(CS, VMS_WQL, mode="ObjectAndEPR", schema=CS_SCHEMA)
        again = await client.get(refs[0].epr.resource_uri, refs[0].epr.selectors, schema=CS_SCHEMA)
    assert len(refs) == len(both) == 20
    assert all(r.epr.resource_uri == CS and r.epr.selector("Name") for r in refs)
    assert {b.epr.selector("Name") for b in both} == {b["Name"] for b in both}
    assert again["Name"] == refs[0].epr.selector("Name")


async def test_property_list_wql_gives_fragments(sim_host):
    async with connect(sim_host) as client:
        rows = await client.enumerate_all(
            f"{V2}/*",
            "SELECT Name, ElementName, EnabledState FROM Msvm_ComputerSystem WHERE Caption = "
            "'Virtual Machine'",
            schema=CS_SCHEMA,
        )
    assert len(rows) == 20
    assert all(r.is_fragment and r.class_name == "Msvm_ComputerSystem" for r in rows)
    assert all(isinstance(r["EnabledState"], int) for r in rows)
    assert {"Name", "ElementName", "EnabledState"} <= set(rows[0].properties)


async def test_get_by_keys(sim_host):
    async with connect(sim_host) as client:
        vm, keys = await vm_keys(client)
        got = await client.get(CS, keys, schema=CS_SCHEMA)
    moving = {"OnTimeInMilliseconds"}  # a running VM's uptime grows between the two reads
    assert {k: v for k, v in got.to_dict().items() if k not in moving} == {
        k: v for k, v in vm.to_dict().items() if k not in moving
    }


async def test_invoke_with_a_job_reference(make_sim):
    sim = make_sim(vms=3, time_scale=200)
    host = sim.hosts[0]
    async with connect(host) as client:
        vms = await client.enumerate_all(CS, VMS_WQL, schema=CS_SCHEMA)
        running = next(v for v in vms if v["EnabledState"] == 2)
        keys = {"CreationClassName": "Msvm_ComputerSystem", "Name": running["Name"]}
        host.reset_counters()
        result = await client.invoke(CS, "RequestStateChange", keys, {"RequestedState": 3})
        assert result.return_value in (0, 4096)
        assert host.counters["Invoke:RequestStateChange"] == 1
        if result.return_value == 4096:
            assert isinstance(result.job, EPR)
            assert result.job.resource_uri == JOB
            for _ in range(200):
                job = await client.get(result.job.resource_uri, result.job.selectors, schema=JOB_SCHEMA)
                if job["JobState"] in (7, 8, 9, 10, 32768):
                    break
                await asyncio.sleep(0.02)
            assert job["JobState"] == 7
            assert job["ErrorCode"] == 0
        after = await client.get(CS, keys, schema=CS_SCHEMA)
    assert after["EnabledState"] == 3
    assert next(vm for vm in host.model.vms if vm.guid == keys["Name"]).enabled_state == 3


async def test_get_summary_information(sim_host):
    async with connect(sim_host) as client:
        settings = await client.enumerate_all(
            f"{V2}/*",
            "SELECT * FROM Msvm_VirtualSystemSettingData WHERE VirtualSystemType = "
            "'Microsoft:Hyper-V:System:Realized'",
        )
        refs = [s.make_epr(["InstanceID"]) for s in settings]
        summary_schema = ClassSchema(
            "Msvm_SummaryInformation", {"EnabledState": "uint16", "NumberOfProcessors": "uint16"}
        )
        result = await client.invoke(
            VSMS,
            "GetSummaryInformation",
            {"CreationClassName": "Msvm_VirtualSystemManagementService"},
            {"SettingData": refs, "RequestedInformation": [0, 1, 4, 100]},
            schema=ClassSchema("GetSummaryInformation_OUTPUT", {"SummaryInformation": [summary_schema]}),
        )
    assert result.return_value == 0
    summaries = result.outputs["SummaryInformation"]
    assert len(summaries) == 20
    assert all(isinstance(s["EnabledState"], int) and s["Name"] for s in summaries)


async def test_modify_system_settings_with_an_embedded_instance(make_sim):
    sim = make_sim(vms=2)
    host = sim.hosts[0]
    schema = ClassSchema(
        "Msvm_VirtualSystemSettingData", {"AutomaticStartupAction": "uint16", "Notes": "string[]"}
    )
    async with connect(host) as client:
        [settings, *_] = await client.enumerate_all(
            f"{V2}/*",
            "SELECT * FROM Msvm_VirtualSystemSettingData WHERE VirtualSystemType = "
            "'Microsoft:Hyper-V:System:Realized'",
            schema=schema,
        )
        embedded = EmbeddedInstance(
            "Msvm_VirtualSystemSettingData",
            {"InstanceID": settings["InstanceID"], "Notes": ["set by hvtui"]},
            {"InstanceID": "string", "Notes": "string[]"},
        )
        result = await client.invoke(
            VSMS,
            "ModifySystemSettings",
            {"CreationClassName": "Msvm_VirtualSystemManagementService"},
            {"SystemSettings": embedded},
        )
        assert result.return_value in (0, 4096)
        after = await client.get(VSSD, {"InstanceID": settings["InstanceID"]}, schema=schema)
    assert after["Notes"] == ["set by hvtui"]


async def test_faults_from_the_host(make_sim):
    sim = make_sim(vms=2)
    host = sim.hosts[0]
    async with connect(host) as client:
        _vm, keys = await vm_keys(client)
        host.faults.add("fault:code=TimedOut:op=Get:count=1")
        with pytest.raises(FaultError) as caught:
            await client.get(CS, keys)
        assert caught.value.subcode == (ns.WSMAN, "TimedOut")
        assert caught.value.wsman_code == 2150858793
        assert "operation_timeout" in str(caught.value)

        host.faults.add("fault:code=AccessDenied:op=Get:count=1")
        with pytest.raises(FaultError) as caught:
            await client.get(CS, keys)
        assert caught.value.subcode == (ns.WSMAN, "AccessDenied")

        with pytest.raises(FaultError) as caught:
            await client.get(CS, {"CreationClassName": "Msvm_ComputerSystem", "Name": "NO-SUCH-VM"})
        assert caught.value.subcode is not None

        with pytest.raises(FaultError) as caught:
            await client.enumerate_all(f"{V2}/*", "SELECT * FROM Msvm_NoSuchClass")
        assert caught.value.subcode == (ns.ENUMERATION, "CannotProcessFilter")

        host.faults.add("http503:op=Get:count=1")
        with pytest.raises(ProtocolError) as caught:
            await client.get(CS, keys)
        assert caught.value.status == 503
        # After all that, the client still works.
        assert (await client.get(CS, keys))["Name"] == keys["Name"]


async def test_reset_retries_get_but_never_invoke(make_sim):
    sim = make_sim(vms=2)
    host = sim.hosts[0]
    async with connect(host) as client:
        _vm, keys = await vm_keys(client)
        host.reset_counters()
        host.faults.add("reset:op=Get:count=1")
        assert (await client.get(CS, keys))["Name"] == keys["Name"]
        assert host.counters["Get"] == 2

        host.reset_counters()
        host.faults.add("reset:op=Invoke:count=1")
        with pytest.raises(TransportError) as caught:
            await client.invoke(CS, "RequestStateChange", keys, {"RequestedState": 2})
        assert caught.value.maybe_processed
        assert host.counters["Invoke:RequestStateChange"] == 1


async def test_expired_context_restarts_the_enumeration(make_sim):
    sim = make_sim(vms=60)
    host = sim.hosts[0]
    async with connect(host, max_elements=20) as client:
        host.faults.add("expire-contexts:count=1")
        vms = await client.enumerate_all(CS, VMS_WQL)
    assert len({v["Name"] for v in vms}) == 60 == len(vms)


@pytest.mark.parametrize(("rule", "error"), [("truncate", ProtocolError), ("malformed", ProtocolError)])
async def test_broken_replies(make_sim, rule, error):
    sim = make_sim(vms=2)
    host = sim.hosts[0]
    async with connect(host) as client:
        _vm, keys = await vm_keys(client)
        host.faults.add(f"{rule}:op=Get:count=2")
        with pytest.raises((error, TransportError)):
            await client.get(CS, keys)


async def test_host_that_never_answers(make_sim):
    sim = make_sim(vms=1)
    host = sim.hosts[0]
    async with connect(host, operation_timeout=0.5, read_timeout=1.0, total_timeout=2.0) as client:
        await client.identify()
        host.faults.add("no-answer:op=Get")
        with pytest.raises(TimeoutExpired):
            await client.get(CS, {"CreationClassName": "Msvm_ComputerSystem", "Name": "x"})


async def test_wrong_password_and_password_changed(make_sim):
    sim = make_sim(vms=1, allow_unencrypted=False)
    host = sim.hosts[0]
    async with WSManClient(
        endpoint(host), Credentials(host.user, "not-the-password"), ClientOptions()
    ) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.identify()
    assert caught.value.reason == "credentials"
    assert "not-the-password" not in str(caught.value)

    async with connect(host) as client:
        await client.identify()
        host.set_password("changed-on-the-host")
        # The connection drops; the resend on a fresh connection must authenticate again.
        host.faults.add("reset:op=Identify:count=1")
        with pytest.raises(AuthenticationError) as caught:
            await client.identify()
    assert caught.value.reason == "credentials"


async def test_unauthenticated_identify(sim_host):
    async with connect(sim_host) as client:
        result = await client.identify(authenticated=False)
    assert result.product_vendor == "Microsoft Corporation"
    assert client.auth_scheme is None
