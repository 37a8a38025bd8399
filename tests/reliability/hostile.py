"""Hostile hosts for the CLI and TUI tests: what each sends, and what the user must be told.

Each host is a :class:`~support.scripted_server.ScriptedServer` that logs the client in with
NTLM and seals its replies, as a compromised Windows host would, so the hostile content
goes through the client's whole default path -- or, for what is not WinRM at all (a proxy's
HTML page, another SOAP service), an unauthenticated server reached with Basic over HTTP.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from support import wsman_replies as wr
from support.scripted_server import AuthPolicy, Reply, Request, ScriptedServer

from hvtui import namespaces as ns

PASSWORD = "Hostile-Host-Pw1"
Responder = Callable[[Request], Reply]


def hostile(respond: Responder, *, ntlm: bool = True) -> ScriptedServer:
    auth = AuthPolicy(users={"administrator": PASSWORD}) if ntlm else None
    return ScriptedServer(handler=respond, auth=auth)


def uri_of(server: ScriptedServer) -> str:
    query = "transport=http" if server.auth is not None else "transport=http&auth=basic"
    return f"hyperv://administrator@127.0.0.1:{server.port}/?{query}"


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


async def _chunks(total: int) -> AsyncIterator[bytes]:
    block = b"<x>" + b"A" * (256 * 1024) + b"</x>\n"
    sent = 0
    while sent < total:
        yield block
        sent += len(block)


def huge_body(*, declared: bool, total: int = 200 * 1024 * 1024) -> Reply:
    return Reply(200, stream_body=lambda: _chunks(total), declared_length=total if declared else None)


def deep_nesting(req: Request) -> Reply:
    deep = "<a>" * 100_000 + "</a>" * 100_000
    return Reply(200, body=wr.envelope(req, ns.ACTION_ENUMERATE_RESPONSE, deep))


def invalid_utf8(req: Request) -> Reply:
    payload = "<n:EnumerateResponse>MARK</n:EnumerateResponse>"
    body = wr.envelope(req, ns.ACTION_ENUMERATE_RESPONSE, payload)
    return Reply(200, body=body.encode().replace(b"MARK", b"\xff\xfe\xc3\x28"))


HTML_PAGE = Reply(
    200,
    body=b"<html><head><title>Proxy login required</title></head><body>log in</body></html>",
    content_type="text/html",
)
SOAP_11 = Reply(
    200,
    body='<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><x/></s:Body></s:Envelope>',
    content_type="text/xml",
)


def ill_typed(req: Request) -> Reply:
    item = wr.fragment_xml({"Caption": "Microsoft Windows Server 2022", "FreePhysicalMemory": "lots"})
    return wr.enumerate_response(req, [item])


class EndlessEnumeration:
    """Every Enumerate and Pull answered with a full page and a new context; never the end."""

    def __init__(self) -> None:
        self.item = wr.fragment_xml({"Caption": "Microsoft Windows Server 2022", "Version": "10.0.20348"})
        self.contexts = itertools.count()

    def __call__(self, req: Request) -> Reply:
        page = [self.item] * 512
        if req.action == ns.ACTION_ENUMERATE:
            return wr.enumerate_response(req, page, context=f"ctx-{next(self.contexts)}", end=False)
        if req.action == ns.ACTION_PULL:
            return wr.pull_response(req, page, context=f"ctx-{next(self.contexts)}")
        return wr.release_response(req)


def redirect_to(url: str) -> Reply:
    return Reply(307, body=b"", content_type=None, headers=[("Location", url)])


def dripping(req: Request) -> Reply:
    body = wr.enumerate_response(req, [wr.fragment_xml({"Caption": "x"})]).body
    return Reply(200, body=body, drip=(1, 1.5))  # a byte every 1.5 s: each read is in time


NEVER = Reply(never_answer=True)


@dataclass(frozen=True)
class HostileCase:
    name: str
    respond: Responder
    words: str  # what the error must say
    ntlm: bool = True


def all_cases(tmp_path: Path, listener_port: int) -> list[HostileCase]:
    """Every hostile host at once (for the TUI, which shows them side by side)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-FILE-CONTENT")
    elsewhere = f"http://127.0.0.1:{listener_port}"
    cases = [
        ("entity expansion", lambda req: Reply(200, body=BILLION_LAUGHS), "DOCTYPE", True),
        ("file entity", lambda req: Reply(200, body=external_entity(secret.as_uri())), "DOCTYPE", True),
        ("http entity", lambda req: Reply(200, body=external_entity(f"{elsewhere}/x")), "DOCTYPE", True),
        ("200 MB body", lambda req: huge_body(declared=False), "max_reply_bytes", True),
        ("deep nesting", deep_nesting, "nested deeper", True),
        ("invalid UTF-8", invalid_utf8, "not valid UTF-8", True),
        ("HTML page", lambda req: HTML_PAGE, "HTML page titled 'Proxy login required'", False),
        ("SOAP 1.1", lambda req: SOAP_11, "SOAP 1.1", False),
        ("ill-typed value", ill_typed, "is malformed", True),
        ("endless enumeration", EndlessEnumeration(), "returned more than 1 operating system", True),
        ("redirect", lambda req: redirect_to(f"{elsewhere}/wsman"), "not followed", True),
        ("drip", dripping, "within 1s", True),
        ("never answers", lambda req: NEVER, "within 1s", True),
    ]
    return [HostileCase(*case) for case in cases]
