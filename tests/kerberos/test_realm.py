"""The test realm behaves like a domain's KDC, including the failures a client must explain.

Each failure here is what MIT Kerberos reports for a case hvtui turns into a one-line error:
wrong password, unknown user, unknown realm, unknown service principal, a clock off by more than
the allowed skew (moved with libfaketime, in a child process), an expired ticket.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.support.kdc import KerberosToolError

pytest.importorskip("gssapi")

# A client in a child process (so that libfaketime can move its clock): asks for a service
# ticket from the credential cache and prints "ok" or the error.
_CLIENT = """
import sys, spnego
try:
    spnego.client(hostname=sys.argv[1], service="HTTP", protocol="kerberos").step()
except Exception as exc:
    print("error:", exc)
else:
    print("ok")
"""


def _service_ticket(kdc, ccache, host="127.0.0.1", faketime: str | None = None) -> str:
    env = {**os.environ, **kdc.env(ccache), **(kdc.faketime_env(faketime) if faketime else {})}
    done = subprocess.run([sys.executable, "-c", _CLIENT, host], capture_output=True, text=True, env=env,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_kinit_with_the_password_gets_a_ticket(kdc, krb5_ticket):
    listed = subprocess.run(["klist"], capture_output=True, text=True, timeout=30, check=True).stdout
    assert f"Default principal: {kdc.user}" in listed
    assert f"krbtgt/{kdc.realm}@{kdc.realm}" in listed


def test_keytab_holds_the_http_and_wsman_principals(kdc, krb5_env):
    listed = subprocess.run(["klist", "-k", str(kdc.keytab)], capture_output=True, text=True, timeout=30,
                            check=True).stdout  # fmt: skip
    for spn in ("HTTP/localhost", "HTTP/127.0.0.1", "WSMAN/localhost", "HTTP/hv01.hvtui.test"):
        assert f"{spn}@{kdc.realm}" in listed


def test_service_ticket_from_the_cache(kdc, krb5_ticket):
    assert _service_ticket(kdc, krb5_ticket) == "ok"


@pytest.mark.parametrize(
    ("principal", "password", "words"),
    [
        (None, "not-the-password", "Password incorrect"),
        ("nobody", None, "not found in Kerberos database"),
        ("alice@NO-SUCH.REALM", None, "Cannot find KDC for realm"),
    ],
)
def test_kinit_failures(kdc, krb5_env, principal, password, words):
    with pytest.raises(KerberosToolError, match=words):
        kdc.kinit(krb5_env, principal, password)


def test_unknown_service_principal(kdc, krb5_ticket):
    assert "not found in Kerberos database" in _service_ticket(kdc, krb5_ticket, host="nowhere.hvtui.test")


def test_clock_skew_at_kinit(kdc, krb5_env):
    with pytest.raises(KerberosToolError, match="Clock skew too great"):
        kdc.kinit(krb5_env, faketime="+1h")


def test_clock_skew_when_asking_for_a_service_ticket(kdc, krb5_ticket):
    assert "Clock skew too great" in _service_ticket(kdc, krb5_ticket, faketime="+1h")


def test_expired_ticket(kdc, krb5_ticket):
    # max_life is 10h: eleven hours later the cached TGT is no use.
    assert "Ticket expired" in _service_ticket(kdc, krb5_ticket, faketime="+11h")


@pytest.mark.slow
def test_short_lived_ticket_expires_in_real_time(kdc, krb5_env):
    """For a long session (the TUI's): a ticket of a few seconds runs out while the process runs."""
    kdc.kinit(krb5_env, lifetime="2s")
    assert _service_ticket(kdc, krb5_env) == "ok"
    time.sleep(3)
    assert "Ticket expired" in _service_ticket(kdc, krb5_env, host="localhost")
