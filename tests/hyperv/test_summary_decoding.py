"""A summary read for what the refresh types only (``invoke(..., declared_only=True)``) gives
what the full decode gives, on the simulator's own GetSummaryInformation replies.

A relay between the client and the simulator serves each reply as the simulator sent it, or
edited; the client reads it over the socket with ``declared_only``, and the bytes it was
served are decoded again the general way (every property, then ``typed()``). The two must
agree value for value -- nil values, a missing property, one spelled in other case, repeated,
in another namespace, an embedded task -- and fail alike on hostile input. The one
difference is meant: a property no one reads is not decoded, so it cannot fail the read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from lxml import etree
from support.scripted_server import Reply, ScriptedServer

from hvtui import namespaces as ns
from hvtui.hyperv import queries
from hvtui.hyperv.session import SCHEMAS
from hvtui.hyperv.session import SUMMARY_OUTPUT as OUTPUT
from hvtui.wsman import ClientOptions, Credentials, LimitError, WSManClient, WSManError
from hvtui.wsman.decode import decode_outputs
from hvtui.wsman.replies import open_envelope

Edit = Callable[[etree._Element], None]
V2 = ns.VIRTUALIZATION_V2
VSMS = f"{V2}/Msvm_VirtualSystemManagementService"
JOB_NS = f"{V2}/Msvm_ConcreteJob"
NIL = f"{{{ns.XSI}}}nil"


def summaries_of(root: etree._Element) -> list[etree._Element]:
    return [
        el
        for el in root.iter()
        if isinstance(el.tag, str) and etree.QName(el).localname == "SummaryInformation"
    ]


def prop(summary: etree._Element, name: str) -> etree._Element:
    return next(el for el in summary if isinstance(el.tag, str) and etree.QName(el).localname == name)


def as_sent(root: etree._Element) -> None:
    """No edit: the simulator's reply as it came."""


@asynccontextmanager
async def relayed(
    sim_host: Any, edit: Edit, **options: Any
) -> AsyncIterator[tuple[WSManClient, list[bytes]]]:
    """A client whose GetSummaryInformation replies come from the simulator through ``edit``,
    and the bytes it was served."""
    served: list[bytes] = []
    async with httpx.AsyncClient(timeout=10) as upstream:

        async def relay(req: Any) -> Reply:
            headers = {k: v for k, v in req.headers if k.lower() in ("authorization", "content-type")}
            answer = await upstream.post(sim_host.endpoint, content=req.raw_body, headers=headers)
            body = answer.content
            if answer.status_code == 200 and (req.action or "").endswith("GetSummaryInformation"):
                root = etree.fromstring(body)
                edit(root)
                body = etree.tostring(root)
                served.append(body)
            return Reply(answer.status_code, body=body, content_type=answer.headers.get("content-type"))

        async with ScriptedServer(handler=relay) as proxy:
            opts = ClientOptions(auth="basic", allow_basic_over_http=True, total_timeout=10, **options)
            credentials = Credentials(sim_host.user, sim_host.password)
            async with WSManClient(f"http://127.0.0.1:{proxy.port}/wsman", credentials, opts) as client:
                yield client, served


SELECTORS = {"CreationClassName": "Msvm_VirtualSystemManagementService"}
REQUESTED = [("RequestedInformation", list(queries.SUMMARY_CODES))]


def typed_rows(outputs: Any) -> list[Any]:
    return [item.properties.typed() for item in outputs["SummaryInformation"]]


async def read_both(sim_host: Any, edit: Edit) -> tuple[Any, Any]:
    """What the client reads with declared_only over the socket, and what the full decode
    makes of the same bytes: each the typed summaries, or the error as (type, message)."""
    async with relayed(sim_host, edit) as (client, served):
        try:
            result = await client.invoke(
                VSMS, "GetSummaryInformation", SELECTORS, REQUESTED, schema=OUTPUT, declared_only=True
            )
            assert result.return_value == 0
            selected: Any = typed_rows(result.outputs)
        except WSManError as exc:
            selected = (type(exc).__name__, str(exc))
    reply = open_envelope(served[-1], host=None, http_status=200, message_id=None)
    assert reply.payload is not None
    try:
        general: Any = typed_rows(decode_outputs(reply.payload, "GetSummaryInformation", OUTPUT))
    except WSManError as exc:
        general = (type(exc).__name__, str(exc))
    return selected, general


async def test_the_simulators_replies_read_the_same_with_their_nil_values(sim_host):
    selected, general = await read_both(sim_host, as_sent)
    assert selected == general
    assert len(selected) == 20
    assert set(selected[0]) == set(SCHEMAS["Msvm_SummaryInformation"])  # every declared property
    assert all(row["AsynchronousTasks"] is None and row["Version"] is None for row in selected)  # nil
    assert all(isinstance(row["EnabledState"], int) and row["Name"] for row in selected)


