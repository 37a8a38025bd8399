"""CIM date-times and intervals in both spellings WinRM uses: xs:dateTime/duration and DMTF strings."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvtui.wsman.cimtime import (
    CimTimeError,
    decode,
    format_datetime,
    format_dmtf,
    format_interval,
    parse_datetime,
    parse_dmtf,
    parse_interval,
)

# Shapes taken from real replies: Z with no fraction, 1 digit, 3, 6, and a +08:00 offset.
REAL_SHAPES = [
    ("2013-03-09T02:57:32Z", datetime(2013, 3, 9, 2, 57, 32, tzinfo=UTC)),
    ("2013-04-15T16:28:39.5Z", datetime(2013, 4, 15, 16, 28, 39, 500000, tzinfo=UTC)),
    ("2013-04-15T20:26:12.701Z", datetime(2013, 4, 15, 20, 26, 12, 701000, tzinfo=UTC)),
    ("2013-04-15T16:28:43.488171Z", datetime(2013, 4, 15, 16, 28, 43, 488171, tzinfo=UTC)),
    (
        "2014-04-03T14:45:50.46875+08:00",
        datetime(2014, 4, 3, 14, 45, 50, 468750, tzinfo=timezone(timedelta(hours=8))),
    ),
    ("1601-01-01T00:00:00Z", datetime(1601, 1, 1, tzinfo=UTC)),
    ("2024-02-29T23:59:59.1234567891Z", datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=UTC)),
    ("2024-03-01T10:00:00-05:30", datetime(2024, 3, 1, 10, tzinfo=timezone(-timedelta(hours=5, minutes=30)))),
    ("  2024-03-01T10:00:00Z\n", datetime(2024, 3, 1, 10, tzinfo=UTC)),
    ("2024-03-01T24:00:00Z", datetime(2024, 3, 2, tzinfo=UTC)),
]


@pytest.mark.parametrize(("text", "expected"), REAL_SHAPES)
def test_datetime_shapes(text, expected):
    value = parse_datetime(text)
    assert value == expected
    assert value.tzinfo is not None
    assert value.utcoffset() == expected.utcoffset()


def test_datetime_without_offset_is_utc():
    assert parse_datetime("2024-03-01T10:22:33") == datetime(2024, 3, 1, 10, 22, 33, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2024-13-01T00:00:00Z",
        "2024-02-30T00:00:00Z",
        "2024-03-01",
        "2024-03-01T10:22Z",
        "2024-03-01 10:22:33Z",
        "20240301T102233Z",
        "2024-03-01T10:22:33+25:00",
        "2024-03-01T24:00:01Z",
        "2024-W09-5T00:00:00Z",
        "2024-03-01T10:22:33.Z",
    ],
)
def test_datetime_refusals(text):
    with pytest.raises(CimTimeError):
        parse_datetime(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P0DT0H1M40S", timedelta(seconds=100)),
        ("P0DT0H0M0S", timedelta(0)),
        ("P1DT2H3M4S", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("P0DT0H0M1.5S", timedelta(seconds=1, microseconds=500000)),
        ("P0DT0H0M0.0000019S", timedelta(microseconds=1)),
        ("PT5M", timedelta(minutes=5)),
        ("P3D", timedelta(days=3)),
        ("-P0DT0H0M2S", timedelta(seconds=-2)),
        # .NET TimeSpan.MaxValue, which some providers report for "never"
        (
            "P10675199DT2H48M5.4775807S",
            timedelta(days=10675199, hours=2, minutes=48, seconds=5, microseconds=477580),
        ),
    ],
)
def test_interval_shapes(text, expected):
    assert parse_interval(text) == expected


@pytest.mark.parametrize("text", ["", "P", "PT", "P1Y", "P2M", "P1DT", "1 day", "P1.5D", "PT1H2S3M"])
def test_interval_refusals(text):
    with pytest.raises(CimTimeError):
        parse_interval(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20130415162843.488171+000", datetime(2013, 4, 15, 16, 28, 43, 488171, tzinfo=UTC)),
        (
            "20140403144550.468750+480",
            datetime(2014, 4, 3, 14, 45, 50, 468750, tzinfo=timezone(timedelta(hours=8))),
        ),
        ("20240301102233.000000-300", datetime(2024, 3, 1, 10, 22, 33, tzinfo=timezone(-timedelta(hours=5)))),
        ("20240301******.******+000", datetime(2024, 3, 1, tzinfo=UTC)),
        ("00000001020304.000005:000", timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=5)),
        ("00000000000140.000000:000", timedelta(seconds=100)),
    ],
)
def test_dmtf(text, expected):
    assert parse_dmtf(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024030110223.000000+000",
        "20240301102233.000000+9999",
        "00000000250000.000000:000",
        "2024XX01102233.000000+000",
        "20241301102233.000000+000",
    ],
)
def test_dmtf_refusals(text):
    with pytest.raises(CimTimeError):
        parse_dmtf(text)


def test_decode_kinds():
    assert decode("Datetime", "2024-03-01T10:22:33Z") == datetime(2024, 3, 1, 10, 22, 33, tzinfo=UTC)
    assert decode("Interval", "P0DT0H1M40S") == timedelta(seconds=100)
    assert decode("CIM_DateTime", "20240301102233.000000+000") == datetime(2024, 3, 1, 10, 22, 33, tzinfo=UTC)
    assert decode("Date", "2024-03-01") == date(2024, 3, 1)
    assert decode("Time", "10:22:33.5Z") == time(10, 22, 33, 500000, tzinfo=UTC)
    with pytest.raises(CimTimeError):
        decode("Epoch", "0")


# Hosts send fixed offsets (Z, +08:00): whole minutes within +-14 hours.
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
aware = st.datetimes(min_value=datetime(1601, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets)


@given(aware)
def test_datetime_round_trip(value):
    assert parse_datetime(format_datetime(value)) == value


@given(aware)
def test_dmtf_datetime_round_trip(value):
    assert parse_dmtf(format_dmtf(value)) == value


@given(st.timedeltas(min_value=-timedelta(days=99999999), max_value=timedelta(days=99999999)))
def test_interval_round_trip(value):
    assert parse_interval(format_interval(value)) == value


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=99999999)))
def test_dmtf_interval_round_trip(value):
    assert parse_dmtf(format_dmtf(value)) == value


@given(
    st.datetimes(min_value=datetime(1601, 1, 1), max_value=datetime(9999, 12, 31)),
    st.text(alphabet="0123456789", min_size=1, max_size=15),
    st.sampled_from(["Z", "+00:00", "+08:00", "-05:30", "+14:00", "-12:00"]),
)
def test_fractions_of_any_length(value, digits, offset):
    text = value.strftime("%Y-%m-%dT%H:%M:%S").rjust(19, "0") + "." + digits + offset
    if value.year < 1000:
        text = f"{value.year:04d}" + text[text.index("-") :]
    parsed = parse_datetime(text)
    assert parsed.microsecond == int((digits + "000000")[:6])
    assert parsed.replace(microsecond=0, tzinfo=None) == value.replace(microsecond=0)


@given(st.text(max_size=40))
def test_parsers_never_raise_anything_else(text):
    for parser in (parse_datetime, parse_interval, parse_dmtf):
        with contextlib.suppress(CimTimeError):
            parser(text)
