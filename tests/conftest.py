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
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hvtui.sim import SimOptions, Simulator

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
