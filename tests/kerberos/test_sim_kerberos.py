"""The simulator accepts Kerberos as a domain-joined WinRM host does, proved by independent clients.

A real KDC issues the tickets (``kdc`` fixture). pyspnego drives the handshake by hand over one
HTTP connection, to see each header: the offered schemes, the mutual-authentication token, the
multipart/encrypted protocol names (framed by pypsrp's WinRMEncryption, not by hvtui) and the
channel binding over HTTPS. pypsrp's WSMan then talks to the simulator end to end.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import xml.etree.ElementTree as ET

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.conftest import SIM_PASSWORD, SIM_USER
from tests.sim.wire import V2, Reply, connect, enumerate_body, envelope, post

spnego = pytest.importorskip("spnego")
pytest.importorskip("gssapi")
pypsrp_wsman = pytest.importorskip("pypsrp.wsman")
from pypsrp.encryption import WinRMEncryption  # noqa: E402 - after the skip that guards it
from spnego.channel_bindings import GssChannelBindings  # noqa: E402

CS = f"{V2}/Msvm_ComputerSystem"
ENUM = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
ENUMERATE = envelope("http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate", CS, enumerate_body())
SPNEGO_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
KERBEROS_PROTOCOL = "application/HTTP-Kerberos-session-encrypted"


def _client(host: str = "127.0.0.1", service: str = "HTTP", protocol: str = "kerberos", **kw):
    return spnego.client(hostname=host, service=service, protocol=protocol,
                         options=spnego.NegotiateOptions.wrapping_winrm, **kw)  # fmt: skip


def _tokens(reply: Reply, scheme: str) -> list[bytes]:
    out = []
    for value in reply.header_all("WWW-Authenticate"):
        name, _, token = value.partition(" ")
        if name == scheme and token:
            out.append(base64.b64decode(token))
    return out


def _authenticate(conn: http.client.HTTPConnection, sim_host, ctx, scheme: str) -> Reply:
    """The authentication-only request (empty body) that pypsrp and pywinrm send before encrypting."""
    token = base64.b64encode(ctx.step()).decode()
    return post(sim_host, b"", auth=f"{scheme} {token}", conn=conn)


def _encrypted(
    conn: http.client.HTTPConnection, sim_host, ctx, protocol: str, body: str
) -> tuple[Reply, bytes]:
    """Send ``body`` sealed with the context as pypsrp frames it; the reply and its decrypted body."""
    enc = WinRMEncryption(ctx, protocol)
    ctype, payload = enc.wrap_message(body.encode())
    content_type = f'{ctype};protocol="{protocol}";boundary="Encrypted Boundary"'
    reply = post(sim_host, payload, auth=None, conn=conn, headers={"Content-Type": content_type})
    plain = b""
    if reply.status == 200:
        plain = enc.unwrap_message(reply.body, "Encrypted Boundary")
    return reply, plain


def test_offers_negotiate_and_kerberos(kerberos_sim):
    reply = post(kerberos_sim.hosts[0], ENUMERATE, auth=None)
    assert reply.status == 401
    assert reply.header_all("WWW-Authenticate") == ["Negotiate", "Kerberos"]


def test_ntlm_only_host_offers_no_kerberos(sim_host):
    assert "Kerberos" not in post(sim_host, ENUMERATE, auth=None).header_all("WWW-Authenticate")


@pytest.mark.parametrize(
    ("scheme", "protocol", "multipart"),
    [
        ("Kerberos", "kerberos", KERBEROS_PROTOCOL),  # raw Kerberos tokens under the Kerberos scheme
        ("Negotiate", "negotiate", SPNEGO_PROTOCOL),  # SPNEGO-wrapped, as Windows clients send
        ("Negotiate", "kerberos", SPNEGO_PROTOCOL),  # raw Kerberos under Negotiate, as pypsrp sends
    ],
)
def test_handshake_mutual_auth_and_encryption(kerberos_sim, krb5_ticket, scheme, protocol, multipart):
    host = kerberos_sim.hosts[0]
    ctx = _client(protocol=protocol)
    conn = connect(host)
    try:
        reply = _authenticate(conn, host, ctx, scheme)
        assert reply.status == 200
        tokens = _tokens(reply, scheme)
        assert tokens, "the host must answer with its mutual-authentication token"
        assert not ctx.complete  # the client waits for the host to prove itself
        ctx.step(tokens[0])
        assert ctx.complete
        assert ctx.negotiated_protocol == "kerberos"

        reply, plain = _encrypted(conn, host, ctx, multipart, ENUMERATE)
        assert reply.status == 200, reply.body[:300]
        (ctype,) = reply.header_all("Content-Type")
        assert ctype == f'multipart/encrypted;protocol="{multipart}";boundary="Encrypted Boundary"'
        assert f"Content-Type: {multipart}".encode() in reply.body
        assert b"EnumerateResponse" in plain
        assert b"EnumerateResponse" not in reply.body
    finally:
        conn.close()


def test_unencrypted_body_after_kerberos_is_refused_over_http(kerberos_sim, krb5_ticket):
    host = kerberos_sim.hosts[0]
    ctx = _client()
    conn = connect(host)
    try:
        token = base64.b64encode(ctx.step()).decode()
        assert post(host, ENUMERATE, auth=f"Kerberos {token}", conn=conn).status == 401
    finally:
        conn.close()


def test_wsman_service_principal_is_accepted(kerberos_sim, krb5_ticket):
    host = kerberos_sim.hosts[0]
    conn = connect(host)
    try:
        assert _authenticate(conn, host, _client(service="WSMAN"), "Negotiate").status == 200
    finally:
        conn.close()


def test_ticket_for_a_service_the_host_has_no_key_for_is_refused(kdc, kerberos_sim, krb5_ticket):
    kdc.add_principal(f"HTTP/elsewhere.hvtui.test@{kdc.realm}")
    host = kerberos_sim.hosts[0]
    conn = connect(host)
    try:
        reply = _authenticate(conn, host, _client(host="elsewhere.hvtui.test"), "Kerberos")
        assert reply.status == 401
        assert reply.header_all("WWW-Authenticate") == ["Negotiate", "Kerberos"]
    finally:
        conn.close()


def test_kerberos_token_refused_by_a_host_without_kerberos(kdc, make_sim, krb5_ticket):
    host = make_sim(auth=("ntlm",), allow_unencrypted=False).hosts[0]
    conn = connect(host)
    try:
        assert _authenticate(conn, host, _client(), "Negotiate").status == 401
    finally:
        conn.close()


def test_ntlm_refused_by_a_kerberos_only_host(kdc, make_sim, krb5_env):
    host = make_sim(auth=("kerberos",), keytab=kdc.keytab, allow_unencrypted=False).hosts[0]
    assert post(host, ENUMERATE, auth=None).header_all("WWW-Authenticate") == ["Negotiate", "Kerberos"]
    ctx = spnego.client(SIM_USER, SIM_PASSWORD, hostname="127.0.0.1", protocol="ntlm")
    conn = connect(host)
    try:
        assert _authenticate(conn, host, ctx, "Negotiate").status == 401
    finally:
        conn.close()


# --- HTTPS: channel binding ---------------------------------------------------------------------


@pytest.fixture
def kerberos_https_host(kdc, make_sim, sim_tls):
    tls = {"https": True, "cert": sim_tls["cert"], "key": sim_tls["key"]}
    return make_sim(auth=("kerberos",), keytab=kdc.keytab, **tls).hosts[0]


def _end_point(sim_tls) -> bytes:
    """RFC 5929's tls-server-end-point of the host's certificate (trustme signs with SHA-256)."""
    leaf = x509.load_pem_x509_certificate(sim_tls["cert"].read_bytes())  # the first of the chain
    return b"tls-server-end-point:" + hashlib.sha256(leaf.public_bytes(serialization.Encoding.DER)).digest()


@pytest.mark.parametrize(("binding", "status"), [("right", 200), ("wrong", 401), ("none", 200)])
def test_channel_binding_is_checked_over_https(kerberos_https_host, krb5_ticket, sim_tls, binding, status):
    wrong = b"tls-server-end-point:" + bytes(32)
    data = {"right": _end_point(sim_tls), "wrong": wrong, "none": None}[binding]
    bindings = GssChannelBindings(application_data=data) if data else None
    ctx = _client(channel_bindings=bindings)
    conn = connect(kerberos_https_host, ca_file=str(sim_tls["ca"]))
    try:
        token = base64.b64encode(ctx.step()).decode()
        reply = post(kerberos_https_host, ENUMERATE, auth=f"Kerberos {token}", conn=conn)
        assert reply.status == status
        if status == 200:
            assert b"EnumerateResponse" in reply.body  # over TLS the body is not encrypted again
            ctx.step(_tokens(reply, "Kerberos")[0])
            assert ctx.complete
    finally:
        conn.close()


# --- pypsrp end to end --------------------------------------------------------------------------


def _psrp(host, *, ssl_on: bool, ca: str | None = None):
    return pypsrp_wsman.WSMan(
        "127.0.0.1", port=host.port, ssl=ssl_on, auth="kerberos", encryption="auto",
        # pypsrp asks for host/<name> by default; WinRM's own clients (and hvtui) ask for HTTP/<name>.
        negotiate_service="HTTP", cert_validation=ca or False, connection_timeout=10, read_timeout=30,
    )  # fmt: skip


def _names(w) -> list[str]:
    """Enumerate and pull every Msvm_ComputerSystem, through pypsrp's own envelopes."""
    enum = ET.Element(f"{{{ENUM}}}Enumerate")
    ctx = w.enumerate(CS, enum).find(f".//{{{ENUM}}}EnumerationContext")
    pull = ET.Element(f"{{{ENUM}}}Pull")
    ET.SubElement(pull, f"{{{ENUM}}}EnumerationContext").text = ctx.text
    ET.SubElement(pull, f"{{{ENUM}}}MaxElements").text = "100"
    return sorted(i.text for i in w.pull(CS, pull).iter(f"{{{CS}}}ElementName"))


def test_pypsrp_over_http_with_kerberos_message_encryption(kerberos_sim, krb5_ticket):
    host = kerberos_sim.hosts[0]
    host.reset_counters()
    names = _names(_psrp(host, ssl_on=False))
    assert len(names) == 6  # the host and its 5 VMs
    assert host.counters["Enumerate"] == 1
    assert host.counters["Pull"] == 1


def test_pypsrp_over_https_with_channel_binding(kerberos_https_host, krb5_ticket, sim_ca_file):
    assert len(_names(_psrp(kerberos_https_host, ssl_on=True, ca=str(sim_ca_file)))) == 6


def test_pypsrp_ntlm_still_works_beside_kerberos(kerberos_sim):
    w = pypsrp_wsman.WSMan("127.0.0.1", port=kerberos_sim.hosts[0].port, username=SIM_USER,
                           password=SIM_PASSWORD, ssl=False, auth="ntlm", read_timeout=30)  # fmt: skip
    assert len(_names(w)) == 6
