"""Where the command line takes a password from, in order: --password-file / --password-stdin,
the keyring, the config's password_command, a prompt; and --password-file for the TUI."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import keyring.backends.null
import keyring.core
import pytest

from hvtui.cli import main
from hvtui.cli.passwords import PasswordSource
from hvtui.secrets import CredentialStore
from hvtui.uri import parse_uri
from tests.conftest import SIM_PASSWORD
from tests.reliability import clirun
from tests.support.keyrings import FileKeyring


@pytest.fixture
def config(tmp_path, monkeypatch):
    """Write the config the command will read: ``config(password_command=...)``."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("HVTUI_CONFIG", str(path))
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.backends.null.Keyring())

    def write(text: str) -> Path:
        path.write_text(text)
        return path

    return write


@pytest.fixture
def tool(tmp_path):
    """A password command that prints the simulator's password and leaves a mark when it runs."""
    mark = tmp_path / "ran"
    path = tmp_path / "secret-tool"
    path.write_text(
        f"#!{sys.executable}\nimport sys, pathlib\n"
        f"pathlib.Path({str(mark)!r}).write_text(' '.join(sys.argv[1:]))\nprint({SIM_PASSWORD!r})\n"
    )
    path.chmod(stat.S_IRWXU)
    return path, mark


def test_ls_takes_the_password_from_the_command(sim_host, config, tool):
    path, mark = tool
    config(f'password_command = "{path} lookup {{host}} {{user}}"\n')
    result = clirun.run("ls", sim_host.uri, "--json")
    assert result.code == 0, result.err
    assert len(json.loads(result.out)) == len(sim_host.model.vms)
    assert mark.read_text() == "lookup 127.0.0.1 administrator"
    assert SIM_PASSWORD not in result.err


def test_a_host_s_own_command_is_used_for_it(sim_host, config, tool):
    path, mark = tool
    config(
        f'password_command = "false"\n[[hosts]]\nuri = "{sim_host.uri}"\npassword_command = "{path} own"\n'
    )
    assert clirun.run("info", sim_host.uri, "--json").code == 0
    assert mark.read_text() == "own"


def test_a_password_file_comes_before_the_command(sim_host, config, tool, tmp_path):
    path, mark = tool
    config(f'password_command = "{path}"\n')
    pwfile = clirun.password_file(tmp_path, SIM_PASSWORD)
    assert clirun.run("info", sim_host.uri, "--password-file", str(pwfile)).code == 0
    assert clirun.run("info", sim_host.uri, "--password-stdin", stdin=SIM_PASSWORD + "\n").code == 0
    assert not mark.exists()


def test_the_keyring_comes_before_the_command(sim_host, tool, tmp_path):
    path, mark = tool
    store = CredentialStore(FileKeyring())
    source = PasswordSource(command_for=lambda uri: str(path), interactive=False)
    (tmp_path / "keyring.json").write_text(json.dumps({f"hvtui|{sim_host.uri}": "from-keyring"}))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HVTUI_TEST_KEYRING", str(tmp_path / "keyring.json"))
        assert source.resolve(parse_uri(sim_host.uri), store) == ("from-keyring", "keyring")
    assert not mark.exists()


def test_the_command_comes_before_the_prompt(tool, monkeypatch):
    path, _ = tool

    def no_prompt(*_a, **_k):
        raise AssertionError("prompted although a password_command is set")

    monkeypatch.setattr("getpass.getpass", no_prompt)
    source = PasswordSource(use_keyring=False, command_for=lambda uri: str(path), interactive=True)
    assert source.resolve(parse_uri("hyperv://hv01/"), None) == (SIM_PASSWORD, "command")


def test_a_failing_command_is_one_line_with_its_stderr(sim_host, config, tmp_path):
    failing = tmp_path / "failing"
    failing.write_text("#!/bin/sh\necho 'Error: hv01 is not in the password store.' >&2\nexit 1\n")
    failing.chmod(stat.S_IRWXU)
    config(f'password_command = "{failing}"\n')
    result = clirun.run("info", sim_host.uri)
    assert result.code == 3
    assert result.err_lines == [
        "hvtui info: password_command for administrator on "
        f"{parse_uri(sim_host.uri).display_host} failed (exit 1): Error: hv01 is not in the password store."
    ]


def test_the_tui_takes_a_password_file(tmp_path, monkeypatch, config):
    config("")
    seen = []
    monkeypatch.setattr("hvtui.ui.app.run", lambda options: seen.append(options) or 0)
    pwfile = clirun.password_file(tmp_path, "Tui-Passw0rd")
    assert main(["hyperv://hv01/", "hyperv://hv02/", "--password-file", str(pwfile)]) == 0
    assert [h.password for h in seen[-1].hosts] == ["Tui-Passw0rd", "Tui-Passw0rd"]
    assert main(["--password-file", str(pwfile)]) == 0  # the config's hosts: at their login
    assert seen[-1].password_file == pwfile
    pwfile.chmod(0o644)
    result = clirun.run("hyperv://hv01/", "--password-file", str(pwfile))
    assert result.code == 2
    assert "is readable by other users" in result.err_lines[0]
    assert "Tui-Passw0rd" not in result.err
