"""Authentication as WinRM does it: 401 scheme lists, Basic, NTLM with message encryption, failures.

The scripted server authenticates like a WinRM service (pyspnego's NTLM acceptor, one
``WWW-Authenticate`` per scheme, 401 for plaintext over HTTP when unencrypted traffic is off).
"""

from __future__ import annotations

import base64
import logging

import pytest
from support import wsman_replies as wr
from support.scripted_server import AuthPolicy, Reply

from hvtui import namespaces as ns
from hvtui.wsman import AuthenticationError, ClientOptions, Credentials, WSManClient
from hvtui.wsman.challenges import negotiate_token, offered_schemes, parse_challenges

from .conftest import PASSWORD, USER

CS = f"{ns.VIRTUALIZATION_V2}/Msvm_ComputerSystem"
KEYS = {"CreationClassName": "Msvm_ComputerSystem", "Name": "VM-1"}


def answer(req):
    if req.is_identify:
        return wr.identify_response()
    if req.action == ns.ACTION_GET:
        return wr.get_response(
            req, wr.Instance("Msvm_ComputerSystem", {"Name": req.selectors.get("Name", "?")})
        )
    if req.action and req.action.endswith("/RequestStateChange"):
        return wr.invoke_response(req, CS, "RequestStateChange", [("ReturnValue", "0")])
    return wr.fault(req, "a:ActionNotSupported", code="s:Sender", wsman_code=2150858771, reason="no")


def policy(**kw) -> AuthPolicy:
    return AuthPolicy(users={USER: PASSWORD}, **kw)


async def test_default_host_ntlm_with_message_encryption_over_http(make_server, clients):
    server = await make_server(auth=policy(schemes=("Negotiate",), allow_unencrypted=False), handler=answer)
    client = clients(server)

    instance = await client.get(CS, KEYS)

    assert instance["Name"] == "VM-1"
    assert client.auth_scheme == "ntlm"
    assert client.encrypted
    legs = server.requests
    assert [r.header("Authorization").split()[0] if r.header("Authorization") else None for r in legs] == [
        "Negotiate",
        "Negotiate",
        None,
    ]
    assert legs[0].body == legs[1].body == b""  # the handshake carries no SOAP
    sealed = legs[2]
    assert sealed.encrypted
    assert sealed.header("Content-Type") == (
        'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";'
        'boundary="Encrypted Boundary"'
    )
    assert sealed.raw_body.startswith(
        b"--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session"
    )
    assert b"OriginalContent: type=application/soap+xml;charset=UTF-8;Length=" in sealed.raw_body
    assert b"Msvm_ComputerSystem" not in sealed.raw_body  # sealed, not readable
    assert sealed.user.lower().endswith(USER)
    assert {r.connection for r in legs} == {legs[0].connection}
    assert client.stats.handshakes == 1
    assert client.stats.round_trips == 3

    # Later operations reuse the authenticated connection: one round trip each.
    for name in ("VM-2", "VM-3", "VM-4"):
        assert (await client.get(CS, {**KEYS, "Name": name}))["Name"] == name
    assert client.stats.round_trips == 6
    assert client.stats.handshakes == 1
    assert server.connections == 1


async def test_raw_ntlm_token_is_carried_in_negotiate(make_server, clients):
    server = await make_server(auth=policy(), handler=answer)
    await clients(server).get(CS, KEYS)
    token = base64.b64decode(server.requests[0].header("Authorization").split()[1])
    assert token.startswith(b"NTLMSSP\x00\x01")  # an NTLM NEGOTIATE message


async def test_ntlm_over_https_is_not_sealed_and_carries_channel_binding(make_server, clients, ca_file):
    server = await make_server(tls=True, auth=policy(channel_binding="strict"), handler=answer)
    client = clients(server, ca_file=ca_file)
    assert (await client.get(CS, KEYS))["Name"] == "VM-1"
    assert client.auth_scheme == "ntlm"
    assert not client.encrypted
    request = server.processed[0]
    assert not request.encrypted
    assert request.header("Content-Type") == "application/soap+xml;charset=UTF-8"
    assert server.errors == []  # the strict acceptor found a matching tls-server-end-point binding


