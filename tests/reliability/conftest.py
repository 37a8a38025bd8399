"""Fixtures of the reliability suite: simulators with one VM per verb, hosts with short timeouts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support.tcp_relay import TcpRelay

from hvtui.hyperv.host import HyperVHost
from hvtui.sim import Simulator
from hvtui.uri import parse_uri
from tests.hyperv.test_host import _scenario

from .catalogue import scenario_vms

#: Short enough that a host that never answers costs a test about a second.
HOST_TIMEOUT = 0.5


@pytest.fixture
def verb_sim(make_sim: Callable[..., Simulator], tmp_path: Any) -> Simulator:
    """A host with one VM per verb in a state that verb may be asked from."""
    return make_sim(scenario=_scenario(scenario_vms(), tmp=tmp_path), time_scale=50.0)


@pytest.fixture
def relay() -> Iterator[Callable[[int], TcpRelay]]:
    """``relay(port)`` -> a started TcpRelay to that port, stopped after the test."""
    made: list[TcpRelay] = []

    def make(port: int) -> TcpRelay:
        r = TcpRelay(port).up()
        made.append(r)
        return r

    yield make
    for r in made:
        r.__exit__()


def through(relay: TcpRelay, uri: str, port: int) -> str:
    """The URI of a simulated host, pointed at the relay in front of it."""
    return uri.replace(f":{port}/", f":{relay.port}/")


def host_for(uri: str, password: str, **kwargs: Any) -> HyperVHost:
    return HyperVHost(parse_uri(uri), password, timeout=kwargs.pop("timeout", HOST_TIMEOUT), **kwargs)
