"""WQL constructs one by one: literals, operators, LIKE, NULL, ISA, object paths and refusals."""

from __future__ import annotations

import pytest

from hvtui.sim.render import Ref
from hvtui.sim.schema import find_class
from hvtui.sim.wql import (
    WBEM_E_INVALID_QUERY,
    ObjectPath,
    Select,
    WQLError,
    compile_where,
    parse,
    parse_object_path,
)

CS = find_class("Msvm_ComputerSystem")
SDS = find_class("Msvm_SettingsDefineState")
VM_URI = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ComputerSystem"


def where(text: str, cls=None):
    q = parse(f"SELECT * FROM {cls.name if cls else 'X'} WHERE {text}")
    assert isinstance(q, Select)
    return compile_where(q.where, cls)


def holds(text: str, cls=None, **values) -> bool:
    return where(text, cls)(values.get)


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        # property to property, as WMI allows
        ("A = B", {"A": "Web", "B": "WEB"}, True),
        ("A <> B", {"A": 1, "B": 2}, True),
        ("A < B", {"A": 10, "B": 9}, False),
        ("A >= B", {"A": "b", "B": "A"}, True),
        ("A = B", {"A": None, "B": None}, False),
        ("A = B", {"A": 5, "B": "5"}, True),
        ("A = B", {"A": True, "B": 1}, True),
        # numbers: decimal, negative, hexadecimal, real
        ("A = 0x1F", {"A": 31}, True),
        ("A > -1", {"A": 0}, True),
        ("A < 2.5", {"A": 2}, True),
        ("A = '0x10'", {"A": 16}, True),
        ("A = 'ten'", {"A": 10}, False),
        # booleans are 1 and 0
        ("A = 1", {"A": True}, True),
        ("A <> FALSE", {"A": True}, True),
        ("A = 'false'", {"A": False}, True),
        ("A = 2", {"A": True}, False),
        # strings in either quote, with WMI's escapes, compared without case
        ("A = 'it\\'s'", {"A": "IT'S"}, True),
        ('A = "C:\\\\dir"', {"A": "c:\\DIR"}, True),
        ("A = 'x\"y'", {"A": 'x"y'}, True),
        # constants on the left turn the operator round
        ("'b' > A", {"A": "a"}, True),
        ("3 <= A", {"A": 2}, False),
        # NULL
        ("A IS NULL", {}, True),
        ("A IS NOT NULL", {"A": 0}, True),
        ("A <> NULL", {"A": ""}, True),
        ("NULL = A", {"A": None}, True),
        ("NOT A = 'x'", {"A": None}, True),
        # precedence: NOT binds tighter than AND, AND tighter than OR
        ("A = 1 OR A = 2 AND B = 3", {"A": 1, "B": 0}, True),
        ("(A = 1 OR A = 2) AND B = 3", {"A": 1, "B": 0}, False),
        ("NOT A = 1 AND B = 0", {"A": 2, "B": 0}, True),
        ("NOT NOT A = 1", {"A": 1}, True),
        # keywords in any case
        ("a = 1 aNd NoT (b iS nUlL)", {"a": 1, "b": 2}, True),
    ],
)
def test_where_semantics(text, values, expected):
    assert holds(text, **values) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("%Win%", "Microsoft Windows", True),
        ("w_b", "WEB", True),
        ("w_b", "wb", False),
        ("[a-c]x", "Bx", True),
        ("[a-c]x", "dx", False),
        ("[^a-c]x", "dx", True),
        ("[^a-c]x", "ax", False),
        ("[abc]%", "cat", True),
        ("%[_][_]%", "a__b", True),
        ("%[_][_]%", "a_b", False),
        ("100[%]", "100%", True),
        ("a.b", "axb", False),
        ("%\\\\%", "C:\\x", True),
    ],
)
def test_like(pattern, value, expected):
    escaped = pattern.replace("'", "\\'")
    assert holds(f"A LIKE '{escaped}'", A=value) is expected
    assert holds(f"A NOT LIKE '{escaped}'", A=value) is (not expected)
    assert holds(f"NOT A LIKE '{escaped}'", A=value) is (not expected)


