"""hvtui's client speaks Kerberos to the simulator, with tickets from a real KDC.

Ticket from the user's cache (``kinit``, no password anywhere) or from a password (a private
in-memory cache, the user's own left alone); message encryption both ways over HTTP under the
scheme's protocol name; channel binding over HTTPS; the host's mutual-authentication token
checked; ``auth=auto`` preferring Kerberos for a domain account. A tap (a real socket
transport that edits what the host sends, or records what the client sends) stands for a host
that differs from the simulator.
"""

from __future__ import annotations

import asyncio
import base64
import logging

import httpx
import pytest

from hvtui.hyperv.errors import AuthenticationFailed
from hvtui.hyperv.host import HyperVHost
from hvtui.uri import parse_uri
from hvtui.wsman import AuthenticationError, ClientOptions, Credentials, WSManClient, tls
from tests.conftest import SIM_PASSWORD

pytest.importorskip("gssapi")

ALICE = "alice@HVTUI.TEST"
SPNEGO_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
KERBEROS_PROTOCOL = "application/HTTP-Kerberos-session-encrypted"


def kerberos_uri(
    sim_host, *, auth: str = "kerberos", user: str = "alice%40HVTUI.TEST", extra: str = ""
) -> str:
    transport = "https" if sim_host.https else "http"
    return f"hyperv://{user}@127.0.0.1:{sim_host.port}/?transport={transport}&auth={auth}{extra}"


def host_for(sim_host, password: str | None = None, **kwargs) -> HyperVHost:
    ca_file = kwargs.pop("ca_file", None)
    return HyperVHost(parse_uri(kerberos_uri(sim_host, **kwargs)), password, ca_file=ca_file)


class Tap(httpx.AsyncBaseTransport):
    """httpx's own socket transport, recording what goes out and letting a test edit what comes back."""

    def __init__(self, edit=None) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.edit = edit
        self.sent: list[tuple[str | None, str | None, bytes]] = []  # (Authorization, Content-Type, body)
        self.received: list[httpx.Response] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(
            (request.headers.get("authorization"), request.headers.get("content-type"), request.content)
        )
        response = await self.inner.handle_async_request(request)
        await response.aread()
        if self.edit is not None:
            response = self.edit(response) or response
        self.received.append(response)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def _rebuilt(response: httpx.Response, headers: list[tuple[str, str]]) -> httpx.Response:
    return httpx.Response(response.status_code, headers=headers, content=response.content,
                          extensions=response.extensions)  # fmt: skip


def without_negotiate(response: httpx.Response) -> httpx.Response:
    """A host with Negotiate turned off (Kerberos only), as hardened domains run WinRM."""

    def kept(name: str, value: str) -> bool:
        return name.lower() != "www-authenticate" or value.partition(" ")[0].lower() != "negotiate"

    headers = [(k, v) for k, v in response.headers.multi_items() if kept(k, v)]
    return _rebuilt(response, headers)


def client(sim_host, tap: Tap | None = None, password: str | None = None, **options) -> WSManClient:
    opts = ClientOptions(auth=options.pop("auth", "kerberos"), **options)
    return WSManClient(sim_host.endpoint, Credentials(ALICE, password), opts, transport=tap)


# --- credentials ------------------------------------------------------------------------------------


async def test_ticket_from_kinit_lists_the_vms_without_a_password(kerberos_sim, krb5_ticket):
    sim_host = kerberos_sim.hosts[0]
    async with host_for(sim_host) as host:
        snapshot = await host.snapshot()
        connection = host.connection
    assert len(snapshot.vms) == len(sim_host.model.vms)
    assert (connection.auth, connection.encrypted) == ("kerberos", True)


async def test_password_gets_a_private_ticket_and_leaves_the_users_cache_alone(kerberos_sim, krb5_env, kdc):
    async with host_for(kerberos_sim.hosts[0], kdc.user_password) as host:
        await host.snapshot()
        assert host.connection.auth == "kerberos"
    assert not krb5_env.exists()


async def test_domain_form_of_the_user_maps_to_the_default_realm(kerberos_sim, krb5_ticket):
    async with host_for(kerberos_sim.hosts[0], user="HVTUI%5Calice") as host:
        await host.host_facts()


# --- message encryption and the scheme -----------------------------------------------------------


async def test_bodies_are_sealed_both_ways_under_negotiate(kerberos_sim, krb5_ticket):
    tap = Tap()
    async with client(kerberos_sim.hosts[0], tap) as c:
        await c.identify()
        assert (c.auth_scheme, c.encrypted) == ("kerberos", True)
    probe, leg, request = tap.sent[:3]
    assert probe[0] is None  # the probe: the host's offer, and its certificate over HTTPS
    assert leg[0].startswith("Negotiate ") and leg[2] == b""
    assert request[1] == f'multipart/encrypted;protocol="{SPNEGO_PROTOCOL}";boundary="Encrypted Boundary"'
    assert b"Envelope" not in request[2] and SPNEGO_PROTOCOL.encode() in request[2]
    reply = tap.received[2]
    assert SPNEGO_PROTOCOL in reply.headers["content-type"] and b"Envelope" not in reply.content


