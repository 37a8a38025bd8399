"""Fixtures of the reliability suite: simulators with one VM per verb, hosts with short timeouts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support.scripted_server import Reply, ScriptedServer
from support.tcp_relay import TcpRelay

from hvtui.hyperv.host import HyperVHost
from hvtui.sim import Simulator
from hvtui.uri import parse_uri
from tests.conftest import SIM_PASSWORD
from tests.support.scenarios import write_scenario

from .catalogue import Fault, scenario_vms

#: Short enough that a host that never answers costs a test about a second.
HOST_TIMEOUT = 0.5


@pytest.fixture
def verb_sim(make_sim: Callable[..., Simulator], tmp_path: Any) -> Simulator:
    """A host with one VM per verb in a state that verb may be asked from."""
    return make_sim(scenario=write_scenario(scenario_vms(), tmp=tmp_path), time_scale=50.0)


@pytest.fixture
def listener() -> Iterator[ScriptedServer]:
    """Somewhere a hostile reply may point (an entity's URL, a redirect): it must see nothing."""
    with ScriptedServer(handler=lambda req: Reply(200, body=b"<x>SECRET-FROM-ELSEWHERE</x>")) as s:
        yield s


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


class Harness:
    """A simulated host, optionally behind a relay, and the fault a test puts on it."""

    def __init__(self, sim: Any, relay_factory: Any) -> None:
        self.h = sim.hosts[0]
        self.relay = relay_factory(self.h.port)
        self.uri = through(self.relay, self.h.uri, self.h.port)
        self.port = self.relay.port

    def host(self) -> HyperVHost:
        return host_for(self.uri, SIM_PASSWORD)

    def inject(self, fault: Fault, op: str = "*") -> None:
        if fault.name == "connection-refused":
            self.relay.down()
        elif fault.name == "password-changed":
            self.h.set_password("Changed-" + SIM_PASSWORD)
        elif fault.name == "host-restart":
            self.h.restart()
        else:
            assert fault.rule is not None
            self.h.faults.add(fault.rule if "op=" in fault.rule else f"{fault.rule}:op={op}")

    def clear(self) -> None:
        self.h.faults.clear()
        self.h.set_password(SIM_PASSWORD)
        self.relay.up()


@pytest.fixture
def harness(verb_sim, relay) -> Harness:
    return Harness(verb_sim, relay)