async def test_domain_account(make_server, clients):
    server = await make_server(auth=AuthPolicy(users={"HV-LAB01\\operator": "0p-Secret!"}), handler=answer)
    client = clients(server, user="HV-LAB01\\operator", password="0p-Secret!")
    assert (await client.get(CS, KEYS))["Name"] == "VM-1"


async def test_wrong_password_ntlm(make_server, clients):
    server = await make_server(auth=policy(), handler=answer)
    wrong = "Wr0ng-Secret-7f3a"
    with pytest.raises(AuthenticationError) as caught:
        await clients(server, password=wrong).get(CS, KEYS)
    error = caught.value
    assert error.reason == "credentials"
    assert str(error).startswith(f"127.0.0.1:{server.port} refused the user name or password for {USER}")
    assert wrong not in str(error)
    assert wrong not in repr(error)
    assert error.__cause__ is None
    assert server.processed == []


async def test_basic_over_https(make_server, clients, ca_file):
    server = await make_server(tls=True, auth=policy(schemes=("Basic",)), handler=answer)
    client = clients(server, auth="basic", ca_file=ca_file)
    assert (await client.get(CS, KEYS))["Name"] == "VM-1"
    assert client.auth_scheme == "basic"
    assert server.requests[0].header("Authorization").startswith("Basic ")
    assert server.processed[0].user == USER
    assert client.stats.round_trips == 1  # preemptive: no 401 first


async def test_basic_over_http_needs_both_choices(server):
    with pytest.raises(AuthenticationError) as caught:
        WSManClient(server.url, Credentials(USER, PASSWORD), ClientOptions(auth="basic"))
    assert caught.value.reason == "insecure"
    assert "transport=http and auth=basic" in str(caught.value)
    assert server.requests == []


async def test_basic_over_http_refused_by_host_names_allow_unencrypted(make_server, clients):
    server = await make_server(
        auth=policy(schemes=("Negotiate", "Basic"), allow_unencrypted=False), handler=answer
    )
    with pytest.raises(AuthenticationError) as caught:
        await clients(server, auth="basic", allow_basic_over_http=True).get(CS, KEYS)
    assert 'winrm set winrm/config/service @{AllowUnencrypted="true"}' in str(caught.value)
    assert caught.value.offered == ("Negotiate", "Basic")


async def test_basic_over_http_when_chosen_warns_once(make_server, clients, caplog):
    server = await make_server(auth=policy(schemes=("Basic",), allow_unencrypted=True), handler=answer)
    client = clients(server, auth="basic", allow_basic_over_http=True)
    with caplog.at_level(logging.WARNING, logger="hvtui.wsman"):
        await client.get(CS, KEYS)
        await client.get(CS, KEYS)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "crosses the network readable" in warnings[0].getMessage()
    assert PASSWORD not in caplog.text


async def test_basic_not_offered(make_server, clients, ca_file):
    server = await make_server(tls=True, auth=policy(schemes=("Negotiate",)), handler=answer)
    with pytest.raises(AuthenticationError) as caught:
        await clients(server, auth="basic", ca_file=ca_file).get(CS, KEYS)
    assert caught.value.reason == "scheme"
    assert str(caught.value) == (
        f"127.0.0.1:{server.port} does not accept Basic authentication (it offers: Negotiate): use "
        "auth=ntlm, "
        'or enable Basic with `winrm set winrm/config/service/auth @{Basic="true"}`'
    )


async def test_wrong_password_basic(make_server, clients, ca_file):
    server = await make_server(tls=True, auth=policy(schemes=("Basic",)), handler=answer)
    with pytest.raises(AuthenticationError) as caught:
        await clients(server, auth="basic", ca_file=ca_file, password="nope-nope").get(CS, KEYS)
    assert caught.value.reason == "credentials"
    assert f"refused the user name or password for {USER}" in str(caught.value)
    assert "nope-nope" not in str(caught.value)


async def test_ntlm_not_offered(make_server, clients, ca_file):
    server = await make_server(tls=True, auth=policy(schemes=("Basic",)), handler=answer)
    with pytest.raises(AuthenticationError) as caught:
        await clients(server, auth="ntlm", ca_file=ca_file).get(CS, KEYS)
    assert caught.value.reason == "scheme"
    assert "does not accept NTLM (Negotiate) authentication (it offers: Basic)" in str(caught.value)
    assert 'winrm set winrm/config/service/auth @{Negotiate="true"}' in str(caught.value)