async def test_a_kerberos_only_host_gets_the_kerberos_scheme_and_protocol(kerberos_sim, krb5_ticket):
    tap = Tap(without_negotiate)
    async with client(kerberos_sim.hosts[0], tap) as c:
        facts = await c.identify()
    assert facts is not None
    assert tap.sent[1][0].startswith("Kerberos ")
    assert (
        tap.sent[2][1] == f'multipart/encrypted;protocol="{KERBEROS_PROTOCOL}";boundary="Encrypted Boundary"'
    )
    assert KERBEROS_PROTOCOL in tap.received[2].headers["content-type"]


async def test_a_host_offering_neither_is_refused_in_one_line(sim_host, krb5_ticket):
    # The shared simulator offers NTLM (Negotiate) and Basic: take Negotiate away too.
    async with client(sim_host, Tap(without_negotiate)) as c:
        with pytest.raises(
            AuthenticationError, match=r"does not accept Kerberos \(it offers: Basic\)"
        ) as info:
            await c.identify()
    assert 'Kerberos="true"' in str(info.value) and "\n" not in str(info.value)


# --- mutual authentication -------------------------------------------------------------------------


def _final_token(edit):
    def tamper(response: httpx.Response) -> httpx.Response:
        if response.status_code != 200 or "www-authenticate" not in response.headers:
            return response
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "www-authenticate"]
        value = edit(response.headers["www-authenticate"])
        return _rebuilt(response, headers + ([("WWW-Authenticate", value)] if value else []))

    return tamper


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda value: None, "its reply carries no token"),
        (lambda value: "Negotiate " + base64.b64encode(b"\x6f\x05forged").decode(), "does not verify"),
    ],
    ids=["missing", "forged"],
)
async def test_the_hosts_mutual_authentication_token_is_checked(kerberos_sim, krb5_ticket, edit, words):
    async with client(kerberos_sim.hosts[0], Tap(_final_token(edit))) as c:
        with pytest.raises(AuthenticationError, match=words) as info:
            await c.identify()
    assert "did not prove it is HTTP/127.0.0.1" in str(info.value)


class SlowTap(Tap):
    """A host whose reply completing the handshake arrives only after ``delay`` seconds."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if response.status_code == 200 and "www-authenticate" in response.headers:
            await asyncio.sleep(self.delay)
        return response


async def test_a_ticket_that_ends_while_the_host_answers_says_it_expired(kerberos_sim, krb5_env, kdc):
    kdc.kinit(krb5_env, lifetime="3s")
    async with client(kerberos_sim.hosts[0], SlowTap(4.0)) as c:
        with pytest.raises(AuthenticationError, match=r"ticket of alice@HVTUI\.TEST has expired: run `kinit"):
            await c.identify()


# --- HTTPS ---------------------------------------------------------------------------------------


@pytest.fixture
def kerberos_https(make_sim, kdc, sim_tls):
    files = {"cert": sim_tls["cert"], "key": sim_tls["key"]}
    return make_sim(
        auth=("kerberos",), keytab=kdc.keytab, https=True, allow_unencrypted=False, **files
    ).hosts[0]


async def test_https_binds_the_ticket_to_the_tls_channel(kerberos_https, krb5_ticket, sim_ca_file):
    async with host_for(kerberos_https, ca_file=str(sim_ca_file)) as host:
        await host.snapshot()
        connection = host.connection
    assert (connection.auth, connection.transport, connection.encrypted) == ("kerberos", "https", True)


async def test_a_binding_to_another_channel_is_refused(kerberos_https, krb5_ticket, sim_ca_file, monkeypatch):
    monkeypatch.setattr(tls, "channel_binding_data", lambda der: b"tls-server-end-point:" + bytes(32))
    async with host_for(kerberos_https, ca_file=str(sim_ca_file)) as host:
        with pytest.raises(AuthenticationFailed, match=r"refused the Kerberos ticket of alice@HVTUI\.TEST"):
            await host.host_facts()


# --- auth=auto ---------------------------------------------------------------------------------


async def test_auto_prefers_kerberos_with_a_ticket(kerberos_sim, krb5_ticket):
    async with host_for(kerberos_sim.hosts[0], auth="auto") as host:
        await host.host_facts()
        assert host.connection.auth == "kerberos"


async def test_auto_prefers_kerberos_with_a_domain_accounts_password(kerberos_sim, krb5_env, kdc):
    async with host_for(kerberos_sim.hosts[0], kdc.user_password, auth="auto") as host:
        await host.host_facts()
        assert host.connection.auth == "kerberos"


async def test_auto_keeps_ntlm_for_a_local_account(kerberos_sim, krb5_ticket):
    async with host_for(kerberos_sim.hosts[0], SIM_PASSWORD, auth="auto", user="administrator") as host:
        await host.host_facts()
        assert host.connection.auth == "ntlm"


async def test_auto_falls_back_to_ntlm_when_the_kdc_cannot_give_a_ticket(make_sim, kdc, krb5_env, caplog):
    # The host's own local account, written HOST\user: no KDC serves a realm of that name, so
    # NTLM, as Windows does.
    sim = make_sim(auth=("kerberos", "ntlm"), keytab=kdc.keytab, user="alice", password=kdc.user_password,
                   allow_unencrypted=False)  # fmt: skip
    sim_host = sim.hosts[0]
    user = f"{sim_host.name}%5Calice"
    async with host_for(sim_host, kdc.user_password, auth="auto", user=user) as host:
        with caplog.at_level(logging.INFO, logger="hvtui.wsman"):
            await host.host_facts()
        assert host.connection.auth == "ntlm"
    assert "no Kerberos KDC can be found for the realm" in caplog.text and "using NTLM instead" in caplog.text
