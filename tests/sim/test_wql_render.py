"""Units: the WQL parser and evaluator, and CIM value rendering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hvtui.sim.render import datetime_text, escape, interval_text
from hvtui.sim.schema import find_class
from hvtui.sim.wql import AssocQuery, Select, WQLError, compile_where, parse, parse_object_path


def matches(where: str, **values) -> bool:
    q = parse(f"SELECT * FROM X WHERE {where}")
    assert isinstance(q, Select)
    return compile_where(q.where, None)(values.get)


@pytest.mark.parametrize(
    ("where", "values", "expected"),
    [
        ("A = 'abc'", {"A": "ABC"}, True),
        ('A = "a\\"b"', {"A": 'a"b'}, True),
        ("A <> 'x' AND B > 2", {"A": "y", "B": 3}, True),
        ("A != 'x' OR B <= 2", {"A": "x", "B": 3}, False),
        ("NOT (B >= 3)", {"B": 3}, False),
        ("B < '10'", {"B": 9}, True),
        ("C = TRUE", {"C": True}, True),
        ("A LIKE 'w_b-[0-9][0-9]'", {"A": "WEB-07"}, True),
        ("A LIKE '[^w]%'", {"A": "web"}, False),
        ("A NOT LIKE '%x%'", {"A": "abc"}, True),
        ("A IS NULL", {"A": None}, True),
        ("A IS NOT NULL", {"A": None}, False),
        ("A = NULL", {"A": None}, True),
        ("A = 'x'", {"A": None}, False),
        ("2 < B", {"B": 3}, True),
    ],
)
def test_where(where, values, expected):
    assert matches(where, **values) is expected


@pytest.mark.parametrize(
    "bad",
    [
        "SELECT",
        "SELECT * FROM",
        "SELECT * FROM X WHERE",
        "SELECT * FROM X WHERE A =",
        "SELECT * X",
        "DELETE FROM X",
        "SELECT * FROM X WHERE (A = 1",
        "SELECT * FROM X Y",
    ],
)
def test_syntax_errors(bad):
    with pytest.raises(WQLError):
        parse(bad)


def test_unknown_property_in_where():
    q = parse("SELECT * FROM Msvm_ComputerSystem WHERE Nope = 1")
    with pytest.raises(WQLError):
        compile_where(q.where, find_class("Msvm_ComputerSystem"))


def test_associators_and_object_paths():
    q = parse(
        "ASSOCIATORS OF {Msvm_ComputerSystem.CreationClassName='Msvm_ComputerSystem',Name='ab-cd'} "
        "WHERE AssocClass = Msvm_SettingsDefineState ResultClass = Msvm_VirtualSystemSettingData"
    )
    assert isinstance(q, AssocQuery)
    assert dict(q.source.keys) == {"CreationClassName": "Msvm_ComputerSystem", "Name": "ab-cd"}
    assert q.assoc_class == "Msvm_SettingsDefineState"
    assert q.result_class == "Msvm_VirtualSystemSettingData"
    path = parse_object_path('\\\\HOST\\root\\virtualization\\v2:Msvm_X.InstanceID="Microsoft:A\\\\b"')
    assert path.class_name == "Msvm_X"
    assert dict(path.keys) == {"InstanceID": "Microsoft:A\\b"}
    assert parse("REFERENCES OF {Win32_ComputerSystem.Name='H'}").references


def test_datetime_and_interval_text():
    assert (
        datetime_text(datetime(2013, 4, 15, 16, 28, 43, 488171, tzinfo=UTC)) == "2013-04-15T16:28:43.488171Z"
    )
    assert datetime_text(datetime(2013, 4, 15, 16, 28, 39, 500000, tzinfo=UTC)) == "2013-04-15T16:28:39.5Z"
    assert datetime_text(datetime(2013, 3, 9, 2, 57, 32, tzinfo=UTC)) == "2013-03-09T02:57:32Z"
    plus8 = timezone(timedelta(hours=8))
    assert (
        datetime_text(datetime(2014, 4, 3, 14, 45, 50, 468750, tzinfo=plus8))
        == "2014-04-03T14:45:50.46875+08:00"
    )
    assert interval_text(timedelta(seconds=100)) == "P0DT0H1M40S"
    assert interval_text(timedelta(days=2, hours=3, seconds=1.25)) == "P2DT3H0M1.25S"


def test_escape_and_class_order():
    assert escape("a&b<c>\x01") == "a&amp;b&lt;c&gt;?"
    names = [p.name for p in find_class("win32_operatingsystem").props]
    assert names.index("CreationClassName") < names.index("CSCreationClassName")
    assert names.index("MaxProcessMemorySize") < names.index("MUILanguages")
    assert names.index("Organization") < names.index("OSArchitecture")
