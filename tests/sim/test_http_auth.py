"""HTTP and authentication as WinRM does them: 401s, Basic, NTLM with message encryption, HTTPS."""

from __future__ import annotations

import base64
import http.client
import socket
import ssl

import pytest
import spnego

from tests.conftest import SIM_PASSWORD, SIM_USER
from tests.sim.wire import ENUMERATE, V2, basic, connect, enumerate_body, envelope, post

CS = f"{V2}/Msvm_ComputerSystem"
BODY = envelope(ENUMERATE, CS, enumerate_body(optimize=True, max_elements=1))


def test_401_shape(sim_host):
    r = post(sim_host, BODY, auth=None)
    assert r.status == 401
    assert r.body == b""
    assert r.header_all("Content-Length") == ["0"]
    assert r.header_all("WWW-Authenticate") == ["Negotiate", 'Basic realm="WSMAN"']
    assert r.header_all("Server") == ["Microsoft-HTTPAPI/2.0"]
    for _ in range(2):
        assert post(sim_host, BODY, auth=basic(password="wrong")).status == 401


def test_basic_refused_over_http_unless_allowed(make_sim):
    host = make_sim(allow_unencrypted=False, auth=("basic", "ntlm")).hosts[0]
    assert post(host, BODY).status == 401
    only_ntlm = make_sim(auth=("ntlm",)).hosts[0]
    r = post(only_ntlm, BODY)
    assert r.status == 401
    assert r.header_all("WWW-Authenticate") == ["Negotiate"]


@pytest.mark.parametrize("user", [SIM_USER, f".\\{SIM_USER}", f"HV2022-01\\{SIM_USER.upper()}"])
def test_basic_user_forms(sim_host, user):
    assert post(sim_host, BODY, auth=basic(user=user)).status == 200


def test_methods_paths_and_sizes(sim_host):
    assert post(sim_host, b"", method="GET").status == 405
    r = post(sim_host, b"", method="GET")
    assert r.header_all("Allow") == ["POST"]
    assert post(sim_host, BODY, path="/other").status == 404
    assert post(sim_host, b"x" * (600 * 1024)).status == 413
    assert post(sim_host, b"x" * (500 * 1024 + 1)).status == 413


def test_keep_alive_and_chunked(sim_host):
    conn = connect(sim_host)
    for _ in range(3):
        assert post(sim_host, BODY, conn=conn).status == 200
    conn.close()
    data = BODY.encode()
    with socket.create_connection(("127.0.0.1", sim_host.port), timeout=10) as s:
        head = (
            "POST /wsman HTTP/1.1\r\nHost: x\r\nContent-Type: application/soap+xml;charset=UTF-8\r\n"
            f"Authorization: {basic()}\r\nTransfer-Encoding: chunked\r\n\r\n"
        ).encode()
        chunks = b"".join(
            b"%x\r\n%s\r\n" % (len(data[i : i + 100]), data[i : i + 100]) for i in range(0, len(data), 100)
        )
        s.sendall(head + chunks + b"0\r\n\r\n")
        reply = s.recv(65536)
        assert reply.startswith(b"HTTP/1.1 200")


def _ntlm_exchange(host, protocol: str, password: str = SIM_PASSWORD, encrypt: bool = True):
    """A hand-driven NTLM handshake + one sealed request on one connection."""
    ctx = spnego.client(SIM_USER, password, hostname="127.0.0.1", service="HTTP", protocol=protocol)
    conn = connect(host)
    tok = ctx.step()
    r1 = post(host, b"", auth="Negotiate " + base64.b64encode(tok).decode(), conn=conn)
    assert r1.status == 401
    challenge = r1.header_all("WWW-Authenticate")[0].split(" ", 1)[1]
    tok3 = ctx.step(base64.b64decode(challenge))
    if not encrypt:
        return post(host, BODY, auth="Negotiate " + base64.b64encode(tok3).decode(), conn=conn), ctx, conn
    plain = BODY.encode()
    w = ctx.wrap_winrm(plain)
    sealed = (
        b"--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n"
        + f"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length={len(plain)}\r\n".encode()
        + b"--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n"
        + len(w.header).to_bytes(4, "little")
        + w.header
        + w.data
        + b"--Encrypted Boundary--\r\n"
    )
    ctype = 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"'  # noqa: E501
    r = post(host, sealed, auth="Negotiate " + base64.b64encode(tok3).decode(), conn=conn,
             headers={"Content-Type": ctype})  # fmt: skip
    return r, ctx, conn


@pytest.mark.parametrize("protocol", ["ntlm", "negotiate"])
def test_ntlm_token_with_the_sealed_first_request(make_sim, protocol):
    host = make_sim(allow_unencrypted=False).hosts[0]
    r, ctx, conn = _ntlm_exchange(host, protocol)
    assert r.status == 200, r.body[:300]
    assert r.header_all("Content-Type")[0].startswith("multipart/encrypted")
    for final in r.header_all("WWW-Authenticate"):  # SPNEGO's mechListMIC completes the client side
        ctx.step(base64.b64decode(final.split(" ", 1)[1]))
    assert ctx.complete
    body = r.body
    start = body.index(b"application/octet-stream\r\n") + len(b"application/octet-stream\r\n")
    data = body[start : body.rindex(b"--Encrypted Boundary--")]
    sig = int.from_bytes(data[:4], "little")
    plain = ctx.unwrap_winrm(data[4 : 4 + sig], data[4 + sig :])
    assert b"EnumerateResponse" in plain
    # later requests on the connection need no Authorization, but must stay encrypted
    assert post(host, BODY, auth=None, conn=conn).status == 401
    conn.close()


def test_ntlm_wrong_password_is_401_every_time(make_sim):
    host = make_sim().hosts[0]
    for _ in range(2):
        ctx = spnego.client(SIM_USER, "wrong", hostname="127.0.0.1", service="HTTP", protocol="ntlm")
        conn = connect(host)
        r1 = post(host, b"", auth="Negotiate " + base64.b64encode(ctx.step()).decode(), conn=conn)
        tok3 = ctx.step(base64.b64decode(r1.header_all("WWW-Authenticate")[0].split(" ", 1)[1]))
        assert post(host, b"", auth="Negotiate " + base64.b64encode(tok3).decode(), conn=conn).status == 401
        conn.close()


def test_https_with_a_trusted_ca(https_sim, sim_ca_file):
    host = https_sim.hosts[0]
    conn = connect(host, ca_file=str(sim_ca_file))
    r = post(host, BODY, conn=conn)
    assert r.status == 200
    assert host.uri.endswith("?transport=https")
    system_trust = ssl.create_default_context()
    untrusting = http.client.HTTPSConnection("127.0.0.1", host.port, timeout=10, context=system_trust)
    with pytest.raises(ssl.SSLCertVerificationError):
        untrusting.request("POST", "/wsman")


def test_https_self_signed(make_sim, tmp_path):
    sim = make_sim(https=True)
    ca = tmp_path / "ca.pem"
    ca.write_text(sim.ca_pem, encoding="ascii")
    host = sim.hosts[0]
    assert post(host, BODY, conn=connect(host, ca_file=str(ca))).status == 200
    assert len(sim.fingerprint.split(":")) == 32
    r, _, conn = _ntlm_exchange(host, "ntlm", encrypt=False)  # over HTTPS NTLM bodies are plain
    assert r.status == 200
    assert b"EnumerateResponse" in r.body
    conn.close()
