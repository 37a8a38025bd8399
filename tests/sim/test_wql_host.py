"""WQL against a simulated host in process: system properties, paths, and the association statements."""

from __future__ import annotations

import pytest

from hvtui.sim.instances import instances_of
from hvtui.sim.queries import run, with_system_props
from hvtui.sim.render import Ref
from hvtui.sim.schema import CLASSES, find_class
from hvtui.sim.wql import WBEM_E_INVALID_CLASS, WBEM_E_INVALID_QUERY, WQLError
from tests.sim.wql_host import CIMV2, V2, model

CS_KEYS = "CreationClassName='Msvm_ComputerSystem',Name='{}'"


def vm_guids() -> list[str]:
    return list(model().vms)


def names(text: str, namespace: str = V2) -> list[str]:
    return [i.cls.name for i in run(model(), text, namespace).items]


def test_property_to_property_comparison():
    items = run(model(), "SELECT * FROM Msvm_ComputerSystem WHERE Name = ElementName", V2).items
    assert [i.values["Caption"] for i in items] == ["Hosting Computer System"]
    differ = run(model(), "SELECT * FROM Msvm_ComputerSystem WHERE EnabledState <> RequestedState", V2).items
    assert all(i.values["EnabledState"] != i.values["RequestedState"] for i in differ)
    mem = run(model(), "SELECT * FROM Msvm_MemorySettingData WHERE Reservation <= Limit", V2).items
    assert mem and all(i.values["Reservation"] <= i.values["Limit"] for i in mem)


def test_system_properties_selected_and_compared():
    m = model()
    guid = vm_guids()[0]
    result = run(
        m,
        "SELECT __PATH, __relpath, __Class, __DERIVATION, Name FROM Msvm_ComputerSystem "
        f"WHERE Name = '{guid}'",
        V2,
    )
    assert result.props == ["__PATH", "__RELPATH", "__CLASS", "__DERIVATION", "Name"]
    values = with_system_props(result.items[0], result.props, m.spec.name)
    rel = f'Msvm_ComputerSystem.CreationClassName="Msvm_ComputerSystem",Name="{guid}"'
    assert values["__RELPATH"] == rel
    assert values["__PATH"] == f"\\\\{m.spec.name}\\root\\virtualization\\v2:{rel}"
    assert values["__DERIVATION"][:2] == ["CIM_ComputerSystem", "CIM_System"]
    for where, count in [
        ("__CLASS = 'msvm_computersystem'", 9),
        ("__GENUS = 2 AND __NAMESPACE = 'ROOT\\\\virtualization\\\\V2'", 9),
        (f"__SERVER = '{m.spec.name.lower()}'", 9),
        ("__SUPERCLASS = 'CIM_ComputerSystem' AND __DYNASTY = 'CIM_ManagedElement'", 9),
        (f"__PROPERTY_COUNT = {len(find_class('Msvm_ComputerSystem').props)}", 9),
        ("__DERIVATION IS NOT NULL", 9),
        ("__CLASS LIKE '%[_]Computer%'", 9),
        ("__RELPATH LIKE '%Name=\"HV2022%'", 1),
        ("__THIS ISA 'CIM_ComputerSystem'", 9),
        ("__THIS ISA 'CIM_SettingData'", 0),
    ]:
        assert len(run(m, f"SELECT * FROM Msvm_ComputerSystem WHERE {where}", V2).items) == count, where


def test_path_comparison_keys_in_any_order_and_any_case():
    m = model()
    guid = vm_guids()[1]
    for path in [
        f'\\\\\\\\{m.spec.name}\\\\root\\\\virtualization\\\\v2:Msvm_ComputerSystem.CreationClassName=\\"Msvm_ComputerSystem\\",Name=\\"{guid}\\"',
        f'\\\\\\\\{m.spec.name.lower()}\\\\ROOT\\\\Virtualization\\\\V2:msvm_computersystem.name=\\"{guid.lower()}\\",creationclassname=\\"MSVM_COMPUTERSYSTEM\\"',
        f'//./root/virtualization/v2:Msvm_ComputerSystem.Name=\\"{guid}\\",CreationClassName=\\"Msvm_ComputerSystem\\"',
        f'Msvm_ComputerSystem.Name=\\"{guid}\\",CreationClassName=\\"Msvm_ComputerSystem\\"',
    ]:
        items = run(m, f"SELECT * FROM Msvm_ComputerSystem WHERE __PATH = '{path}'", V2).items
        assert [i.values["Name"] for i in items] == [guid], path
        others = run(m, f"SELECT * FROM Msvm_ComputerSystem WHERE __PATH <> '{path}'", V2).items
        assert len(others) == 8
    relpath = f"Msvm_ComputerSystem.Name=\\\"{guid}\\\",CreationClassName=\\'Msvm_ComputerSystem\\'"
    assert len(run(m, f"SELECT * FROM Msvm_ComputerSystem WHERE __RELPATH = '{relpath}'", V2).items) == 1
    elsewhere = f'\\\\\\\\OTHER\\\\root\\\\virtualization\\\\v2:Msvm_ComputerSystem.Name=\\"{guid}\\",CreationClassName=\\"Msvm_ComputerSystem\\"'  # noqa: E501
    assert run(m, f"SELECT * FROM Msvm_ComputerSystem WHERE __PATH = '{elsewhere}'", V2).items == []


