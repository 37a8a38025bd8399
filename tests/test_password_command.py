"""The config's password_command, run for real: small scripts stand for ``pass``, ``gopass`` or
``secret-tool``."""

from __future__ import annotations

import stat
import sys
import time
from pathlib import Path

import pytest

from hvtui.config import Config, HostEntry
from hvtui.password_command import (
    PasswordCommandError,
    command_argv,
    run_password_command,
    unattended_password,
)
from hvtui.password_file import PasswordFileError
from hvtui.uri import parse_uri

URI = parse_uri("hyperv://CORP%5Cadmin@hv01.example.test/")


def script(directory: Path, body: str, name: str = "secret") -> Path:
    """An executable Python script: what a user's password tool is to hvtui."""
    path = directory / name
    path.write_text(f"#!{sys.executable}\nimport sys, os, time\n{body}\n")
    path.chmod(stat.S_IRWXU)
    return path


def test_the_first_line_printed_is_the_password(tmp_path):
    tool = script(tmp_path, "print('S3cret pass'); print('second line')")
    assert run_password_command(str(tool), URI) == "S3cret pass"


def test_placeholders_are_filled_in_each_word_and_no_shell_runs(tmp_path):
    tool = script(tmp_path, "print(repr(sys.argv[1:]))")
    template = f"{tool} hyperv/{{host}} '{{user}} at {{host}}' {{uri}} '$(id)' ';' {{other}}"
    printed = run_password_command(template, URI)
    assert printed == repr(
        [
            "hyperv/hv01.example.test",
            "CORP\\admin at hv01.example.test",
            URI.canonical,
            "$(id)",
            ";",
            "{other}",
        ]
    )


def test_a_value_is_not_substituted_again():
    uri = parse_uri("hyperv://%7Bhost%7D@hv01/")  # a user named "{host}"
    assert command_argv("tool {user}", uri) == ["tool", "{host}"]


def test_stdin_is_closed(tmp_path):
    tool = script(tmp_path, "print(repr(sys.stdin.read()) + 'x')")
    assert run_password_command(str(tool), URI, timeout=10) == "''x"


def test_a_command_that_does_not_finish_is_stopped(tmp_path):
    tool = script(tmp_path, "time.sleep(30)")
    started = time.monotonic()
    with pytest.raises(PasswordCommandError, match=r"no answer within 0.5 s"):
        run_password_command(str(tool), URI, timeout=0.5)
    assert time.monotonic() - started < 10


def test_a_failure_shows_stderr_on_one_line_without_the_password(tmp_path):
    tool = script(
        tmp_path,
        "print('Leaked-Passw0rd'); sys.stderr.write('gpg: decryption failed\\n  for Leaked-Passw0rd\\n');"
        " sys.exit(2)",
    )
    with pytest.raises(PasswordCommandError) as info:
        run_password_command(str(tool), URI)
    message = str(info.value)
    assert "\n" not in message
    assert "Leaked-Passw0rd" not in message
    assert message == (
        "password_command for CORP\\admin on hv01.example.test failed (exit 2): "
        "gpg: decryption failed for ***"
    )


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("/nonexistent/pass show {host}", "'/nonexistent/pass' not found"),
        ("", "password_command is empty"),
        ("pass 'unclosed", "cannot be split into words"),
    ],
)
def test_commands_that_cannot_run(template, words):
    with pytest.raises(PasswordCommandError, match=words):
        run_password_command(template, URI)


def test_nothing_printed_is_no_password(tmp_path):
    tool = script(tmp_path, "pass")
    with pytest.raises(PasswordCommandError, match="printed nothing"):
        run_password_command(str(tool), URI)


def test_the_host_s_command_wins_over_the_global_one():
    config = Config(
        hosts=(HostEntry("hyperv://hv02/"), HostEntry(URI.canonical, password_command="own {host}")),
        password_command="global {host}",
    )
    assert config.password_command_for(URI) == "own {host}"
    assert config.password_command_for(parse_uri("hyperv://hv02/")) == "global {host}"
    assert Config().password_command_for(URI) is None


def test_re_adding_a_host_keeps_its_command():
    config = Config(hosts=(HostEntry(URI.canonical, password_command="own"),))
    assert config.with_host(URI, ca_file="/ca.pem").hosts == (HostEntry(URI.canonical, "/ca.pem", "own"),)


def test_unattended_password_takes_the_file_then_the_command(tmp_path):
    tool = script(tmp_path, "print('from-the-command')")
    config = Config(password_command=str(tool))
    pw = tmp_path / "pw"
    pw.write_text("from-the-file\n")
    pw.chmod(0o600)
    assert unattended_password(URI, password_file=pw, config=config) == "from-the-file"
    assert unattended_password(URI, config=config) == "from-the-command"
    assert unattended_password(URI, config=Config()) is None
    assert unattended_password(URI) is None
    pw.chmod(0o644)
    with pytest.raises(PasswordFileError, match="chmod 600"):
        unattended_password(URI, password_file=pw, config=config)
