"""TLS and Basic over plain HTTP as the command line meets them.

A self-signed certificate is refused by default, with a line that names the host and says
how to trust it; it is accepted with that host's CA (``--ca-file``) or ``no_verify=1``, and
``hvtui info`` then says whether TLS was verified. Basic over plain HTTP is used only when
the user chose both ``transport=http`` and ``auth=basic``: otherwise the password is never
sent (the host's requests are inspected for a Basic header).
"""

from __future__ import annotations

import json
import uuid

import pytest
from support import wsman_replies as wr
from support.scripted_server import AuthPolicy, ScriptedServer

from . import clirun


@pytest.fixture
def password() -> str:
    return f"Pw-{uuid.uuid4().hex}"


@pytest.fixture
def tls_host(make_sim, password):
    """A host with the simulator's own self-signed certificate, and a file holding it."""
    return make_sim(password=password, vms=2, https=True)


def info(uri: str, pwfile, *extra: str) -> clirun.Result:
    return clirun.run(
        "info", uri, "--password-file", str(pwfile), "--no-keyring", "--host-timeout", "2", *extra
    )


def test_self_signed_is_refused_by_default_and_says_how_to_trust_it(tls_host, password, tmp_path):
    h = tls_host.hosts[0]
    result = info(h.uri, clirun.password_file(tmp_path, password))
    assert result.code == 3
    assert len(result.err_lines) == 1
    line = result.err_lines[0]
    assert f"127.0.0.1:{h.port}" in line
    assert "not trusted" in line and "self-signed" in line
    assert "--ca-file" in line and "no_verify=1" in line
    assert h.counters.total == 0  # nothing was sent over the untrusted connection


def test_the_hosts_own_certificate_as_ca_file(tls_host, password, tmp_path):
    ca = tmp_path / "hv-ca.pem"
    ca.write_text(tls_host.ca_pem)
    result = info(tls_host.hosts[0].uri, clirun.password_file(tmp_path, password), "--ca-file", str(ca))
    assert result.code == 0, result.err
    assert "TLS verified" in result.out


def test_a_ca_bundle_from_a_private_ca(https_sim, sim_ca_file, tmp_path):
    from tests.conftest import SIM_PASSWORD

    pwfile = clirun.password_file(tmp_path, SIM_PASSWORD)
    uri = https_sim.hosts[0].uri
    assert info(uri, pwfile).code == 3
    result = info(uri, pwfile, "--json", "--ca-file", str(sim_ca_file))
    assert result.code == 0, result.err
    assert json.loads(result.out)["connection"]["tls_verified"] is True


def test_no_verify_is_accepted_and_marked(tls_host, password, tmp_path):
    uri = tls_host.hosts[0].uri + "&no_verify=1"
    pwfile = clirun.password_file(tmp_path, password)
    table = info(uri, pwfile)
    assert table.code == 0, table.err
    assert "tls not verified" in table.out.lower()
    record = info(uri, pwfile, "--json")
    assert json.loads(record.out)["connection"]["tls_verified"] is False
    assert "no_verify=1" in json.loads(record.out)["uri"]


def basic_only_host(password: str) -> ScriptedServer:
    """A host that offers only Basic and would take it over HTTP (AllowUnencrypted=true)."""
    return ScriptedServer(
        handler=lambda req: wr.fault(
            req, "w:AccessDenied", code="s:Sender", wsman_code=5, reason="Access is denied."
        ),
        auth=AuthPolicy(users={"administrator": password}, schemes=("Basic",), allow_unencrypted=True),
    )


def basic_headers(server: ScriptedServer) -> list[str]:
    return [
        r.header("Authorization") or ""
        for r in server.requests
        if (r.header("Authorization") or "").startswith("Basic")
    ]


@pytest.mark.parametrize("query", ["transport=http", "transport=http&auth=ntlm"])
def test_basic_over_http_is_never_used_unless_chosen(password, tmp_path, query):
    with basic_only_host(password) as server:
        result = info(
            f"hyperv://administrator@127.0.0.1:{server.port}/?{query}",
            clirun.password_file(tmp_path, password),
        )
    assert result.code == 3
    assert len(result.err_lines) == 1
    assert "Basic" in result.err
    assert basic_headers(server) == []  # the password never crossed the network
    assert server.requests  # but the host was asked


def test_basic_over_http_when_chosen(password, tmp_path):
    with basic_only_host(password) as server:
        uri = f"hyperv://administrator@127.0.0.1:{server.port}/?transport=http&auth=basic"
        result = info(uri, clirun.password_file(tmp_path, password))
    assert result.code == 3  # the scripted host then denies access: what matters is what was sent
    assert "Access is denied" in result.err
    assert basic_headers(server)
    assert password not in result.err


def test_a_certificate_pinned_in_the_config_is_trusted_and_a_changed_one_refused(
    tls_host, password, tmp_path, monkeypatch
):
    h = tls_host.hosts[0]
    config = tmp_path / "config.toml"
    monkeypatch.setenv("HVTUI_CONFIG", str(config))
    config.write_text(f'[[hosts]]\nuri = "{h.uri}"\ntls_pin = "sha256:{tls_host.fingerprint}"\n')
    result = info(h.uri, clirun.password_file(tmp_path, password))
    assert result.code == 0, result.err
    assert "TLS verified (pinned certificate)" in result.out
    config.write_text(f'[[hosts]]\nuri = "{h.uri}"\ntls_pin = "sha256:{"00:" * 31}00"\n')
    h.reset_counters()
    result = info(h.uri, clirun.password_file(tmp_path, password))
    assert result.code == 3
    assert "CHANGED" in result.err
    assert h.counters.total == 0  # the password never left