def test_reference_properties_compare_as_paths():
    guid = vm_guids()[2]
    q = (
        "SELECT * FROM Msvm_SettingsDefineState WHERE ManagedElement = "
        f'\'msvm_computersystem.name="{guid.lower()}",creationclassname="msvm_computersystem"\''
    )
    items = run(model(), q, V2).items
    assert len(items) == 1 and items[0].values["SettingData"].selectors == (
        ("InstanceID", f"Microsoft:{guid}"),
    )
    isa = run(model(), "SELECT * FROM Msvm_SystemDevice WHERE PartComponent ISA 'Msvm_Keyboard'", V2).items
    assert len(isa) == 8


def test_associators_of_each_association():
    m = model()
    guid = vm_guids()[0]
    vm = f"{{Msvm_ComputerSystem.{CS_KEYS.format(guid)}}}"
    guest = m.vms[guid].state in (2, 9) and m.vms[guid].spec.shutdown_service
    assert sorted(names(f"ASSOCIATORS OF {vm}")) == sorted(
        ["Msvm_VirtualSystemSettingData", "Msvm_Keyboard"]
        + (["Msvm_ShutdownComponent"] if m.vms[guid].spec.shutdown_service else [])
        + (["Msvm_KvpExchangeComponent"] if guest else [])
        + ["Msvm_SyntheticDisplayController", "Msvm_VideoHead"]  # the console's devices
        + (["Msvm_S3DisplayController", "Msvm_VideoHead"] if m.vms[guid].spec.generation == 1 else [])
    )
    assert names(f"ASSOCIATORS OF {vm} WHERE AssocClass = CIM_SettingsDefineState") == [
        "Msvm_VirtualSystemSettingData"
    ]
    assert names(f"ASSOCIATORS OF {vm} WHERE ResultClass = CIM_UserDevice") == ["Msvm_Keyboard"]
    assert names(f"ASSOCIATORS OF {vm} WHERE Role = ManagedElement") == ["Msvm_VirtualSystemSettingData"]
    assert names(f"ASSOCIATORS OF {vm} WHERE Role = PartComponent") == []
    assert names(f"ASSOCIATORS OF {vm} WHERE ResultRole = SettingData") == ["Msvm_VirtualSystemSettingData"]
    assert names(f"ASSOCIATORS OF {vm} WHERE RequiredAssocQualifier = Nope") == []
    assert len(names(f"ASSOCIATORS OF {vm} WHERE RequiredQualifier = Dynamic")) >= 2
    vssd = f"{{Msvm_VirtualSystemSettingData.InstanceID='Microsoft:{guid}'}}"
    assert sorted(set(names(f"ASSOCIATORS OF {vssd}"))) == [
        "Msvm_ComputerSystem",
        "Msvm_EthernetPortAllocationSettingData",
        "Msvm_MemorySettingData",
        "Msvm_ProcessorSettingData",
        "Msvm_ResourceAllocationSettingData",
        "Msvm_SerialPortSettingData",
        "Msvm_StorageAllocationSettingData",
        "Msvm_SyntheticEthernetPortSettingData",
    ]
    assert (
        names(
            f"ASSOCIATORS OF {vssd} WHERE ResultClass = CIM_ResourceAllocationSettingData "
            "ResultRole = GroupComponent"
        )
        == []
    )
    cpu = "{Win32_Processor.DeviceID='CPU0'}"
    assert names(f"ASSOCIATORS OF {cpu}", CIMV2) == ["Win32_ComputerSystem"]
    host = f"{{Win32_ComputerSystem='{m.spec.name}'}}"
    assert names(f"ASSOCIATORS OF {host}", CIMV2) == ["Win32_Processor"] * m.spec.sockets