async def test_auto_falls_back_to_basic_over_https(make_server, clients, ca_file):
    server = await make_server(tls=True, auth=policy(schemes=("Basic",)), handler=answer)
    client = clients(server, ca_file=ca_file)
    assert (await client.get(CS, KEYS))["Name"] == "VM-1"
    assert client.auth_scheme == "basic"
    # One probing leg (refused, listing Basic), then Basic from then on.
    assert [r.header("Authorization").split()[0] for r in server.requests] == ["Negotiate", "Basic"]
    await client.get(CS, KEYS)
    assert len(server.requests) == 3


async def test_auto_never_sends_basic_over_http_on_its_own(make_server, clients):
    server = await make_server(auth=policy(schemes=("Basic",), allow_unencrypted=True), handler=answer)
    with pytest.raises(AuthenticationError) as caught:
        await clients(server).get(CS, KEYS)
    assert caught.value.reason == "insecure"
    assert "the host offers only Basic" in str(caught.value)
    assert all(not (r.header("Authorization") or "").startswith("Basic") for r in server.requests)


async def test_no_usable_scheme(make_server, clients, ca_file):
    server = await make_server(
        tls=True, auth=policy(schemes=(), also_offer=("Kerberos", "CredSSP")), handler=answer
    )
    with pytest.raises(AuthenticationError) as caught:
        await clients(server, ca_file=ca_file).get(CS, KEYS)
    assert caught.value.offered == ("Kerberos", "CredSSP")
    assert "offers no authentication scheme hvtui speaks (it offers: Kerberos, CredSSP)" in str(caught.value)


async def test_folded_challenges(make_server, clients):
    server = await make_server(
        auth=policy(schemes=("Negotiate", "Basic"), also_offer=("Kerberos",), fold_challenges=True),
        handler=answer,
    )
    client = clients(server)
    assert (await client.get(CS, KEYS))["Name"] == "VM-1"
    assert client.auth_scheme == "ntlm"


def test_challenge_parsing():
    challenges = parse_challenges(
        ['Negotiate, Basic realm="WSMAN", Kerberos', "Negotiate TlRMTVNTUAACAAAA=="]
    )
    assert offered_schemes(challenges) == ("Negotiate", "Basic", "Kerberos")
    assert negotiate_token(challenges) == base64.b64decode("TlRMTVNTUAACAAAA==")
    assert parse_challenges(['Basic realm="a, b", charset="UTF-8"']) == [
        ("Basic", 'realm="a, b", charset="UTF-8"')
    ]
    assert negotiate_token(parse_challenges(["Negotiate"])) is None
    assert negotiate_token(parse_challenges(["Negotiate not!base64"])) is None


async def test_reconnect_reauthenticates_and_resends_an_invoke_once(make_server, clients):
    state = {"first": True}

    def handler(req):
        reply = answer(req)
        if state["first"]:
            state["first"] = False
            reply.close = True  # the host drops the connection after answering
        return reply

    server = await make_server(auth=policy(), handler=handler)
    client = clients(server)
    await client.get(CS, KEYS)
    result = await client.invoke(CS, "RequestStateChange", KEYS, {"RequestedState": 2})
    assert result.return_value == 0
    invokes = [r for r in server.processed if r.action and r.action.endswith("/RequestStateChange")]
    assert len(invokes) == 1  # the 401'd attempt was never processed; the resend ran once
    assert client.stats.handshakes == 2
    assert server.connections == 2


async def test_password_changed_mid_session(make_server, clients):
    state = {"drop": False}

    def handler(req):
        reply = answer(req)
        reply.close = state["drop"]
        return reply

    server = await make_server(auth=policy(), handler=handler)
    client = clients(server)
    await client.get(CS, KEYS)
    state["drop"] = True
    await client.get(CS, KEYS)  # answered, then the connection is dropped
    server.set_password(USER, "changed-on-the-host")
    with pytest.raises(AuthenticationError) as caught:
        await client.get(CS, KEYS)
    assert caught.value.reason == "credentials"


async def test_handshake_answered_without_challenge(make_server, clients):
    server = await make_server(handler=lambda req: Reply(200, body=b"", content_type=None))
    with pytest.raises(AuthenticationError) as caught:
        await clients(server).get(CS, KEYS)
    assert caught.value.reason == "handshake"
    assert "instead of a challenge" in str(caught.value)