def missing(root: etree._Element) -> None:
    first = summaries_of(root)[0]
    first.remove(prop(first, "Heartbeat"))


def other_case(root: etree._Element) -> None:
    element = prop(summaries_of(root)[0], "EnabledState")
    element.tag = element.tag.replace("EnabledState", "enabledstate")


def repeated(root: etree._Element) -> None:
    element = prop(summaries_of(root)[0], "ProcessorLoad")
    element.addnext(etree.fromstring(etree.tostring(element)))


def nil_forms(root: etree._Element) -> None:
    first, second, third = summaries_of(root)[:3]
    prop(first, "GuestOperatingSystem").set(NIL, "1")
    prop(second, "Version").set(NIL, " true ")
    with_text = prop(third, "ElementName")
    with_text.set(NIL, "true")  # text and nil at once: the text wins, as everywhere


def empty_texts(root: etree._Element) -> None:
    element = prop(summaries_of(root)[0], "ElementName")
    element.text = None


def other_namespace(root: etree._Element) -> None:
    element = prop(summaries_of(root)[0], "MemoryUsage")
    element.tag = "{urn:elsewhere}MemoryUsage"


def comments(root: etree._Element) -> None:
    first = summaries_of(root)[0]
    prop(first, "Name").addprevious(etree.Comment("a comment"))
    prop(first, "UpTime").addnext(etree.ProcessingInstruction("pi", "x"))


def task(root: etree._Element) -> None:
    first = summaries_of(root)[0]
    tasks = prop(first, "AsynchronousTasks")
    del tasks.attrib[NIL]
    values = (("Caption", "Backing up"), ("JobState", "4"), ("PercentComplete", "40"), ("Junk", "x"))
    for name, value in values:
        etree.SubElement(tasks, f"{{{JOB_NS}}}{name}").text = value


@pytest.mark.parametrize(
    "edit", [missing, other_case, repeated, nil_forms, empty_texts, other_namespace, comments, task]
)
async def test_an_edited_reply_reads_the_same(sim_host, edit):
    selected, general = await read_both(sim_host, edit)
    assert selected == general
    first = selected[0]
    if edit is missing:
        assert "Heartbeat" not in first
    elif edit is other_case:
        assert isinstance(first["EnabledState"], int)  # found case-insensitively, as typed() does
    elif edit is repeated:
        assert isinstance(first["ProcessorLoad"], list) and len(first["ProcessorLoad"]) == 2
    elif edit is other_namespace:
        assert isinstance(first["MemoryUsage"], int)  # matched by local name, whatever the namespace
    elif edit is task:
        assert first["AsynchronousTasks"] == [{"Caption": "Backing up", "JobState": 4, "PercentComplete": 40}]


def malformed(root: etree._Element) -> None:
    prop(summaries_of(root)[1], "EnabledState").text = "abc"


def nested_too_deep(root: etree._Element, name: str) -> None:
    element = prop(summaries_of(root)[0], name)
    element.attrib.pop(NIL, None)
    element.text = None
    for depth in range(12):
        element = etree.SubElement(element, f"{{urn:deep}}Level{depth}")
    element.text = "x"


async def test_a_malformed_value_fails_both_ways_alike(sim_host):
    selected, general = await read_both(sim_host, malformed)
    assert selected == general
    assert selected[0] == "ProtocolError" and "Msvm_SummaryInformation.EnabledState" in selected[1]


async def test_embedded_objects_nested_too_deep_in_a_declared_property_are_refused_alike(sim_host):
    # ElementName is read: what it holds is decoded, as anything in a read property is.
    selected, general = await read_both(sim_host, lambda root: nested_too_deep(root, "ElementName"))
    assert selected == general
    assert selected[0] == "LimitError" and "nested more than" in selected[1]


async def test_a_property_no_one_reads_is_not_decoded_so_it_cannot_fail_the_read(sim_host):
    # Notes is not declared: the refresh never reads it. The full decode refuses the reply.
    selected, general = await read_both(sim_host, lambda root: nested_too_deep(root, "Notes"))
    assert general[0] == "LimitError"
    assert len(selected) == 20 and "Notes" not in selected[0]


async def test_an_oversized_reply_is_refused_before_any_decoding(sim_host):
    def oversized(root: etree._Element) -> None:
        prop(summaries_of(root)[0], "Notes").text = "x" * 2_100_000

    limits = {"max_envelope_size": 512_000, "max_reply_bytes": 2_048_000}
    async with relayed(sim_host, oversized, **limits) as (client, _):
        with pytest.raises(LimitError, match="max_reply_bytes"):
            await client.invoke(
                VSMS, "GetSummaryInformation", SELECTORS, REQUESTED, schema=OUTPUT, declared_only=True
            )