def test_like_and_compare_never_match_null():
    assert not holds("A LIKE '%'", A=None)
    assert not holds("A NOT LIKE 'x'", A=None)
    assert not holds("A < 1", A=None)


def test_class_properties_are_bound_case_insensitively():
    test = where("elementname = 'web' AND enabledstate = requestedstate", CS)
    assert test({"ElementName": "WEB", "EnabledState": 2, "RequestedState": 2}.get)
    assert not test({"ElementName": "WEB", "EnabledState": 2, "RequestedState": 3}.get)


def test_isa_follows_the_class_hierarchy():
    vm = Ref(VM_URI, (("CreationClassName", "Msvm_ComputerSystem"), ("Name", "G")))
    assert holds("ManagedElement ISA 'CIM_ComputerSystem'", SDS, ManagedElement=vm)
    assert holds('ManagedElement ISA "cim_managedelement"', SDS, ManagedElement=vm)
    assert not holds("ManagedElement ISA 'CIM_SettingData'", SDS, ManagedElement=vm)
    assert holds("__THIS ISA 'CIM_System'", CS, __THIS=vm)


@pytest.mark.parametrize(
    "text",
    [
        "Nope = 1",  # no such property
        "__NOPE = 1",  # no such system property
        "OperationalStatus = 2",  # an array
        "__DERIVATION = 'CIM_System'",
        "1 = 1",  # no property at all
        "ElementName ISA 'CIM_System'",  # ISA needs a reference
        "ElementName IS 'x'",
        "ElementName > NULL",
        "ElementName LIKE 5",
        "ElementName LIKE '[a'",  # unclosed set
        "ElementName = 'x' AND",
        "(ElementName = 'x'",
        "ElementName = 'x')",
        "ElementName == 'x'",
        "ElementName = 'unterminated",
        "ElementName.Sub = 1",
    ],
)
def test_invalid_where_is_invalid_query(text):
    with pytest.raises(WQLError) as err:
        where(text, CS)
    assert err.value.code == WBEM_E_INVALID_QUERY


def test_boolean_takes_only_equality():
    vssd = find_class("Msvm_VirtualSystemSettingData")
    assert where("IsSaved <> TRUE", vssd)({"IsSaved": False}.get)
    with pytest.raises(WQLError):
        where("IsSaved < TRUE", vssd)
    with pytest.raises(WQLError):
        where("IsSaved > 0", vssd)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT",
        "SELECT * FROM",
        "SELECT Name, FROM X",
        "SELECT * X",
        "DELETE FROM X",
        "SELECT * FROM X Y",
        "ASSOCIATORS {X.Name='a'}",
        "ASSOCIATORS OF X",
        "ASSOCIATORS OF {X.Name='a'",
        "ASSOCIATORS OF {X.Name='a'} WHERE",
        "ASSOCIATORS OF {X.Name='a'} WHERE Nope = Y",
        "ASSOCIATORS OF {X.Name='a'} WHERE ResultClass = Y ResultClass = Z",
        "ASSOCIATORS OF {X.Name='a'} WHERE ClassDefsOnly ResultClass = Y",
        "ASSOCIATORS OF {X.Name='a'} WHERE Role 'Y'",
        "REFERENCES OF {X.Name='a'} WHERE AssocClass = Y",
        "REFERENCES OF {X.Name='a'} WHERE ResultRole = Y",
        "ASSOCIATORS OF {X.Name=} ",
        "ASSOCIATORS OF {\\\\HOST:X.Name='a'}",
    ],
)
def test_syntax_errors(text):
    with pytest.raises(WQLError) as err:
        parse(text)
    assert err.value.code == WBEM_E_INVALID_QUERY


def test_parse_is_cached_by_text():
    text = "SELECT Name FROM Msvm_ComputerSystem WHERE EnabledState = RequestedState"
    assert parse(text) is parse(text)


