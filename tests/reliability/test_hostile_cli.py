"""A malicious or broken host, met by the command line as a real process.

Each hostile reply ends in one clear line on stderr and exit 3, within the host timeout,
with the process's peak memory (its own ``ru_maxrss``) less than 100 MB above an ordinary
run's. The hosts are in ``hostile.py``: most log the client in with NTLM and seal their
replies, so the hostile content arrives through the client's whole default path.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.scripted_server import Reply, ScriptedServer

from hvtui import namespaces as ns
from tests.conftest import SIM_PASSWORD

from . import clirun
from .hostile import (
    BILLION_LAUGHS,
    HTML_PAGE,
    NEVER,
    PASSWORD,
    SOAP_11,
    EndlessEnumeration,
    deep_nesting,
    dripping,
    external_entity,
    hostile,
    huge_body,
    ill_typed,
    invalid_utf8,
    redirect_to,
    uri_of,
)

HOST_TIMEOUT = 1.0  # and so the deadline of each request (see hyperv.session.exchange_timeouts)
DEADLINE = HOST_TIMEOUT
STARTUP = 6.0  # an interpreter starting on a busy CI machine
MEMORY_BOUND_KIB = 100 * 1024


@pytest.fixture(scope="module")
def baseline_kib(tmp_path_factory: pytest.TempPathFactory) -> int:
    """Peak memory of an ordinary ``hvtui info`` (the same code paths, a well-behaved host)."""
    from hvtui.sim import SimOptions, Simulator
    from tests.conftest import SIM_DEFAULTS

    pw = clirun.password_file(tmp_path_factory.mktemp("baseline"), SIM_PASSWORD)
    with Simulator(SimOptions(**{**SIM_DEFAULTS, "allow_unencrypted": False})) as sim:
        result = clirun.run_process("info", sim.hosts[0].uri, "--password-file", str(pw), "--no-keyring")
    assert result.code == 0, result.err
    return result.max_rss_kib


@pytest.fixture
def pwfile(tmp_path: Path) -> Path:
    return clirun.password_file(tmp_path, PASSWORD)


def run_against(server: ScriptedServer, pwfile: Path) -> clirun.Result:
    return clirun.run_process(
        "info",
        uri_of(server),
        "--password-file",
        str(pwfile),
        "--no-keyring",
        "--host-timeout",
        str(HOST_TIMEOUT),
    )


def assert_refused(result: clirun.Result, baseline_kib: int, *words: str) -> None:
    assert result.code == 3, result.err
    assert len(result.err_lines) == 1, result.err
    assert result.err.startswith("hvtui info: ")
    for word in words:
        assert word in result.err, result.err
    assert result.seconds < DEADLINE + STARTUP
    assert result.max_rss_kib - baseline_kib < MEMORY_BOUND_KIB, (result.max_rss_kib, baseline_kib)


def test_entity_expansion(pwfile, baseline_kib):
    with hostile(lambda req: Reply(200, body=BILLION_LAUGHS)) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "DOCTYPE")


def test_external_file_entity_is_never_read(pwfile, baseline_kib, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-FILE-CONTENT")
    # Opening a FIFO that has no writer blocks: had anything tried to read it, the CLI would hang.
    fifo = tmp_path / "secret.fifo"
    os.mkfifo(fifo)
    for target in (secret, fifo):
        with hostile(lambda req, t=target: Reply(200, body=external_entity(t.as_uri()))) as server:
            result = run_against(server, pwfile)
        assert_refused(result, baseline_kib, "DOCTYPE")
        assert "TOP-SECRET" not in result.out + result.err


def test_external_http_entity_is_never_fetched(pwfile, baseline_kib, listener):
    url = f"http://127.0.0.1:{listener.port}/exfiltrate"
    with hostile(lambda req: Reply(200, body=external_entity(url))) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "DOCTYPE")
    assert listener.connections == 0


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_200_mb_body(pwfile, baseline_kib, declared):
    with hostile(lambda req: huge_body(declared=declared)) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "max_reply_bytes")


def test_100000_deep_nesting(pwfile, baseline_kib):
    with hostile(deep_nesting) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "nested deeper")


def test_invalid_utf8(pwfile, baseline_kib):
    with hostile(invalid_utf8) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "not valid UTF-8")


def test_html_page(pwfile, baseline_kib):
    with hostile(lambda req: HTML_PAGE, ntlm=False) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "HTML page titled 'Proxy login required'")


def test_soap_11_envelope(pwfile, baseline_kib):
    with hostile(lambda req: SOAP_11, ntlm=False) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "SOAP 1.1")


def test_a_value_that_does_not_fit_its_type(pwfile, baseline_kib):
    with hostile(ill_typed) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "FreePhysicalMemory from the host is malformed: 'lots'")


def test_enumeration_that_never_ends(pwfile, baseline_kib):
    with hostile(EndlessEnumeration()) as server:
        result = run_against(server, pwfile)
    # A host has one operating system: refused at the second, without a single Pull.
    assert_refused(result, baseline_kib, "returned more than 1 operating system")
    assert ns.ACTION_PULL not in server.actions()
    assert server.actions()[-1] == ns.ACTION_RELEASE  # and the host was told to let it go


def test_redirect_is_not_followed_and_gets_no_credentials(pwfile, baseline_kib, listener):
    location = f"http://administrator:{PASSWORD}@127.0.0.1:{listener.port}/wsman"
    with hostile(lambda req: redirect_to(location)) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "redirect", "not followed")
    assert listener.connections == 0
    assert PASSWORD not in result.err  # not even the one the Location carried


def test_reply_that_drips(pwfile, baseline_kib):
    with hostile(dripping) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "within 1s (total_timeout)")
    assert result.seconds >= DEADLINE  # ended by the request's deadline, not sooner


def test_host_that_never_answers(pwfile, baseline_kib):
    with hostile(lambda req: NEVER) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "within 1s")
    assert result.seconds >= HOST_TIMEOUT  # the host timeout, not a lucky early end
