"""Paging by count and size, one item per Pull by default, contexts, EPR modes and quotas."""

from __future__ import annotations

import time

from tests.sim.wire import (
    ENUMERATE,
    NS,
    PULL,
    V2,
    context_of,
    enumerate_all,
    enumerate_body,
    envelope,
    items_of,
    post,
    pull_body,
)

CS = f"{V2}/Msvm_ComputerSystem"
# The VMs' own settings, one per VM (checkpoints are settings too, and seeded VMs have some).
VM_SETTINGS = (
    "SELECT * FROM Msvm_VirtualSystemSettingData "
    "WHERE VirtualSystemType = 'Microsoft:Hyper-V:System:Realized'"
)


def test_one_item_per_pull_without_max_elements(sim_host):
    items, replies = enumerate_all(sim_host, CS, optimize=False, max_elements=None, pull_max=None)
    assert len(items) == 21
    assert len(replies) == 22  # the Enumerate (context only) and one Pull per item
    assert all(len(items_of(r)) == 1 for r in replies[1:])


def test_pull_may_name_the_wildcard_or_another_class(sim_host):
    r = post(sim_host, envelope(ENUMERATE, f"{V2}/*", enumerate_body(VM_SETTINGS)))
    ctx = context_of(r)
    other = post(sim_host, envelope(ENUMERATE, CS, enumerate_body()))  # another call in between
    p = post(sim_host, envelope(PULL, f"{V2}/Msvm_VirtualSystemSettingData", pull_body(ctx, 5)))
    assert len(items_of(p)) == 5
    p2 = post(sim_host, envelope(PULL, f"{V2}/*", pull_body(context_of(p), 100)))
    assert len(items_of(p2)) == 15
    assert context_of(p2) is None
    assert context_of(other)


def test_pages_are_bounded_by_size_like_windows(make_sim):
    host = make_sim(vms=400).hosts[0]
    items, replies = enumerate_all(
        host, f"{V2}/Msvm_VirtualSystemSettingData", VM_SETTINGS, max_elements=32000, pull_max=32000
    )
    assert len(items) == 400
    sizes = [len(r.body) for r in replies[1:-1]]
    assert sizes
    assert max(sizes) <= 76_800
    assert min(sizes) > 60_000
    small, small_replies = enumerate_all(host, f"{V2}/Msvm_VirtualSystemSettingData", VM_SETTINGS,
                                         max_elements=32000, pull_max=32000, max_envelope=16384)  # fmt: skip
    assert len(small) == 400
    assert all(len(r.body) <= 16384 for r in small_replies)


def test_first_batch_option(make_sim):
    host = make_sim(vms=10, first_batch=4).hosts[0]
    r = post(host, envelope(ENUMERATE, CS, enumerate_body(optimize=True, max_elements=3)))
    assert len(items_of(r)) == 3
    r = post(host, envelope(ENUMERATE, CS, enumerate_body(optimize=True, max_elements=50)))
    assert len(items_of(r)) == 4


def test_contexts_expire_when_idle(make_sim):
    host = make_sim(vms=3, enumeration_timeout_ms=150).hosts[0]
    ctx = context_of(post(host, envelope(ENUMERATE, CS, enumerate_body())))
    assert host.model.enumeration_contexts == 1
    time.sleep(0.3)
    r = post(host, envelope(PULL, CS, pull_body(ctx)))
    assert r.status == 500
    assert r.subcode == "n:InvalidEnumerationContext"
    assert host.model.enumeration_contexts == 0


def test_context_quota(make_sim):
    host = make_sim(vms=2, max_concurrent_operations=3).hosts[0]
    for _ in range(3):
        assert post(host, envelope(ENUMERATE, CS, enumerate_body())).status == 200
    r = post(host, envelope(ENUMERATE, CS, enumerate_body()))
    assert r.subcode == "w:InternalError"
    assert r.fault_code == "2150859174"


def test_epr_modes(sim_host):
    eprs, _ = enumerate_all(sim_host, f"{V2}/*", "SELECT * FROM Msvm_ComputerSystem WHERE Caption = 'Virtual Machine'",  # noqa: E501
                            mode="EnumerateEPR")  # fmt: skip
    assert len(eprs) == 20
    assert eprs[0].tag == f"{{{NS['a']}}}EndpointReference"
    assert eprs[0].xpath("a:ReferenceParameters/w:ResourceURI/text()", namespaces=NS) == [CS]
    assert eprs[0].xpath("a:ReferenceParameters/w:SelectorSet/w:Selector/@Name", namespaces=NS) == [
        "CreationClassName",
        "Name",
    ]
    both, _ = enumerate_all(sim_host, f"{V2}/Msvm_MemorySettingData", mode="EnumerateObjectAndEPR")
    first = both[0]
    assert first.tag == f"{{{NS['w']}}}Item"
    assert first[0].tag.endswith("Msvm_MemorySettingData")
    assert first[1].tag == f"{{{NS['a']}}}EndpointReference"


def test_wql_where_variants(sim_host):
    def count(where: str) -> int:
        items, _ = enumerate_all(sim_host, f"{V2}/*", f"SELECT * FROM msvm_computersystem WHERE {where}")
        return len(items)

    vms = sim_host.model.vms
    running = sum(1 for v in vms if v.enabled_state == 2)
    assert count("Caption = 'virtual machine'") == 20
    assert count('EnabledState = 2 AND Caption = "Virtual Machine"') == running
    assert count("NOT (EnabledState = 2) AND Caption <> 'Hosting Computer System'") == 20 - running
    assert count(
        "EnabledState != 0 and EnabledState != 3 and EnabledState != 32769 and "
        'Description = "Microsoft Virtual Machine"'
    ) == sum(1 for v in vms if v.enabled_state not in (3,))
    assert count(f"Name = '{vms[0].guid.lower()}'") == 1
    assert count(f"ElementName LIKE '{vms[0].name[:2]}%'") >= 1
    assert count("ElementName LIKE '[a-z]%-__'") == 21  # the host HV2022-01 too: LIKE ignores case
    assert count("ProcessID IS NULL") == 1 + sum(1 for v in vms if v.enabled_state in (3, 6))
    path = f'\\\\\\\\{sim_host.name}\\\\root\\\\virtualization\\\\v2:Msvm_ComputerSystem.CreationClassName=\\"Msvm_ComputerSystem\\",Name=\\"{vms[1].guid}\\"'  # noqa: E501
    assert count(f"__PATH = '{path}'") == 1
    assert count("__CLASS = 'Msvm_ComputerSystem' AND (__SERVER = 'nope' OR OnTimeInMilliseconds >= 0)") == 21
