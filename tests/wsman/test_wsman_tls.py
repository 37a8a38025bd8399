"""TLS: verified by default, a per-host CA bundle, no_verify per host, and failures that say what to do."""

from __future__ import annotations

import pytest
import trustme
from support import wsman_replies as wr
from support.scripted_server import ScriptedServer, tls_context

from hvtui import namespaces as ns
from hvtui.wsman import ConfigurationError, TLSError, TransportError

from .conftest import PLAIN

CS = f"{ns.VIRTUALIZATION_V2}/Msvm_ComputerSystem"


def identify(req):
    return wr.identify_response()


async def test_trusted_through_the_hosts_ca_file(tls_server, clients, ca_file):
    tls_server.handler = identify
    result = await clients(tls_server, auth="basic", ca_file=ca_file).identify()
    assert result.product_vendor == "Microsoft Corporation"


async def test_unknown_ca_is_refused_naming_the_host(tls_server, clients):
    tls_server.handler = identify
    with pytest.raises(TLSError) as caught:
        await clients(tls_server, auth="basic").identify()
    message = str(caught.value)
    assert message.startswith(f"the TLS certificate of 127.0.0.1:{tls_server.port} is not trusted (")
    assert "ca_file" in message
    assert "no_verify=1" in message
    assert isinstance(caught.value, TransportError)
    assert tls_server.processed == []


async def test_self_signed_is_refused_by_default(clients):
    # A certificate that is its own CA, as `New-SelfSignedCertificate` makes for a WinRM listener.
    own = trustme.CA()
    async with ScriptedServer(ssl_context=tls_context(own), handler=identify) as server:
        with pytest.raises(TLSError, match="not trusted"):
            await clients(server, auth="basic").identify()


async def test_no_verify_accepts_any_certificate(tls_server, clients):
    tls_server.handler = identify
    result = await clients(tls_server, auth="basic", verify=False).identify()
    assert result.os_version == "10.0.20348"


async def test_wrong_name_is_refused(ca, clients, ca_file):
    async with ScriptedServer(
        ssl_context=tls_context(ca, ("hv99.example.test",)), handler=identify
    ) as server:
        with pytest.raises(TLSError) as caught:
            await clients(server, auth="basic", ca_file=ca_file).identify()
    assert "not valid for that name" in str(caught.value)


async def test_unreadable_ca_file(tls_server, clients, tmp_path):
    with pytest.raises(ConfigurationError, match="CA file"):
        clients(tls_server, auth="basic", ca_file=str(tmp_path / "missing.pem"))
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(ConfigurationError, match="CA file"):
        clients(tls_server, auth="basic", ca_file=str(garbage))


async def test_https_to_a_plain_http_port(server, clients, ca_file):
    server.handler = identify
    url = server.url.replace("http://", "https://")
    with pytest.raises(TLSError) as caught:
        await clients(url, auth="basic", ca_file=ca_file).identify()
    assert "speaks HTTPS" in str(caught.value)


async def test_tls_session_is_reused(tls_server, clients, ca_file):
    tls_server.handler = lambda req: wr.get_response(req, wr.Instance("Msvm_ComputerSystem", {"Name": "a"}))
    client = clients(tls_server, **PLAIN, ca_file=ca_file)
    for _ in range(3):
        await client.get(CS, {"Name": "a"})
    assert tls_server.connections == 1


async def test_tls_state_is_visible_and_no_verify_is_logged(tls_server, server, clients, ca_file, caplog):
    import logging

    with caplog.at_level(logging.WARNING, logger="hvtui.wsman"):
        unverified = clients(tls_server, auth="basic", verify=False)
    assert unverified.tls_verified is False
    assert "TLS certificate verification is off" in caplog.text
    assert clients(tls_server, auth="basic", ca_file=ca_file).tls_verified is True
    assert clients(server, **PLAIN).tls_verified is None
