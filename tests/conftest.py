"""Shared simulator fixtures for every test suite.

* ``sim`` (session): one HTTP host, 20 VMs, seed 7, Basic + NTLM, ``allow_unencrypted=True`` so
  Basic works over plain HTTP, ``time_scale=50``. For READ-ONLY tests: do not change VM states,
  passwords or faults on it (use ``make_sim`` for that).
* ``sim_host``: ``sim.hosts[0]``.
* ``make_sim(**fields)`` (function): starts a Simulator with the given SimOptions fields (defaults as
  ``sim``, one host, 5 VMs) and stops it after the test. For tests that mutate state or inject faults.
* ``https_sim`` (session): one HTTPS host whose certificate is issued by a trustme CA;
  ``sim_ca_file`` is the path of that CA's PEM for clients to verify against.
* ``SIM_USER`` / ``SIM_PASSWORD``: the account of every fixture simulator.

Kerberos (a real MIT realm, ``tests/support/kdc.py``; skipped when MIT Kerberos or the
``hvtui[kerberos]`` extra is missing, failed instead when ``HVTUI_REQUIRE_KERBEROS=1``):

* ``kdc`` (session): the running realm ``HVTUI.TEST`` with user ``kdc.user`` /
  ``kdc.user_password`` and a keytab ``kdc.keytab`` for HTTP/ and WSMAN/ on localhost,
  127.0.0.1 and hv01.hvtui.test.
* ``krb5_env``: this process's Kerberos points at the realm (``KRB5_CONFIG``...) with an empty,
  private credential cache (``KRB5CCNAME``); its path is the value.
* ``krb5_ticket``: as ``krb5_env``, after ``kinit`` as the realm's user.
* ``kerberos_sim`` (session): one HTTP host offering Negotiate (Kerberos or NTLM) and Kerberos,
  message encryption required, with the realm's keytab; use with ``krb5_ticket``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hvtui.sim import SimOptions, Simulator
from tests.support.kdc import TestRealm, missing_reason

SIM_USER = "administrator"
SIM_PASSWORD = "Sim-Passw0rd!"
SIM_DEFAULTS: dict[str, Any] = {
    "hosts": 1,
    "vms": 20,
    "release": "2022",
    "seed": 7,
    "password": SIM_PASSWORD,
    "user": SIM_USER,
    "auth": ("basic", "ntlm"),
    "allow_unencrypted": True,
    "time_scale": 50.0,
}


@pytest.fixture(scope="session")
def sim() -> Iterator[Simulator]:
    """A read-only simulator shared by the whole session."""
    with Simulator(SimOptions(**SIM_DEFAULTS)) as s:
        yield s


@pytest.fixture(scope="session")
def sim_host(sim: Simulator) -> Any:
    return sim.hosts[0]


@pytest.fixture
def make_sim() -> Iterator[Callable[..., Simulator]]:
    """Factory: ``make_sim(vms=3, faults="http503:count=1")`` → a started Simulator.

    Every simulator it made is stopped after the test.
    """
    started: list[Simulator] = []

    def make(**fields: Any) -> Simulator:
        opts = {**SIM_DEFAULTS, "vms": 5, **fields}
        s = Simulator(SimOptions(**opts)).start()
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()


@pytest.fixture(scope="session")
def sim_tls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A trustme CA and a server certificate for 127.0.0.1, ::1 and localhost, as PEM files."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "::1", "localhost")
    d = tmp_path_factory.mktemp("sim-tls")
    paths = {"ca": d / "ca.pem", "cert": d / "cert.pem", "key": d / "key.pem"}
    ca.cert_pem.write_to_path(str(paths["ca"]))
    cert.cert_chain_pems[0].write_to_path(str(paths["cert"]))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(paths["cert"]), append=True)
    cert.private_key_pem.write_to_path(str(paths["key"]))
    return paths


@pytest.fixture(scope="session")
def sim_ca_file(sim_tls: dict[str, Path]) -> Path:
    return sim_tls["ca"]


@pytest.fixture(scope="session")
def https_sim(sim_tls: dict[str, Path]) -> Iterator[Simulator]:
    """A read-only HTTPS simulator (trustme certificate; trust ``sim_ca_file``)."""
    opts = {**SIM_DEFAULTS, "vms": 5, "https": True, "cert": sim_tls["cert"], "key": sim_tls["key"]}
    with Simulator(SimOptions(**opts)) as s:
        yield s


@pytest.fixture(scope="session")
def kdc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestRealm]:
    """A real MIT KDC on loopback for the whole session."""
    reason = missing_reason()
    if reason is not None:
        if os.environ.get("HVTUI_REQUIRE_KERBEROS") == "1":
            pytest.fail(f"Kerberos tests are required here: {reason}")
        pytest.skip(reason)
    with TestRealm(tmp_path_factory.mktemp("kdc")) as realm:
        yield realm


@pytest.fixture
def krb5_env(kdc: TestRealm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ccache = tmp_path / "krb5cc"
    for name, value in kdc.env(ccache).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KRB5_KTNAME", raising=False)
    return ccache


@pytest.fixture
def krb5_ticket(kdc: TestRealm, krb5_env: Path) -> Path:
    kdc.kinit(krb5_env)
    return krb5_env


@pytest.fixture(scope="session")
def kerberos_sim(kdc: TestRealm) -> Iterator[Simulator]:
    opts = {**SIM_DEFAULTS, "vms": 5, "auth": ("kerberos", "ntlm"), "keytab": kdc.keytab,
            "allow_unencrypted": False}  # fmt: skip
    with Simulator(SimOptions(**opts)) as s:
        yield s