def test_references_of():
    guid = vm_guids()[0]
    vm = f"{{Msvm_ComputerSystem.{CS_KEYS.format(guid)}}}"
    refs = run(model(), f"REFERENCES OF {vm}", V2).items
    assert {i.cls.name for i in refs} == {"Msvm_SettingsDefineState", "Msvm_SystemDevice"}
    assert names(f"REFERENCES OF {vm} WHERE ResultClass = CIM_Component") == ["Msvm_SystemDevice"] * (
        len(refs) - 1
    )
    assert names(f"REFERENCES OF {vm} WHERE Role = ManagedElement") == ["Msvm_SettingsDefineState"]
    assert names(f"REFERENCES OF {vm} WHERE RequiredQualifier = Association Role = SettingData") == []
    assert names(f"REFERENCES OF {vm} WHERE ClassDefsOnly") == [
        "Msvm_SettingsDefineState",
        "Msvm_SystemDevice",
    ]


def test_keys_only_and_class_defs_only():
    guid = vm_guids()[0]
    vm = f"{{Msvm_ComputerSystem.{CS_KEYS.format(guid)}}}"
    items = run(
        model(), f"ASSOCIATORS OF {vm} WHERE ResultClass = Msvm_VirtualSystemSettingData KeysOnly", V2
    ).items
    assert items[0].values == {"InstanceID": f"Microsoft:{guid}"}
    defs = run(model(), f"ASSOCIATORS OF {vm} WHERE ClassDefsOnly", V2).items
    assert len({i.cls.name for i in defs}) == len(defs) and all(i.values == {} for i in defs)


def test_schema_only():
    assert sorted(names("ASSOCIATORS OF {Msvm_ComputerSystem} WHERE SchemaOnly")) == [
        "Msvm_Keyboard",
        "Msvm_KvpExchangeComponent",
        "Msvm_S3DisplayController",
        "Msvm_ShutdownComponent",
        "Msvm_SyntheticDisplayController",
        "Msvm_VideoHead",
        "Msvm_VirtualSystemSettingData",
    ]
    assert names("ASSOCIATORS OF {Msvm_Keyboard} WHERE SchemaOnly") == ["Msvm_ComputerSystem"]
    assert sorted(names("REFERENCES OF {Msvm_VirtualSystemSettingData} WHERE SchemaOnly")) == [
        "Msvm_SettingsDefineState",
        "Msvm_VirtualSystemSettingDataComponent",
    ]


def test_endpoints_once_per_association():
    """Every association instance that refers to the source contributes its endpoint."""
    m = model()
    guid = vm_guids()[0]
    vm_ref = find_class("Msvm_ComputerSystem")
    source = next(i for i in instances_of(m, vm_ref) if i.values["Name"] == guid).ref()
    expected = sum(
        1
        for cls in CLASSES.values()
        if cls.association and cls.namespace == V2
        for inst in instances_of(m, cls)
        if any(isinstance(v, Ref) and v == source for v in inst.values.values())
    )
    assert len(names(f"ASSOCIATORS OF {{Msvm_ComputerSystem.{CS_KEYS.format(guid)}}}")) == expected


def test_missing_source_gives_nothing():
    assert (
        names("ASSOCIATORS OF {Msvm_ComputerSystem.CreationClassName='Msvm_ComputerSystem',Name='nope'}")
        == []
    )


@pytest.mark.parametrize(
    ("text", "namespace", "code"),
    [
        ("SELECT * FROM Msvm_Nope", V2, WBEM_E_INVALID_CLASS),
        ("SELECT * FROM Win32_Processor", V2, WBEM_E_INVALID_CLASS),
        ("SELECT Nope FROM Msvm_ComputerSystem", V2, WBEM_E_INVALID_QUERY),
        ("SELECT * FROM Msvm_ComputerSystem WHERE Nope = 1", V2, WBEM_E_INVALID_QUERY),
        ("ASSOCIATORS OF {Msvm_Nope.Name='x'}", V2, WBEM_E_INVALID_CLASS),
        (
            "ASSOCIATORS OF {Msvm_ComputerSystem.Name='x'} WHERE AssocClass = Nope_Class",
            V2,
            WBEM_E_INVALID_CLASS,
        ),
        ("ASSOCIATORS OF {root\\cimv2:Msvm_ComputerSystem.Name='x'}", V2, WBEM_E_INVALID_CLASS),
        ("SELECT * FROM", V2, WBEM_E_INVALID_QUERY),
    ],
)
def test_refusals_carry_wmi_codes(text, namespace, code):
    with pytest.raises(WQLError) as err:
        run(model(), text, namespace)
    assert err.value.code == code
