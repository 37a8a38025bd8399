"""Every usual Kerberos failure is one line that names the cause and the fix.

Against the real KDC: no ticket and no password, a wrong password, an unknown user, an SPN the
KDC does not know, a realm nobody serves, and a ticket that expires during a long session (a
2-second ticket; the host then forgets the connection, as one does after a restart). Clock
skew needs a process with another clock: see ``test_cli_kerberos``.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from hvtui.hyperv.errors import AuthenticationFailed, Problem
from hvtui.hyperv.host import HyperVHost
from hvtui.uri import parse_uri
from tests.kerberos.test_client_kerberos import host_for

pytest.importorskip("gssapi")


async def _refused(host: HyperVHost) -> str:
    async with host:
        with pytest.raises(AuthenticationFailed) as info:
            await host.host_facts()
    assert info.value.problem is Problem.AUTH
    text = str(info.value)
    assert "\n" not in text and "Traceback" not in text and "Major (" not in text
    return text


async def test_no_ticket_and_no_password(kerberos_sim, krb5_env):
    text = await _refused(host_for(kerberos_sim.hosts[0]))
    assert "no Kerberos ticket for alice@HVTUI.TEST and no password: run `kinit alice@HVTUI.TEST`" in text


async def test_wrong_password(kerberos_sim, krb5_env):
    text = await _refused(host_for(kerberos_sim.hosts[0], "not-the-password"))
    assert "the Kerberos KDC of HVTUI.TEST refused the password for alice@HVTUI.TEST" in text
    assert "not-the-password" not in text


async def test_unknown_user(kerberos_sim, krb5_env):
    text = await _refused(host_for(kerberos_sim.hosts[0], "x", user="nobody%40HVTUI.TEST"))
    assert "does not know the user nobody@HVTUI.TEST" in text


async def test_unknown_spn(kerberos_sim, krb5_ticket):
    text = await _refused(host_for(kerberos_sim.hosts[0], extra="&spn=WSMAN/hv99.hvtui.test"))
    assert "knows no service principal WSMAN/hv99.hvtui.test" in text
    assert "setspn" in text and "spn=" in text


async def test_realm_not_found(kerberos_sim, krb5_env):
    text = await _refused(host_for(kerberos_sim.hosts[0], "x", user="alice%40NOWHERE.TEST"))
    assert "no Kerberos KDC can be found for the realm NOWHERE.TEST" in text


async def test_the_spn_given_in_the_uri_is_the_one_asked_for(kerberos_sim, krb5_ticket):
    async with host_for(kerberos_sim.hosts[0], extra="&spn=WSMAN/127.0.0.1") as host:
        await host.host_facts()


async def test_a_ticket_that_expires_in_a_long_session_is_said_before_a_request_is_lost(
    kerberos_sim, krb5_env, kdc
):
    kdc.kinit(krb5_env, lifetime="2s")
    sim_host = kerberos_sim.hosts[0]
    async with host_for(sim_host) as host:
        await host.host_facts()
        await asyncio.sleep(3)
        sim_host.reset_counters()
        # The session ended with its ticket: no request goes out on it (its reply could not be read).
        with pytest.raises(
            AuthenticationFailed, match=r"ticket of alice@HVTUI\.TEST has expired: run `kinit"
        ):
            await host.host_facts(refresh=True)
    assert sim_host.counters["Enumerate"] == 0


async def test_a_password_session_gets_a_new_ticket_when_the_old_one_expires(kerberos_sim, krb5_env, kdc):
    user = f"short{uuid.uuid4().hex[:8]}@{kdc.realm}"
    kdc.add_principal(user, kdc.user_password, "-maxlife", '"2 seconds"')
    sim_host = kerberos_sim.hosts[0]
    uri = parse_uri(
        f"hyperv://{user.replace('@', '%40')}@127.0.0.1:{sim_host.port}/?transport=http&auth=kerberos"
    )
    async with HyperVHost(uri, kdc.user_password) as host:
        await host.host_facts()
        await asyncio.sleep(3)
        await host.host_facts(refresh=True)
        assert host.stats.handshakes >= 2
