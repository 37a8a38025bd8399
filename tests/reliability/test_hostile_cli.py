"""A malicious or broken host, met by the command line as a real process.

Each hostile reply ends in one clear line on stderr and exit 3, within the host timeout,
with the process's peak memory (its own ``ru_maxrss``) less than 100 MB above an ordinary
run's. The host here authenticates with NTLM and seals its replies, as a compromised Windows
host would: the hostile content arrives through the client's whole default path.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support import wsman_replies as wr
from support.scripted_server import AuthPolicy, Reply, Request, ScriptedServer

from hvtui import namespaces as ns
from tests.conftest import SIM_PASSWORD

from . import clirun

PASSWORD = "Hostile-Host-Pw1"
HOST_TIMEOUT = 1.0  # the exchange deadline is then 3 s (see hyperv.session.exchange_timeouts)
DEADLINE = 3.0
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


@pytest.fixture
def listener() -> Iterator[ScriptedServer]:
    """Somewhere a hostile reply may point (an entity's URL, a redirect): it must see nothing."""
    with ScriptedServer(handler=lambda req: Reply(200, body=b"<x>SECRET-FROM-ELSEWHERE</x>")) as s:
        yield s


def hostile(respond: Callable[[Request], Reply], *, ntlm: bool = True) -> ScriptedServer:
    """A host that logs the client in with NTLM and seals its replies; without ``ntlm``, something
    that is not WinRM at all (a proxy, another SOAP service), reached with Basic over HTTP."""
    auth = AuthPolicy(users={"administrator": PASSWORD}) if ntlm else None
    return ScriptedServer(handler=respond, auth=auth)


def run_against(server: ScriptedServer, pwfile: Path) -> clirun.Result:
    query = "transport=http" if server.auth is not None else "transport=http&auth=basic"
    uri = f"hyperv://administrator@127.0.0.1:{server.port}/?{query}"
    return clirun.run_process(
        "info", uri, "--password-file", str(pwfile), "--no-keyring", "--host-timeout", str(HOST_TIMEOUT)
    )


def assert_refused(result: clirun.Result, baseline_kib: int, *words: str) -> None:
    assert result.code == 3, result.err
    assert len(result.err_lines) == 1, result.err
    assert result.err.startswith("hvtui info: ")
    for word in words:
        assert word in result.err, result.err
    assert result.seconds < DEADLINE + STARTUP
    assert result.max_rss_kib - baseline_kib < MEMORY_BOUND_KIB, (result.max_rss_kib, baseline_kib)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + f']><s:Envelope xmlns:s="{ns.SOAP}"><s:Body><x>&lol9;</x></s:Body></s:Envelope>'
)


def external_entity(system_id: str) -> str:
    return (
        f'<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "{system_id}">]>'
        f'<s:Envelope xmlns:s="{ns.SOAP}"><s:Body><x>&xxe;</x></s:Body></s:Envelope>'
    )


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


async def _endless(total: int) -> Iterator[bytes]:
    block = b"<x>" + b"A" * (256 * 1024) + b"</x>\n"
    sent = 0
    while sent < total:
        yield block
        sent += len(block)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_200_mb_body(pwfile, baseline_kib, declared):
    total = 200 * 1024 * 1024
    reply = Reply(200, stream_body=lambda: _endless(total), declared_length=total if declared else None)
    with hostile(lambda req: reply) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "max_reply_bytes")


def test_100000_deep_nesting(pwfile, baseline_kib):
    deep = "<a>" * 100_000 + "</a>" * 100_000
    with hostile(lambda req: Reply(200, body=wr.envelope(req, ns.ACTION_ENUMERATE_RESPONSE, deep))) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "nested deeper")


def test_invalid_utf8(pwfile, baseline_kib):
    def respond(req: Request) -> Reply:
        body = wr.envelope(
            req, ns.ACTION_ENUMERATE_RESPONSE, "<n:EnumerateResponse>MARK</n:EnumerateResponse>"
        )
        return Reply(200, body=body.encode().replace(b"MARK", b"\xff\xfe\xc3\x28"))

    with hostile(respond) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "not valid UTF-8")


def test_html_page(pwfile, baseline_kib):
    page = b"<html><head><title>Proxy login required</title></head><body>log in</body></html>"
    with hostile(lambda req: Reply(200, body=page, content_type="text/html"), ntlm=False) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "HTML page titled 'Proxy login required'")


def test_soap_11_envelope(pwfile, baseline_kib):
    soap11 = (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><x/></s:Body></s:Envelope>'
    )
    with hostile(lambda req: Reply(200, body=soap11, content_type="text/xml"), ntlm=False) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "SOAP 1.1")


def test_a_value_that_does_not_fit_its_type(pwfile, baseline_kib):
    item = wr.fragment_xml({"Caption": "Microsoft Windows Server 2022", "FreePhysicalMemory": "lots"})
    with hostile(lambda req: wr.enumerate_response(req, [item])) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "FreePhysicalMemory from the host is malformed: 'lots'")


def test_enumeration_that_never_ends(pwfile, baseline_kib):
    item = wr.fragment_xml({"Caption": "Microsoft Windows Server 2022 Datacenter", "Version": "10.0.20348"})
    contexts = itertools.count()

    def respond(req: Request) -> Reply:
        page = [item] * 512
        if req.action == ns.ACTION_ENUMERATE:
            return wr.enumerate_response(req, page, context=f"ctx-{next(contexts)}", end=False)
        if req.action == ns.ACTION_PULL:
            return wr.pull_response(req, page, context=f"ctx-{next(contexts)}")
        return wr.release_response(req)

    with hostile(respond) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "without ending: refused")
    assert server.actions()[-1] == ns.ACTION_RELEASE  # and the host was told to let it go


def test_redirect_is_not_followed_and_gets_no_credentials(pwfile, baseline_kib, listener):
    location = f"http://administrator:{PASSWORD}@127.0.0.1:{listener.port}/wsman"
    with hostile(
        lambda req: Reply(307, body=b"", content_type=None, headers=[("Location", location)])
    ) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "redirect", "not followed")
    assert listener.connections == 0
    assert PASSWORD not in result.err  # not even the one the Location carried


def test_reply_that_drips(pwfile, baseline_kib):
    def respond(req: Request) -> Reply:
        body = wr.enumerate_response(req, [wr.fragment_xml({"Caption": "x"})]).body
        return Reply(200, body=body, drip=(1, 1.5))  # a byte every 1.5 s: each read is in time

    with hostile(respond) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "total_timeout")
    assert result.seconds >= DEADLINE  # ended by the whole-exchange deadline, not sooner


def test_host_that_never_answers(pwfile, baseline_kib):
    with hostile(lambda req: Reply(never_answer=True)) as server:
        result = run_against(server, pwfile)
    assert_refused(result, baseline_kib, "read_timeout")
    assert result.seconds >= HOST_TIMEOUT * 2  # the read timeout, not a lucky early end
