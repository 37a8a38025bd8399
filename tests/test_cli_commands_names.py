"""Command names: virsh's verbs work where hvtui has the same command; any other word is an
unknown command with the closest match, never a bad URI."""

from __future__ import annotations

import json

import pytest

from hvtui.cli import main
from tests.conftest import SIM_PASSWORD
from tests.reliability import clirun

VIRSH = {
    "list": "ls",
    "dominfo": "vm",
    "nodeinfo": "info",
    "destroy": "off",
    "suspend": "pause",
    "managedsave": "save",
    "managedsave-remove": "discard-save",
}


@pytest.mark.parametrize(("alias", "command"), VIRSH.items())
def test_virsh_verbs_are_aliases(alias, command, capsys):
    assert main([alias, "--help"]) == 0
    assert f"usage: hvtui {command} " in capsys.readouterr().out


def test_an_alias_runs_the_command(sim_host, tmp_path):
    pwfile = str(clirun.password_file(tmp_path, SIM_PASSWORD))
    listed = clirun.run("list", sim_host.uri, "--json", "--password-file", pwfile)
    assert listed.code == 0, listed.err
    assert len(json.loads(listed.out)) == len(sim_host.model.vms)
    name = sim_host.model.vms[0].name
    shown = clirun.run("dominfo", sim_host.uri, name, "--json", "--password-file", pwfile)
    assert (shown.code, json.loads(shown.out)["name"]) == (0, name)


@pytest.mark.parametrize(
    ("word", "hint"),
    [
        ("lst", "did you mean 'list' (ls) or 'ls'?"),
        ("dominf", "did you mean 'dominfo' (vm)?"),
        ("shutdwon", "did you mean 'shutdown'"),
        ("stop", "the commands are ls, info, vm,"),
        ("migrate", "the commands are"),
    ],
)
def test_an_unknown_word_is_an_unknown_command(word, hint, capsys):
    assert main([word, "hyperv://hv01/", "web"]) == 2
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first.startswith(f"hvtui: unknown command '{word}'")
    assert hint in first
    assert "URI" not in first.split(";")[0]
    assert "Traceback" not in err


def test_help_lists_the_commands_and_their_aliases(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for alias, command in VIRSH.items():
        assert f"{alias} ({command})" in out
    for command in ("ls", "info", "vm", "login", "logout", "sim", "discard-save"):
        assert command in out
