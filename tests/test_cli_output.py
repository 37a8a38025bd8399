"""What the command line leaves on stdout: nothing when nothing was read, and no traceback when
the reader of its output goes away early (``hvtui ls --json | head -1``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import SIM_PASSWORD
from tests.reliability import clirun

EXIT_BROKEN_PIPE = 141
DOWN = "hyperv://127.0.0.1:9/?transport=http"


@pytest.fixture
def pwfile(tmp_path):
    return clirun.password_file(tmp_path, SIM_PASSWORD)


def run_into_a_closed_pipe(*args: str) -> subprocess.CompletedProcess[bytes]:
    """``hvtui ARGS`` with stdout a real pipe whose reader has already gone, as after ``head``."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-m", "hvtui", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            env=clirun.base_env(),
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize(
    "args",
    [("ls", "--json"), ("ls", "--csv"), ("ls",), ("vm", "VM"), ("info",)],
    ids=["ls-json", "ls-csv", "ls-table", "vm", "info"],
)
def test_a_reader_that_goes_away_ends_the_command_quietly(sim_host, pwfile, args):
    command, *rest = args
    rest = [sim_host.model.vms[0].name if word == "VM" else word for word in rest]
    result = run_into_a_closed_pipe(command, sim_host.uri, *rest, "--password-file", str(pwfile))
    assert result.stderr.decode() == ""
    assert result.returncode == EXIT_BROKEN_PIPE


@pytest.mark.parametrize("fmt", [(), ("--json",), ("--csv",)], ids=["table", "json", "csv"])
def test_ls_prints_nothing_on_stdout_when_every_host_failed(fmt):
    result = clirun.run(
        "ls", DOWN, "hyperv://127.0.0.1:7/?transport=http", *fmt, "--password-stdin", stdin="x\n"
    )
    assert result.code == 3
    assert result.out == ""
    assert len(result.err_lines) == 2
    assert "127.0.0.1:9" in result.err and "127.0.0.1:7" in result.err


@pytest.mark.parametrize("fmt", [(), ("--json",), ("--csv",)], ids=["table", "json", "csv"])
def test_ls_keeps_what_was_read_when_some_hosts_failed(sim_host, pwfile, fmt):
    result = clirun.run("ls", sim_host.uri, DOWN, *fmt, "--password-file", str(pwfile))
    assert result.code == 3
    assert "127.0.0.1:9" in result.err
    assert sim_host.model.vms[0].name in result.out
    if fmt == ("--json",):
        assert len(json.loads(result.out)) == len(sim_host.model.vms)
