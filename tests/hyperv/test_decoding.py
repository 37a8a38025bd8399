"""Values are typed as each reply arrives, in the session: the domain gets finished values.

A relay between HyperVHost and the simulator edits one kind of reply. A value that does not
fit its type fails the read that brought it, as a domain error that names the property and
keeps the protocol error as its ``cause``; a value nobody reads is not typed, so it cannot
fail anything; embedded instances arrive as typed mappings too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from lxml import etree
from support.scripted_server import Reply, ScriptedServer

from hvtui import namespaces as ns
from hvtui.hyperv.actions import Verb
from hvtui.hyperv.errors import HostProtocolError, Problem
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.session import Session
from hvtui.uri import parse_uri
from hvtui.wsman import ProtocolError

Edit = Callable[[etree._Element], None]
V2 = ns.VIRTUALIZATION_V2


def properties_named(root: etree._Element, name: str) -> list[etree._Element]:
    return [el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == name]


@asynccontextmanager
async def relayed(sim_host, action_suffix: str, edit: Edit) -> AsyncIterator[HyperVHost]:
    """A HyperVHost whose replies to requests whose SOAP action ends in ``action_suffix`` are edited."""
    async with httpx.AsyncClient(timeout=10) as upstream:

        async def relay(req) -> Reply:
            headers = {k: v for k, v in req.headers if k.lower() in ("authorization", "content-type")}
            answer = await upstream.post(sim_host.endpoint, content=req.raw_body, headers=headers)
            body = answer.content
            if answer.status_code == 200 and (req.action or "").endswith(action_suffix):
                root = etree.fromstring(body)
                edit(root)
                body = etree.tostring(root)
            return Reply(answer.status_code, body=body, content_type=answer.headers.get("content-type"))

        async with ScriptedServer(handler=relay) as proxy:
            uri = parse_uri(f"hyperv://administrator@127.0.0.1:{proxy.port}/?transport=http&auth=basic")
            async with HyperVHost(uri, sim_host.password, timeout=5) as host:
                yield host


@pytest.fixture
def plain_host(make_sim):
    return make_sim(vms=3, seed=1, allow_unencrypted=True).hosts[0]


def test_the_session_has_no_decoding_step_left():
    assert not hasattr(Session, "decoding")


async def test_a_malformed_value_fails_the_read_that_brought_it(plain_host):
    def bad_state(root: etree._Element) -> None:
        properties_named(root, "EnabledState")[0].text = "abc"

    async with relayed(plain_host, "GetSummaryInformation", bad_state) as host:
        with pytest.raises(HostProtocolError) as caught:
            await host.snapshot()
    error = caught.value
    assert error.problem is Problem.PROTOCOL
    assert "reading the VM summary" in str(error)
    assert "EnabledState" in str(error)
    assert "\n" not in str(error)
    assert isinstance(error.cause, ProtocolError)


async def test_a_malformed_value_nobody_reads_is_left_alone(plain_host):
    # The fresh read of a VM before an action is a Get of every property; only EnabledState is read.
    def bad_unread(root: etree._Element) -> None:
        for name in ("OperationalStatus", "HealthState", "InstallDate"):
            for el in properties_named(root, name):
                (el[0] if len(el) else el).text = "abc"  # a date-time's text is in its cim:Datetime

    async with relayed(plain_host, "transfer/Get", bad_unread) as host:
        snapshot = await host.snapshot()
        vm = snapshot.vms[0]
        action = await host.request(vm, Verb.TURN_OFF if vm.power.is_active else Verb.START)
        outcome = await action.wait(timeout=30)
    assert outcome.ok, outcome.message


@pytest.mark.parametrize("form", ["nested", "cim-xml"])
async def test_a_task_the_host_runs_arrives_typed(plain_host, form):
    def with_task(root: etree._Element) -> None:
        summary = properties_named(root, "SummaryInformation")[0]
        prefix = f"{{{etree.QName(summary[0]).namespace}}}"
        task = etree.SubElement(summary, f"{prefix}AsynchronousTasks")
        if form == "nested":
            for name, value in (("Caption", "Backing up"), ("JobState", "4"), ("PercentComplete", "40")):
                etree.SubElement(task, f"{{{V2}/Msvm_ConcreteJob}}{name}").text = value
        else:
            task.text = (
                '<INSTANCE CLASSNAME="Msvm_ConcreteJob">'
                '<PROPERTY NAME="Caption" TYPE="string"><VALUE>Backing up</VALUE></PROPERTY>'
                '<PROPERTY NAME="JobState" TYPE="uint16"><VALUE>4</VALUE></PROPERTY>'
                '<PROPERTY NAME="PercentComplete" TYPE="uint16"><VALUE>40</VALUE></PROPERTY>'
                "</INSTANCE>"
            )

    async with relayed(plain_host, "GetSummaryInformation", with_task) as host:
        snapshot = await host.snapshot()
    assert [vm.host_job for vm in snapshot.vms].count("Backing up 40%") == 1