def test_association_keywords():
    q = parse(
        "associators of {Msvm_ComputerSystem.Name='g',CreationClassName='Msvm_ComputerSystem'} where "
        "assocclass = Msvm_SystemDevice resultclass = CIM_LogicalDevice role = GroupComponent "
        "resultrole = PartComponent requiredqualifier = Dynamic requiredassocqualifier = Association keysonly"
    )
    assert (q.assoc_class, q.result_class, q.role, q.result_role) == (
        "Msvm_SystemDevice",
        "CIM_LogicalDevice",
        "GroupComponent",
        "PartComponent",
    )
    assert (q.required_qualifier, q.required_assoc_qualifier, q.keys_only) == ("Dynamic", "Association", True)
    r = parse("REFERENCES OF {Win32_ComputerSystem.Name='H'} WHERE ClassDefsOnly Role = GroupComponent")
    assert r.references and r.class_defs_only and r.role == "GroupComponent"
    assert parse("ASSOCIATORS OF {Msvm_ComputerSystem} WHERE SchemaOnly").source.is_class


WINDOWS_PATH = (
    '\\\\HV2022-01\\root\\virtualization\\v2:Msvm_VirtualEthernetSwitch.CreationClassName="Msvm_VirtualEthernetSwitch",'
    'Name="C08CB7B8-9B3C-408E-8E30-5E16A3AEB444"'
)


def test_object_paths_as_windows_writes_them():
    p = parse_object_path(WINDOWS_PATH)
    assert (p.server, p.namespace, p.class_name) == (
        "HV2022-01",
        "root\\virtualization\\v2",
        "Msvm_VirtualEthernetSwitch",
    )
    assert p.text() == WINDOWS_PATH
    assert p.relative() == WINDOWS_PATH.split(":", 1)[1]
    same = parse_object_path(
        '//hv2022-01/ROOT/virtualization/V2:msvm_virtualethernetswitch.name="c08cb7b8-9b3c-408e-8e30-5e16a3aeb444",'
        "creationclassname='MSVM_VIRTUALETHERNETSWITCH'"
    )
    assert p.same(same) and same.same(p)
    assert p.same(parse_object_path(WINDOWS_PATH.split(":", 1)[1]))  # no server or namespace: not compared
    assert p.same(parse_object_path(WINDOWS_PATH.replace("HV2022-01", ".")))
    assert not p.same(parse_object_path(WINDOWS_PATH.replace("HV2022-01", "OTHER")))
    assert not p.same(parse_object_path(WINDOWS_PATH.replace("v2:", "v1:")))
    assert not p.same(parse_object_path(WINDOWS_PATH.replace('B444"', 'B445"')))
    assert not p.same(parse_object_path(WINDOWS_PATH.split(",", 1)[0]))  # a key missing


def test_object_path_forms():
    assert parse_object_path("Win32_OperatingSystem=@").singleton
    one = parse_object_path('Win32_Processor="CPU0"')
    assert one.same(ObjectPath("Win32_Processor", (("DeviceID", "cpu0"),)))
    assert parse_object_path("Win32_Process.Handle=42").keys == (("Handle", "42"),)
    assert parse_object_path('X.K="a\\"b\\\\c"').keys == (("K", 'a"b\\c'),)
    assert parse_object_path("\\\\host.example.com\\root\\cimv2:X.K='v'").server == "host.example.com"
    assert parse_object_path("root/cimv2:X").is_class
    for bad in ("", "9X", "X.", "X.K", "X.K='v'junk", "X.K='v", "\\\\h:X", "X=@junk"):
        with pytest.raises(WQLError):
            parse_object_path(bad)


def test_path_properties_compare_as_paths():
    cs = Ref(VM_URI, (("CreationClassName", "Msvm_ComputerSystem"), ("Name", "AB-CD")))
    test = where(
        'ManagedElement = \'Msvm_ComputerSystem.Name="ab-cd",CreationClassName="msvm_computersystem"\'', SDS
    )
    assert test({"ManagedElement": cs}.get)
    assert not where('ManagedElement <> \'Msvm_ComputerSystem.Name="ab-cd",CreationClassName="x"\'', SDS)(
        {"ManagedElement": None}.get
    )
    assert where("ManagedElement = SettingData", SDS)({"ManagedElement": cs, "SettingData": cs}.get)
