"""CLI usage errors: exit 2 with one line, before any password is asked; no Textual on script paths."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hvtui.cli import main


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["ls", "hyperv+ssh://hv01/"], "client-side only"),
        (["ls", "hyperv://hv01/", "esx://x/"], "unsupported scheme"),
        (["info", "hyperv://admin:pw@hv01/"], "password in the URI"),
        (["vm", "hyperv://hv01:99999/", "web"], "out of range"),
        (["start", "hyperv://hv01/?transport=ftp", "web"], "bad value"),
        (["ls", "hyperv://hv01/", "--state", "running,exploded"], "unknown state 'exploded'"),
        (["ls", "hyperv://hv01/", "--json", "--csv"], "not allowed with"),
        (["ls"], "required"),
        (["start", "hyperv://hv01/"], "required"),
        (["hyperv://hv01/", "--demo"], "--demo"),
        (["--refresh", "0.01"], "--refresh"),
        (["--bogus"], "unrecognized arguments"),
        (["not-a-uri"], "unknown command 'not-a-uri'"),
        (["hv01.example.com"], "not a hyperv:// URI"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv, words, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("HVTUI_CONFIG", str(tmp_path / "none.toml"))  # `ls` alone reads its hosts

    def no_prompt(*_a, **_k):
        raise AssertionError("a password was asked for before the usage error")

    monkeypatch.setattr("getpass.getpass", no_prompt)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err
    assert "Traceback" not in err
    assert err.count("\n") <= 2


def test_password_in_uri_is_not_echoed(capsys):
    assert main(["ls", "hyperv://admin:Hunter2-secret@hv01/"]) == 2
    assert "Hunter2" not in capsys.readouterr().err


@pytest.mark.parametrize("command", ["ls", "info", "vm", "start", "off", "discard-save", "login"])
def test_subcommand_help(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert f"hvtui {command}" in out
    assert "--password" not in out.replace("--password-file", "").replace("--password-stdin", "")


def test_script_paths_never_import_textual():
    code = (
        "import sys\n"
        "from hvtui import cli, present\n"
        "from hvtui.cli import dispatch, hostinfo, listing, login, power, settings, vminfo\n"
        "from hvtui import password_command, password_file\n"
        "from hvtui.present import formats, host, records, vm\n"
        "from hvtui.hyperv import host\n"
        "for argv in (['--help'], ['ls', '--help'], ['list', '--help'], ['info', 'hyperv+ssh://x/']):\n"
        "    try:\n"
        "        cli.main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_cli_default_host_timeout_is_the_domain_default():
    from hvtui.cli.parser import DEFAULT_HOST_TIMEOUT
    from hvtui.hyperv.session import DEFAULT_TIMEOUT

    assert DEFAULT_HOST_TIMEOUT == DEFAULT_TIMEOUT


def test_the_cli_offers_the_graphics_modes_the_console_knows():
    from hvtui.cli.parser import GRAPHICS
    from hvtui.ui.graphics.detect import MODES

    assert GRAPHICS == MODES  # the parser keeps Textual's package out of a listing's start