async def test_host_refuses_to_start_ntlm(make_server, clients):
    server = await make_server(auth=policy(schemes=("Negotiate",)), handler=answer)
    server.auth.schemes = ("Negotiate",)

    # A host that answers every Negotiate leg with a bare "Negotiate" (no challenge token).
    def reject(req):
        return Reply(401, body=b"", content_type=None, headers=[("WWW-Authenticate", "Negotiate")])

    server.auth = None
    server.handler = reject
    with pytest.raises(AuthenticationError) as caught:
        await clients(server).get(CS, KEYS)
    assert caught.value.reason == "handshake"


async def test_unauthenticated_identify(make_server, clients):
    server = await make_server(auth=policy(), handler=answer)
    client = clients(server)
    result = await client.identify(authenticated=False)
    assert result.product_vendor == "Microsoft Corporation"
    assert result.os_version == "10.0.20348"
    assert result.stack_version == "3.0"
    request = server.requests[0]
    assert request.header("Authorization") is None
    assert request.header("WSMANIDENTIFY") == "unauthenticated"
    assert client.auth_scheme is None  # no credentials were used


async def test_authenticated_identify_is_sealed(make_server, clients):
    server = await make_server(auth=policy(), handler=answer)
    result = await clients(server).identify()
    assert result.protocol_version == ns.WSMAN
    assert result.security_profiles == (
        "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/spnego-kerberos",
    )
    assert server.processed[0].encrypted


async def test_tampered_encrypted_reply_is_refused(make_server, clients):
    from hvtui.wsman import ProtocolError

    state = {"tamper": False}

    def flip_a_bit(sealed: bytes) -> bytes:
        flipped = bytearray(sealed)
        flipped[-30] ^= 0x01
        return bytes(flipped)

    def handler(req):
        reply = answer(req)
        reply.tamper = flip_a_bit if state["tamper"] else None
        return reply

    server = await make_server(auth=policy(), handler=handler)
    client = clients(server)
    await client.get(CS, KEYS)
    state["tamper"] = True
    with pytest.raises(ProtocolError, match="integrity check"):
        await client.get(CS, KEYS)


async def test_clear_text_reply_to_an_encrypted_request_is_refused(make_server, clients):
    from hvtui.wsman import ProtocolError

    def clear(req):
        reply = answer(req)
        reply.seal = False
        return reply

    server = await make_server(auth=policy(), handler=clear)
    with pytest.raises(ProtocolError, match="clear-text"):
        await clients(server).get(CS, KEYS)


async def test_ntlm_works_without_openssl_md4(make_server, clients):
    import hashlib

    try:
        hashlib.new("md4")  # noqa: S324 -- probing for it, not using it
        openssl_md4 = True
    except ValueError:
        openssl_md4 = False
    server = await make_server(auth=policy(), handler=answer)
    assert (await clients(server).get(CS, KEYS))["Name"] == "VM-1"
    # On OpenSSL 3 (this machine's Debian 12 among them) there is no MD4, yet NTLM worked:
    # pyspnego carries its own. Recorded here so a regression shows which case it was.
    assert openssl_md4 in (True, False)


async def test_unauthenticated_identify_refused_by_the_host(make_server, clients):
    def refuse(req):
        return Reply(401, body=b"", content_type=None, headers=[("WWW-Authenticate", "Negotiate")])

    server = await make_server(handler=refuse)
    with pytest.raises(AuthenticationError, match="requires authentication even for Identify"):
        await clients(server).identify(authenticated=False)


async def test_cancelled_exchange_leaves_the_client_usable(make_server, clients):
    import asyncio

    state = {"hang": False}

    async def handler(req):
        if state["hang"]:
            state["hang"] = False
            await asyncio.Event().wait()  # never answers; the client cancels
        return answer(req)

    server = await make_server(auth=policy(), handler=handler)
    client = clients(server)
    await client.get(CS, KEYS)
    state["hang"] = True
    task = asyncio.create_task(client.get(CS, KEYS))
    await server.wait_for_requests(2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await client.get(CS, KEYS))["Name"] == "VM-1"
    assert client.stats.handshakes == 2  # the cancelled connection's session was not reused
