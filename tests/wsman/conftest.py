"""Fixtures of the WS-Man client suite: scripted servers (HTTP and HTTPS) and clients for them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import trustme
from support.scripted_server import AuthPolicy, ScriptedServer, tls_context

from hvtui.wsman import ClientOptions, Credentials, WSManClient

USER = "administrator"
PASSWORD = "Sc7ipted-Pa55!"

#: Options for talking to an unauthenticated scripted server: Basic, preemptive, one round trip.
PLAIN = {"auth": "basic", "allow_basic_over_http": True}


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    """A plain-HTTP scripted server that demands no authentication."""
    async with ScriptedServer() as s:
        yield s


@pytest.fixture
async def tls_server(ca: trustme.CA) -> AsyncIterator[ScriptedServer]:
    async with ScriptedServer(ssl_context=tls_context(ca)) as s:
        yield s


@pytest.fixture
async def make_server(ca: trustme.CA) -> AsyncIterator[Callable[..., Any]]:
    """``await make_server(tls=True, auth=AuthPolicy(...))`` -> a started server, stopped after the test."""
    started: list[ScriptedServer] = []

    async def make(*, tls: bool = False, auth: AuthPolicy | None = None, **kw: Any) -> ScriptedServer:
        s = ScriptedServer(ssl_context=tls_context(ca) if tls else None, auth=auth, **kw)
        await s.start()
        started.append(s)
        return s

    yield make
    for s in started:
        await s.stop()


@pytest.fixture
async def clients() -> AsyncIterator[Callable[..., WSManClient]]:
    """``clients(server, **options)`` -> a WSManClient for ``server``, closed after the test."""
    made: list[WSManClient] = []

    def make(target: Any, password: str = PASSWORD, user: str = USER, **options: Any) -> WSManClient:
        url = target if isinstance(target, str) else target.url
        opts = {
            "connect_timeout": 5,
            "read_timeout": 10,
            "operation_timeout": 5,
            "total_timeout": 15,
            **options,
        }
        client = WSManClient(url, Credentials(user, password), ClientOptions(**opts))
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()
