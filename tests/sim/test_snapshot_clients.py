"""An independent client (pypsrp's WSMan) reads the simulator's checkpoint classes over a real socket:
the checkpoints' settings, the three associations that reach them, and the snapshot service."""

from __future__ import annotations

from tests.sim.test_wql_clients import _query, _value
from tests.support.independent import pypsrp_client

SNAPSHOT = "Microsoft:Hyper-V:Snapshot:Realized"


def _path(host, cls: str, keys: str) -> str:
    return f"{{\\\\{host.name}\\root\\virtualization\\v2:{cls}.{keys}}}"


def test_checkpoints_and_their_associations(sim_host):
    trees = {vm.guid: sim_host.model.checkpoints(vm.guid) for vm in sim_host.model.vms}
    guid, tree = next((g, t) for g, t in trees.items() if len(t.items) >= 4)  # a seeded tree with branches
    w = pypsrp_client(sim_host, "basic")
    rows = _query(
        w,
        "SELECT InstanceID, ElementName, Parent, VirtualSystemIdentifier FROM Msvm_VirtualSystemSettingData "
        f"WHERE VirtualSystemType = '{SNAPSHOT}' AND VirtualSystemIdentifier = '{guid}'",
    )
    assert {_value(r, "InstanceID") for r in rows} == {f"Microsoft:{i}" for i in tree.items}
    parents = {_value(r, "InstanceID"): _value(r, "Parent") for r in rows}
    for checkpoint in tree.items.values():
        parent = parents[f"Microsoft:{checkpoint.id}"]
        if checkpoint.parent is None:
            assert parent is None
        else:
            assert parent == (
                f"\\\\{sim_host.name}\\root\\virtualization\\v2:"
                f'Msvm_VirtualSystemSettingData.InstanceID="Microsoft:{checkpoint.parent}"'
            )
    vm = _path(sim_host, "Msvm_ComputerSystem", f'CreationClassName="Msvm_ComputerSystem",Name="{guid}"')
    of_vm = _query(w, f"ASSOCIATORS OF {vm} WHERE AssocClass = Msvm_SnapshotOfVirtualSystem")
    assert {_value(i, "ElementName") for i in of_vm} == {c.name for c in tree.items.values()}
    current = _query(w, f"ASSOCIATORS OF {vm} WHERE AssocClass = Msvm_MostCurrentSnapshotInBranch")
    assert [_value(i, "InstanceID") for i in current] == [f"Microsoft:{tree.current}"]
    root = next(c for c in tree.items.values() if c.parent is None)
    root_path = _path(sim_host, "Msvm_VirtualSystemSettingData", f'InstanceID="Microsoft:{root.id}"')
    children = _query(
        w, f"ASSOCIATORS OF {root_path} WHERE AssocClass = Msvm_ParentChildSettingData ResultRole = Dependent"
    )
    assert sorted(_value(i, "InstanceID") for i in children) == sorted(
        f"Microsoft:{c.id}" for c in tree.children(root.id)
    )
    own = _query(w, f"SELECT Parent FROM Msvm_VirtualSystemSettingData WHERE InstanceID = 'Microsoft:{guid}'")
    assert _value(own[0], "Parent").endswith(f'InstanceID="Microsoft:{tree.current}"')


def test_the_snapshot_service_is_served(sim_host):
    w = pypsrp_client(sim_host, "basic")
    services = _query(w, "SELECT Name, SystemName FROM Msvm_VirtualSystemSnapshotService")
    assert [_value(s, "SystemName") for s in services] == [sim_host.name]
