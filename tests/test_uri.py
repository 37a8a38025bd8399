"""libvirt's hyperv:// URIs: every accepted form, every refusal, and the canonical round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvtui.uri import ConnectionURI, URIError, parse_uri

ACCEPTED = [
    # text, host, user, effective port, transport, auth, no_verify
    ("hyperv://example-hyperv.com", "example-hyperv.com", "administrator", 5986, "https", "auto", False),
    ("hyperv://example-hyperv.com/", "example-hyperv.com", "administrator", 5986, "https", "auto", False),
    (
        "hyperv://example-hyperv.com/?transport=http",
        "example-hyperv.com",
        "administrator",
        5985,
        "http",
        "auto",
        False,
    ),
    (
        "hyperv://example-hyperv.com?transport=http",
        "example-hyperv.com",
        "administrator",
        5985,
        "http",
        "auto",
        False,
    ),
    ("hyperv://hv01:1234/?transport=http", "hv01", "administrator", 1234, "http", "auto", False),
    ("hyperv://hv01:5985/", "hv01", "administrator", 5985, "https", "auto", False),
    ("hyperv://root@hv01/", "hv01", "root", 5986, "https", "auto", False),
    ("hyperv://CORP%5Cadmin@hv01/", "hv01", "CORP\\admin", 5986, "https", "auto", False),
    ("hyperv://admin%40corp.example@hv01/", "hv01", "admin@corp.example", 5986, "https", "auto", False),
    ("hyperv://admin@corp.example@hv01/", "hv01", "admin@corp.example", 5986, "https", "auto", False),
    ("hyperv://[fe80::1]:5986/", "fe80::1", "administrator", 5986, "https", "auto", False),
    ("hyperv://[FE80:0:0::1]/", "fe80::1", "administrator", 5986, "https", "auto", False),
    ("hyperv://[fe80::1%25eth0]/", "fe80::1%eth0", "administrator", 5986, "https", "auto", False),
    ("hyperv://192.0.2.7/", "192.0.2.7", "administrator", 5986, "https", "auto", False),
    ("hyperv://HV01.Corp.Example/", "hv01.corp.example", "administrator", 5986, "https", "auto", False),
    ("HYPERV://hv01/", "hv01", "administrator", 5986, "https", "auto", False),
    ("hyperv://hv01/?auth=ntlm", "hv01", "administrator", 5986, "https", "ntlm", False),
    ("hyperv://hv01/?auth=basic&transport=http", "hv01", "administrator", 5985, "http", "basic", False),
    ("hyperv://hv01/?no_verify=1", "hv01", "administrator", 5986, "https", "auto", True),
    ("hyperv://hv01/?no_verify=0", "hv01", "administrator", 5986, "https", "auto", False),
    ("hyperv://hv01/?Transport=http", "hv01", "administrator", 5985, "http", "auto", False),
    ("hyperv://hv01/?auth=kerberos", "hv01", "administrator", 5986, "https", "kerberos", False),
    (
        "hyperv://alice%40CORP.EXAMPLE@hv01/?auth=kerberos",
        "hv01",
        "alice@CORP.EXAMPLE",
        5986,
        "https",
        "kerberos",
        False,
    ),
    ("hyperv://CORP%5Calice@hv01?auth=kerberos", "hv01", "CORP\\alice", 5986, "https", "kerberos", False),
    ("  hyperv://hv01/  ", "hv01", "administrator", 5986, "https", "auto", False),
]


@pytest.mark.parametrize(("text", "host", "user", "port", "transport", "auth", "no_verify"), ACCEPTED)
def test_accepted(text, host, user, port, transport, auth, no_verify):
    uri = parse_uri(text)
    assert (uri.host, uri.user, uri.effective_port, uri.transport, uri.auth, uri.no_verify) == (
        host,
        user,
        port,
        transport,
        auth,
        no_verify,
    )
    assert parse_uri(str(uri)) == uri


REFUSED = [
    # text, words the message must contain
    ("hyperv+ssh://example.com/", ["client-side only", "hyperv://"]),
    ("hyperv+tls://example.com/", ["client-side only"]),
    ("esx://example.com/", ["unsupported scheme 'esx'"]),
    ("qemu:///system", ["unsupported scheme"]),
    ("example.com", ["not a hyperv:// URI"]),
    ("hyperv:example.com", ["'//'"]),
    ("", ["empty"]),
    ("hyperv://", ["host name is missing"]),
    ("hyperv:///", ["host name is missing"]),
    ("hyperv://user@/", ["host name is missing"]),
    ("hyperv://@hv01/", ["user name before '@' is empty"]),
    ("hyperv://hv01:abc/", ["port 'abc' is not a number"]),
    ("hyperv://hv01:/", ["port after ':' is empty"]),
    ("hyperv://hv01:0/", ["port 0 is out of range"]),
    ("hyperv://hv01:65536/", ["port 65536 is out of range"]),
    ("hyperv://hv01:-1/", ["not a number"]),
    ("hyperv://hv01/?transport=ftp", ["bad value 'ftp' for transport", "http or https"]),
    ("hyperv://hv01/?transport=HTTP", ["bad value 'HTTP' for transport"]),
    ("hyperv://hv01/?transport=", ["bad value '' for transport"]),
    ("hyperv://hv01/?auth=digest", ["bad value 'digest' for auth", "auto, ntlm, basic or kerberos"]),
    ("hyperv://hv01/?auth=Kerberos", ["bad value 'Kerberos' for auth"]),
    ("hyperv://hv01/?no_verify=yes", ["bad value 'yes' for no_verify", "0 or 1"]),
    ("hyperv://hv01/?timeout=5", ["unknown parameter 'timeout'", "transport, auth, no_verify and spn"]),
    # Kerberos: service principal names and domain accounts.
    ("hyperv://hv01/?spn=HTTP", ["bad value 'HTTP' for spn", "SERVICE/host"]),
    ("hyperv://hv01/?spn=/hv01", ["bad value '/hv01' for spn"]),
    ("hyperv://hv01/?spn=HTTP/", ["bad value 'HTTP/' for spn"]),
    ("hyperv://hv01/?spn=", ["bad value '' for spn"]),
    ("hyperv://hv01/?spn=HTTP%2Fhv01%40CORP.EXAMPLE", ["leave out '@REALM'"]),
    ("hyperv://hv01/?spn=HT%20TP/hv01", ["bad service 'HT TP' in spn"]),
    ("hyperv://hv01/?spn=HTTP/bad_host!", ["bad host 'bad_host!' in spn"]),
    ("hyperv://hv01/?spn=HTTP/a&spn=HTTP/b", ["'spn' is given twice"]),
    ("hyperv://hv01/?auth=ntlm&spn=HTTP/hv01", ["spn= applies to Kerberos only", "not ntlm"]),
    ("hyperv://hv01/?auth=basic&spn=HTTP/hv01", ["spn= applies to Kerberos only"]),
    ("hyperv://alice%40@hv01/", ["'alice@' is not user@REALM", "%40"]),
    ("hyperv://%40CORP.EXAMPLE@hv01/", ["is not user@REALM"]),
    ("hyperv://alice%40CORP%20EXAMPLE@hv01/", ["realm 'CORP EXAMPLE' is not valid"]),
    ("hyperv://CORP%5C@hv01/", ["is not DOMAIN\\user", "%5C"]),
    ("hyperv://%5Calice@hv01/", ["is not DOMAIN\\user"]),
    ("hyperv://CORP%5Calice%5Cx@hv01/", ["is not DOMAIN\\user"]),
    ("hyperv://CO%2FRP%5Calice@hv01/", ["domain 'CO/RP' is not valid"]),
    ("hyperv://CORP%5Calice%40CORP.EXAMPLE@hv01/", ["mixes DOMAIN\\user and user@REALM"]),
    ("hyperv://hv01/?transport=http&transport=https", ["'transport' is given twice"]),
    ("hyperv://hv01/?transport", ["has no value"]),
    ("hyperv://hv01/wsman", ["unexpected path '/wsman'"]),
    ("hyperv://hv01/#frag", ["fragment"]),
    ("hyperv://fe80::1/", ["IPv6 address must be in brackets"]),
    ("hyperv://[fe80::1/", ["closing ']'"]),
    ("hyperv://[nothex::zz]/", ["not a valid IPv6 address"]),
    ("hyperv://[fe80::1]x/", ["unexpected 'x'"]),
    ("hyperv://bad_host!/", ["not a valid host name"]),
    ("hyperv://-leading.example/", ["not a valid host name"]),
]


@pytest.mark.parametrize(("text", "words"), REFUSED)
def test_refused(text, words):
    with pytest.raises(URIError) as info:
        parse_uri(text)
    message = str(info.value)
    for word in words:
        assert word in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "text",
    [
        "hyperv://admin:Secr3t-Pa55@hv01/",
        "hyperv://admin:Secr3t/Pa55@hv01/",
        "hyperv://admin:Secr3t?Pa55@hv01/",
        "hyperv://admin:Secr3t#Pa55@hv01/",
        "hyperv://admin:Secr3t@Pa55@hv01/",
        "admin:Secr3tPa55@hv01",
        "ftp://admin:Secr3tPa55@hv01/",
    ],
)
def test_password_in_uri_refused_and_never_echoed(text):
    with pytest.raises(URIError) as info:
        parse_uri(text)
    message = str(info.value)
    assert "password" in message
    assert "Secr3t" not in message
    assert "Pa55" not in message


def test_host_names_compare_case_insensitively():
    assert parse_uri("hyperv://HV01/") == parse_uri("hyperv://hv01")
    assert parse_uri("hyperv://hv01/") == parse_uri("hyperv://administrator@hv01:5986/")


def test_canonical_form():
    assert str(parse_uri("hyperv://HV01")) == "hyperv://administrator@hv01/"
    assert str(parse_uri("hyperv://hv01:5985/?transport=http")) == (
        "hyperv://administrator@hv01/?transport=http"
    )
    assert str(parse_uri("hyperv://hv01:5985/")) == "hyperv://administrator@hv01:5985/"
    assert str(parse_uri("hyperv://CORP%5Cadmin@hv01/?no_verify=1&auth=ntlm")) == (
        "hyperv://CORP%5Cadmin@hv01/?auth=ntlm&no_verify=1"
    )
    assert str(parse_uri("hyperv://[FE80::1%25eth0]:1/")) == "hyperv://administrator@[fe80::1%25eth0]:1/"
    assert str(
        parse_uri("hyperv://alice%40CORP.EXAMPLE@HV01/?spn=WSMAN/HV01.Corp.Example&auth=kerberos")
    ) == ("hyperv://alice%40CORP.EXAMPLE@hv01/?auth=kerberos&spn=WSMAN/hv01.corp.example")


def test_service_principal():
    assert (
        parse_uri("hyperv://HV01.Corp.Example/?auth=kerberos").service_principal == "HTTP/hv01.corp.example"
    )
    assert (
        parse_uri("hyperv://192.0.2.7/").service_principal == "HTTP/192.0.2.7"
    )  # as written: no reverse DNS
    uri = parse_uri("hyperv://192.0.2.7/?spn=WSMAN/hv01.corp.example")
    assert (uri.spn, uri.service_principal) == ("WSMAN/hv01.corp.example", "WSMAN/hv01.corp.example")
    assert uri != parse_uri("hyperv://192.0.2.7/")
    assert parse_uri("hyperv://hv01?spn=HTTP/hv01.corp.example").spn == "HTTP/hv01.corp.example"


def test_endpoint_and_port_defaults():
    assert parse_uri("hyperv://hv01/").endpoint == "https://hv01:5986/wsman"
    assert parse_uri("hyperv://hv01/?transport=http").endpoint == "http://hv01:5985/wsman"
    assert parse_uri("hyperv://hv01:8080/?transport=http").endpoint == "http://hv01:8080/wsman"
    assert parse_uri("hyperv://[::1]/").endpoint == "https://[::1]:5986/wsman"
    assert parse_uri("hyperv://hv01/").is_encrypted
    assert not parse_uri("hyperv://hv01/?transport=http").is_encrypted


def test_display_host():
    assert parse_uri("hyperv://hv01/").display_host == "hv01"
    assert parse_uri("hyperv://hv01:6000/").display_host == "hv01:6000"
    assert parse_uri("hyperv://[::1]:6000/").display_host == "[::1]:6000"


def test_model_validates_like_the_parser():
    with pytest.raises(URIError):
        ConnectionURI(host="")
    with pytest.raises(URIError):
        ConnectionURI(host="hv01", port=70000)
    with pytest.raises(URIError):
        ConnectionURI(host="hv01", user="")
    with pytest.raises(URIError):
        ConnectionURI(host="hv01", user="alice@")
    with pytest.raises(URIError):
        ConnectionURI(host="hv01", spn="HTTP")
    with pytest.raises(URIError):
        ConnectionURI(host="hv01", auth="basic", spn="HTTP/hv01")


# --- property: render → parse is the identity on the model -------------------------------------

_label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_hostnames = st.lists(_label, min_size=1, max_size=4).map(".".join)
_ipv4 = st.ip_addresses(v=4).map(str)
_ipv6 = st.ip_addresses(v=6).map(lambda a: a.compressed)
_names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\\@"),
                min_size=1, max_size=20)  # fmt: skip
_domains = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,15}", fullmatch=True)
_users = st.one_of(
    _names,
    st.tuples(_domains, _names).map("\\".join),  # DOMAIN\user
    st.tuples(_names, _domains).map("@".join),  # user@REALM
)
_spns = st.one_of(st.none(), st.tuples(st.sampled_from(["HTTP", "WSMAN", "host"]), _hostnames).map("/".join))


@given(
    host=st.one_of(_hostnames, _ipv4, _ipv6),
    user=_users,
    port=st.one_of(st.none(), st.integers(1, 65535)),
    transport=st.sampled_from(["http", "https"]),
    auth=st.sampled_from(["auto", "ntlm", "basic", "kerberos"]),
    no_verify=st.booleans(),
    spn=_spns,
)
def test_round_trip(host, user, port, transport, auth, no_verify, spn):
    if auth in ("ntlm", "basic"):
        spn = None
    uri = ConnectionURI(
        host=host, user=user, port=port, transport=transport, auth=auth, no_verify=no_verify, spn=spn
    )
    again = parse_uri(str(uri))
    assert again == uri
    assert str(again) == str(uri)


@given(st.text(max_size=80))
def test_parser_never_raises_anything_but_uri_error(text):
    try:
        uri = parse_uri(text)
    except URIError as exc:
        assert "\n" not in str(exc)
    else:
        assert parse_uri(str(uri)) == uri
