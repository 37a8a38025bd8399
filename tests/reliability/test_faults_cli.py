"""The command line under every fault: one line on stderr, the right exit code, nothing resent.

Refresh (``hvtui ls --json``) and actions (``hvtui start`` / ``hvtui shutdown``, one per WMI
method) run in this process for the whole fault table; a few run as real processes too, to
prove that nothing else (a traceback, an "exception ignored" at exit) reaches the terminal.
"""

from __future__ import annotations

import json

import pytest

from hvtui.hyperv.actions import Verb
from hvtui.hyperv.errors import Problem
from tests.conftest import SIM_PASSWORD

from . import clirun
from .catalogue import BY_NAME, EXPIRED_CONTEXT, FAULTS, ONE_VERB_PER_METHOD, method_of

EXIT = {None: 0, Problem.AUTH: 3, Problem.UNREACHABLE: 3, Problem.PROTOCOL: 3, Problem.HOST: 3}
MAY_HAVE_RUN = "the request may have reached the host"


@pytest.fixture
def pwfile(tmp_path):
    return clirun.password_file(tmp_path, SIM_PASSWORD)


def options(pwfile) -> list[str]:
    return ["--password-file", str(pwfile), "--no-keyring", "--host-timeout", "0.5"]


def inject(harness, fault, op: str = "*") -> None:
    if fault.name == "host-restart":
        # Two NTLM legs and one read are served, then the host restarts under the next request.
        harness.h.faults.add("restart:after=3")
    else:
        harness.inject(fault, op=op)


def assert_one_clear_line(result: clirun.Result, command: str, port: int) -> None:
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    assert line.startswith(f"hvtui {command}: "), line
    assert f"127.0.0.1:{port}" in line, line
    assert "Traceback" not in result.err


@pytest.mark.parametrize("fault", [*FAULTS, EXPIRED_CONTEXT], ids=str)
def test_ls_under_fault(harness, pwfile, fault):
    h = harness.h
    inject(harness, fault)
    result = clirun.run("ls", harness.uri, "--json", *options(pwfile))
    assert result.code == EXIT[fault.refresh], result.err
    if fault.refresh is None:
        assert result.err == ""
        assert len(json.loads(result.out)) == len(h.model.vms)
    else:
        assert result.out == ""  # nothing read, nothing printed: not a "[]" that reads as "no VMs"
        assert_one_clear_line(result, "ls", harness.port)
    assert h.counters["Invoke:GetSummaryInformation"] <= 1

    harness.clear()
    again = clirun.run("ls", harness.uri, "--json", *options(pwfile))
    assert (again.code, again.err) == (0, "")
    assert len(json.loads(again.out)) == len(h.model.vms)


@pytest.mark.parametrize("fault", FAULTS, ids=str)
@pytest.mark.parametrize("verb", ONE_VERB_PER_METHOD, ids=lambda v: v.value)
def test_action_under_fault(harness, pwfile, fault, verb):
    h = harness.h
    counter = f"Invoke:{method_of(verb)}"
    inject(harness, fault, op=counter)
    result = clirun.run(verb.value, harness.uri, verb.value, *options(pwfile))
    sent = h.counters[counter]
    assert sent <= 1
    assert result.code == EXIT[fault.action], result.err
    if fault.action is None:
        assert result.err == ""
        assert result.out.startswith(f"{verb.value}: ")
    else:
        assert_one_clear_line(result, verb.value, harness.port)
        if fault.after_processing:
            assert MAY_HAVE_RUN in result.err

    harness.clear()
    if fault.action is not None and not any(job.vm_guid for job in h.model.jobs):
        # The host never ran it: asking again now works, and is the only other request.
        again = clirun.run(verb.value, harness.uri, verb.value, *options(pwfile))
        assert again.code == 0, again.err
        assert h.counters[counter] == sent + 1


PROCESS_CASES = [
    ("ls", "http-500", 3),
    ("ls", "read-timeout", 3),
    ("ls", "password-changed", 3),
    ("ls", "latency-spike", 0),
    ("start", "reset-mid-reply", 3),
    ("shutdown", "malformed-xml", 3),
]


@pytest.mark.parametrize(("command", "fault_name", "code"), PROCESS_CASES)
def test_as_a_real_process_only_one_line_reaches_the_terminal(harness, pwfile, command, fault_name, code):
    fault = BY_NAME[fault_name]
    verb = Verb(command) if command != "ls" else None
    inject(harness, fault, op=f"Invoke:{method_of(verb)}" if verb else "*")
    args = ["ls", harness.uri, "--json"] if verb is None else [command, harness.uri, command]
    result = clirun.run_process(*args, *options(pwfile))
    assert result.code == code, result.err
    if code:
        assert_one_clear_line(result, command, harness.port)
    else:
        assert result.err == ""
    if verb is not None:
        assert harness.h.counters[f"Invoke:{method_of(verb)}"] == 1


def test_each_error_of_a_many_vm_action_names_its_vm(harness, pwfile):
    harness.h.faults.add("reset:at=mid:op=Invoke:RequestStateChange")
    result = clirun.run("off", harness.uri, "off", "reset", "pause", *options(pwfile))
    assert result.code == 3
    assert [line.split(": ", 2)[1] for line in result.err_lines] == ["off", "reset", "pause"]
    assert all(MAY_HAVE_RUN in line for line in result.err_lines)
    assert harness.h.counters["Invoke:RequestStateChange"] == 3  # one each, none resent
