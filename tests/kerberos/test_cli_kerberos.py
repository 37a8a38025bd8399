"""``hvtui ls 'hyperv://alice%40HVTUI.TEST@host/?auth=kerberos'`` as a user runs it, against the real KDC.

After ``kinit`` no password is looked up at all (no keyring, no prompt); a password file gets
hvtui a ticket of its own. Errors are one line each, clock skew included (the child's clock
moved by libfaketime), and the password shows in no argv, log or output.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from hvtui.cli import passwords
from hvtui.cli.passwords import PasswordSource
from hvtui.uri import parse_uri
from tests.kerberos.test_client_kerberos import kerberos_uri
from tests.reliability import clirun

pytest.importorskip("gssapi")


@pytest.fixture
def logged(tmp_path):
    return clirun.base_env(HVTUI_LOG_FILE=str(tmp_path / "hvtui.log"), HVTUI_DEBUG="1")


def _one_line_error(result: clirun.Result) -> str:
    assert result.code == 3, result.err
    assert len(result.err_lines) == 1 and "Traceback" not in result.err, result.err
    return result.err


def test_ls_with_a_ticket_from_kinit(kerberos_sim, krb5_ticket, logged):
    sim_host = kerberos_sim.hosts[0]
    result = clirun.run_process("ls", kerberos_uri(sim_host), "--json", env=logged, stdin="")
    assert result.code == 0, result.err
    assert len(json.loads(result.out)) == len(sim_host.model.vms)
    log = Path(logged["HVTUI_LOG_FILE"]).read_text()
    assert "authenticated alice@HVTUI.TEST with Kerberos and message encryption" in log


def test_a_ticket_means_no_password_is_asked_or_looked_up(kerberos_sim, krb5_ticket, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a password was asked for")

    monkeypatch.setattr(passwords.getpass, "getpass", refuse)

    class Store:
        def get(self, key):
            raise AssertionError("the keyring was read")

    uri = parse_uri(kerberos_uri(kerberos_sim.hosts[0]))
    assert PasswordSource(interactive=True).resolve(uri, Store()) == (None, "ticket")  # type: ignore[arg-type]
    auto = parse_uri(kerberos_uri(kerberos_sim.hosts[0], auth="auto"))
    assert PasswordSource(interactive=True).resolve(auto, Store()) == (None, "ticket")  # type: ignore[arg-type]


def test_ls_with_a_password_file_keeps_it_out_of_argv_logs_and_output(
    kerberos_sim, krb5_env, kdc, tmp_path, logged
):
    password = f"Kerb-{uuid.uuid4().hex}"
    user = f"pw{uuid.uuid4().hex[:8]}@{kdc.realm}"
    kdc.add_principal(user, password)
    uri = kerberos_uri(kerberos_sim.hosts[0], user=user.replace("@", "%40"))
    result = clirun.run_process(
        "ls", uri, "--password-file", str(clirun.password_file(tmp_path, password)), env=logged
    )
    assert result.code == 0, result.err
    log = Path(logged["HVTUI_LOG_FILE"]).read_text()
    assert f"authenticated {user} with Kerberos" in log
    assert password not in log + result.out + result.err
    assert not krb5_env.exists()  # the user's own credential cache was left alone


def test_no_ticket_and_no_password_says_to_kinit(kerberos_sim, krb5_env):
    result = clirun.run_process("ls", kerberos_uri(kerberos_sim.hosts[0]), "--no-keyring", stdin="")
    err = _one_line_error(result)
    assert "run 'kinit alice@HVTUI.TEST'" in err and "--password-file" in err


def test_clock_skew_is_named(kerberos_sim, krb5_env, kdc, tmp_path):
    env = clirun.base_env(**kdc.faketime_env("+1h"))
    pw = clirun.password_file(tmp_path, kdc.user_password)
    result = clirun.run_process(
        "ls", kerberos_uri(kerberos_sim.hosts[0]), "--password-file", str(pw), env=env
    )
    err = _one_line_error(result)
    assert "the clock of this machine and the Kerberos KDC" in err and "NTP" in err


@pytest.mark.parametrize(
    ("extra", "user", "right", "words"),
    [
        (
            "&spn=HTTP/hv99.hvtui.test",
            "alice%40HVTUI.TEST",
            True,
            "knows no service principal HTTP/hv99.hvtui.test",
        ),
        ("", "alice%40NOWHERE.TEST", False, "no Kerberos KDC can be found for the realm NOWHERE.TEST"),
        ("", "alice%40HVTUI.TEST", False, "refused the password for alice@HVTUI.TEST"),
    ],
    ids=["unknown-spn", "unknown-realm", "wrong-password"],
)
def test_kerberos_errors_are_one_line(kerberos_sim, krb5_env, kdc, tmp_path, extra, user, right, words):
    password = kdc.user_password if right else "not-the-password"
    pw = clirun.password_file(tmp_path, password)
    uri = kerberos_uri(kerberos_sim.hosts[0], user=user, extra=extra)
    err = _one_line_error(clirun.run_process("ls", uri, "--password-file", str(pw)))
    assert words in err and password not in err
