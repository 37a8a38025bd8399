"""Windows releases and libvirt's packed version number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvtui.version import (
    KernelVersion,
    format_packed,
    identify_release,
    pack_version,
    parse_kernel_version,
)

# The libvirt document's table (docs/drvhyperv.rst), verbatim.
LIBVIRT_TABLE = [
    ("Windows Server 2012 R2", "6.3.9600", "603.9.600"),
    ("Windows Server 2016", "10.0.14393", "1000.14.393"),
    ("Windows Server 2019", "10.0.17763", "1000.17.763"),
]


@pytest.mark.parametrize(("release", "kernel", "libvirt"), LIBVIRT_TABLE)
def test_libvirt_document_table(release, kernel, libvirt):
    info = identify_release(kernel, product_type=3)
    assert info.name == release
    assert info.libvirt_version_text == libvirt
    assert str(info.kernel) == kernel
    assert info.supported


SERVERS = [
    # version, packed, virsh text, name, short
    ("6.3.9600", 603009600, "603.9.600", "Windows Server 2012 R2", "2012 R2"),
    ("10.0.14393", 1000014393, "1000.14.393", "Windows Server 2016", "2016"),
    ("10.0.17763", 1000017763, "1000.17.763", "Windows Server 2019", "2019"),
    ("10.0.20348", 1000020348, "1000.20.348", "Windows Server 2022", "2022"),
    ("10.0.26100", 1000026100, "1000.26.100", "Windows Server 2025", "2025"),
    ("10.0.25398", 1000025398, "1000.25.398", "Windows Server, version 23H2", "23H2"),
    ("10.0.30000", 1000030000, "1000.30.0", "Windows Server (build 30000)", "30000"),
]


@pytest.mark.parametrize(("version", "packed", "text", "name", "short"), SERVERS)
def test_server_releases(version, packed, text, name, short):
    info = identify_release(version, product_type=3)
    assert info.libvirt_version == packed
    assert info.libvirt_version_text == text
    assert (info.name, info.short) == (name, short)
    assert info.is_server
    assert info.supported
    assert info.note is None


CLIENTS = [
    ("10.0.10240", "Windows 10", "1507", "1000.10.240"),
    ("10.0.19045", "Windows 10", "22H2", "1000.19.45"),  # virsh loses the zero; the build stays 19045
    ("10.0.22000", "Windows 11", "21H2", "1000.22.0"),
    ("10.0.22631", "Windows 11", "23H2", "1000.22.631"),
    ("10.0.26100", "Windows 11", "24H2", "1000.26.100"),
    ("10.0.27000", "Windows 11", None, "1000.27.0"),
]


@pytest.mark.parametrize(("version", "name", "feature", "libvirt"), CLIENTS)
def test_client_releases_by_product_type(version, name, feature, libvirt):
    info = identify_release(version, product_type=1)
    assert not info.is_server
    assert info.name == name
    assert info.feature_update == feature
    assert info.libvirt_version_text == libvirt
    assert info.build == int(version.rsplit(".", 1)[1])


def test_client_and_server_share_a_build_and_are_told_apart():
    server = identify_release("10.0.26100", caption="Microsoft Windows Server 2025 Datacenter")
    client = identify_release("10.0.26100", caption="Microsoft Windows 11 Pro")
    assert (server.name, server.is_server) == ("Windows Server 2025", True)
    assert (client.name, client.is_server) == ("Windows 11", False)
    assert identify_release("10.0.14393", product_type=1).name == "Windows 10"
    assert identify_release("10.0.14393", product_type=2).name == "Windows Server 2016"


def test_caption_is_first_choice_for_display():
    info = identify_release(
        "10.0.20348", caption="Microsoft Windows Server 2022 Datacenter", build_number="20348", product_type=3
    )
    assert info.display_name == "Microsoft Windows Server 2022 Datacenter"
    assert info.name == "Windows Server 2022"
    assert "1000.20.348" in info.summary()
    assert "10.0.20348" in info.summary()


def test_caption_trailing_space_is_dropped():
    info = identify_release("6.1.7601", caption="Microsoft Windows Server 2008 R2 Datacenter ")
    assert info.display_name == "Microsoft Windows Server 2008 R2 Datacenter"


@pytest.mark.parametrize(
    ("version", "name", "packed_text"),
    [
        ("6.0.6001", "Windows Server 2008", "600.6.1"),
        ("6.1.7600", "Windows Server 2008 R2", "601.7.600"),
        ("6.2.9200", "Windows Server 2012", "602.9.200"),
    ],
)
def test_old_releases_recognised_and_unsupported(version, name, packed_text):
    info = identify_release(version, product_type=3)
    assert info.name == name
    assert not info.supported
    assert "2012 R2" in info.note
    assert info.libvirt_version_text == packed_text


@pytest.mark.parametrize(
    "raw", ["10.0.20348.1", "10.0", "ten.zero.1", "", "10..1", " ", "10.0.-1", "1e3.0.1", "10.0.17763\n1"]
)
def test_unrecognised_versions_keep_the_raw_text(raw):
    info = identify_release(raw)
    assert info.kernel is None
    assert info.libvirt_version is None
    assert info.libvirt_version_text is None
    assert not info.supported
    assert "unrecognised version" in info.note
    assert raw.strip()[:10] in info.note or not raw.strip()
    assert info.raw_version == raw
    info.summary()  # renders without raising


def test_non_string_version_never_raises():
    info = identify_release(None)  # type: ignore[arg-type]
    assert info.kernel is None


@pytest.mark.parametrize("raw", ["100.0.1", "10.100.1", "10.0.1000000"])
def test_too_large_to_pack(raw):
    info = identify_release(raw)
    assert info.kernel is not None
    assert info.libvirt_version is None
    assert "too large to pack" in info.note
    with pytest.raises(ValueError, match="too large"):
        pack_version(*(int(x) for x in raw.split(".")))


def test_pack_limits_match_libvirt():
    assert pack_version(99, 99, 999999) == 9_999_999_999
    assert format_packed(pack_version(99, 99, 999999)) == "9999.999.999"


def test_build_number_disagreeing_with_version_is_noted():
    info = identify_release("10.0.17763", build_number="17764")
    assert "BuildNumber 17764" in info.note


def test_parse_kernel_version():
    assert parse_kernel_version("10.0.17763") == KernelVersion(10, 0, 17763)
    assert parse_kernel_version("10.0.17763.1") is None
    assert KernelVersion(10, 0, 17763) > KernelVersion(6, 3, 9600)


@given(st.integers(0, 99), st.integers(0, 99), st.integers(0, 999_999))
def test_packing_is_libvirt_formula_and_virsh_rendering(major, minor, micro):
    packed = pack_version(major, minor, micro)
    assert packed == major * 100000000 + minor * 1000000 + micro
    v = packed
    assert format_packed(packed) == f"{v // 1000000}.{(v % 1000000) // 1000}.{v % 1000}"
    assert KernelVersion(major, minor, micro).packed == packed


@given(st.text(max_size=30), st.one_of(st.none(), st.text(max_size=30)), st.one_of(st.none(), st.integers()))
def test_identify_never_raises(version, caption, product_type):
    identify_release(version, caption=caption, product_type=product_type).summary()
