"""Parse speed: Msvm_ComputerSystem instances per second through hvtui.wsman's real parse path.

Parsing is on the refresh path of every host every 2 seconds, so it is measured here, on
one core, from the bytes of a PullResponse to CimInstance objects: ``open_envelope``
(safe XML parse, SOAP checks, RelatesTo) and ``read_page`` (items to instances) -- exactly
what ``WSManClient.enumerate`` runs on each page, without the network.

Instances carry all 45 properties of the class, rendered as WinRM renders them:
case-insensitive alphabetical order, ``xsi:nil`` for NULLs, ``cim:Datetime`` children,
repeated elements for arrays, the ``p`` prefix bound to the class URI on every item, pages
of about 76 KB as Windows sends them. Four figures:

* ``parse``: pages to instances, nothing read (values are typed lazily);
* ``refresh``: plus the nine properties a VM table shows, typed at once as the domain's
  session does with a reply (``typed()``: only what the schema declares, here those nine);
* ``full``: plus every property typed (``to_dict()`` with a full schema);
* ``libxml2``: libxml2 building the trees through the same safe parser, and nothing
  else: the floor under the other three.

And what a steady refresh really parses: GetSummaryInformation replies of 200 VMs each (about
380 KB, Msvm_SummaryInformation rendered by the simulator's own renderer with the 13
properties the refresh asks for and the other 29 nil, as Windows sends them):

* ``summary``: reply bytes to the typed values the VM model reads, through the session's
  own path (``open_envelope``, ``decode_outputs`` of what the schema declares, ``typed()``);
* ``summary libxml2``: libxml2 building those trees alone, its floor.

Run ``python -m benchmarks.parse_speed [--quick]``; ``run(quick)`` returns the figures as a
dict for the benchmark suite.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hvtui import namespaces as ns
from hvtui.hyperv.queries import SUMMARY_CODES, VSMS
from hvtui.hyperv.session import SUMMARY_OUTPUT
from hvtui.sim.management_service import SUMMARY_CODES as SIM_SUMMARY_NAMES
from hvtui.sim.render import ClassRenderer, render_instance
from hvtui.sim.schema import find_class
from hvtui.wsman.decode import decode_outputs
from hvtui.wsman.pages import read_page
from hvtui.wsman.replies import open_envelope
from hvtui.wsman.schema import ClassSchema
from hvtui.wsman.xmlparse import parse_xml

CLASS = "Msvm_ComputerSystem"
#: Windows filled PullResponses with about 76 KB of UTF-8.
PAGE_BYTES = 76 * 1024

#: The class as the simulator (and a 2022 host) has it: all 45 properties, typed.
CIM_CLASS = find_class(CLASS)
assert CIM_CLASS is not None
SCHEMA = ClassSchema(CLASS, {p.name: p.cim_type + ("[]" if p.array else "") for p in CIM_CLASS.props})
#: What a VM table row reads on every refresh.
REFRESH_READS = (
    "Name",
    "ElementName",
    "EnabledState",
    "HealthState",
    "OperationalStatus",
    "OnTimeInMilliseconds",
    "ProcessID",
    "TimeOfLastStateChange",
    "EnhancedSessionModeState",
)
#: The schema a session would declare for those reads.
REFRESH_SCHEMA = ClassSchema(CLASS, {name: SCHEMA[name] for name in REFRESH_READS})


def vm_properties(index: int) -> dict[str, Any]:
    """Realistic values for one VM, NULLs where a 2022 host leaves them NULL."""
    guid = str(uuid.UUID(int=(index * 0x9E3779B97F4A7C15) & ((1 << 128) - 1), version=4)).upper()
    running = index % 3 != 0
    created = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=index * 7, microseconds=index * 1931)
    changed = created + timedelta(days=30, seconds=index * 13, microseconds=500000)
    return {
        "AvailableRequestedStates": None,
        "Caption": "Virtual Machine",
        "CommunicationStatus": "2",
        "CreationClassName": CLASS,
        "Dedicated": None,
        "Description": "Microsoft Virtual Machine",
        "DetailedStatus": None,
        "ElementName": f"app-{index:05d}.corp.example",
        "EnabledDefault": "2",
        "EnabledState": "2" if running else "3",
        "EnhancedSessionModeState": "2" if running else "3",
        "FailedOverReplicationType": "0",
        "HealthState": "5",
        "IdentifyingDescriptions": None,
        "InstallDate": created,
        "InstanceID": f"Microsoft:{guid}",
        "LastApplicationConsistentReplicationTime": None,
        "LastReplicationTime": None,
        "LastReplicationType": "0",
        "LastSuccessfulBackupTime": None,
        "Name": guid,
        "NameFormat": None,
        "NumberOfNumaNodes": "1",
        "OnTimeInMilliseconds": str(index * 7_919_113 if running else 0),
        "OperatingStatus": None,
        "OperationalStatus": ["2", "32768"] if index % 17 == 0 else ["2"],
        "OtherDedicatedDescriptions": None,
        "OtherEnabledState": None,
        "OtherIdentifyingInfo": None,
        "PowerManagementCapabilities": None,
        "PrimaryOwnerContact": None,
        "PrimaryOwnerName": "HV-LAB01\\Administrator",
        "PrimaryStatus": None,
        "ProcessID": str(4000 + index) if running else None,
        "ReplicationHealth": "0",
        "ReplicationMode": "0",
        "ReplicationState": "0",
        "RequestedState": "12",
        "ResetCapability": "1",
        "Roles": None,
        "Status": None,
        "StatusDescriptions": ["Operating normally"],
        "TimeOfLastConfigurationChange": changed,
        "TimeOfLastStateChange": changed,
        "TransitioningToState": "5",
    }


def render_page(items: list[str], relates_to: str, last: bool) -> bytes:
    context = "" if last else f"<n:EnumerationContext>uuid:{str(uuid.uuid4()).upper()}</n:EnumerationContext>"
    end = "<n:EndOfSequence/>" if last else ""
    return (
        f'<s:Envelope xml:lang="en-US" xmlns:s="{ns.SOAP}" xmlns:a="{ns.ADDRESSING}" '
        f'xmlns:n="{ns.ENUMERATION}" xmlns:w="{ns.WSMAN}"><s:Header>'
        f"<a:Action>{ns.ACTION_PULL_RESPONSE}</a:Action>"
        f"<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID><a:To>{ns.ANONYMOUS}</a:To>"
        f"<a:RelatesTo>{relates_to}</a:RelatesTo></s:Header><s:Body><n:PullResponse>{context}"
        f"<n:Items>{''.join(items)}</n:Items>{end}</n:PullResponse></s:Body></s:Envelope>"
    ).encode()


def build_pages(count: int) -> tuple[list[tuple[bytes, str]], int]:
    """``count`` instances in pages of about 76 KB: [(page bytes, its RelatesTo)], instance size."""
    pages: list[tuple[bytes, str]] = []
    current: list[str] = []
    size = 0
    item_size = 0
    for index in range(count):
        item = render_instance(CIM_CLASS, vm_properties(index))  # as WinRM renders it
        item_size = len(item.encode())
        if current and size + item_size > PAGE_BYTES:
            relates = f"uuid:{str(uuid.uuid4()).upper()}"
            pages.append((render_page(current, relates, False), relates))
            current, size = [], 0
        current.append(item)
        size += item_size
    relates = f"uuid:{str(uuid.uuid4()).upper()}"
    pages.append((render_page(current, relates, True), relates))
    return pages, item_size


def parse(pages: list[tuple[bytes, str]], schema: ClassSchema = SCHEMA) -> list[Any]:
    instances: list[Any] = []
    for data, relates in pages:
        reply = open_envelope(data, host="bench", http_status=200, message_id=relates)
        items, _context, _end = read_page(reply, "PullResponse", schema)
        instances.extend(items)
    return instances


def _refresh(pages: list[tuple[bytes, str]]) -> None:
    for instance in parse(pages, REFRESH_SCHEMA):
        instance.properties.typed()


def _full(pages: list[tuple[bytes, str]]) -> None:
    for instance in parse(pages):
        instance.to_dict()


def _libxml2(pages: list[tuple[bytes, str]]) -> None:
    """The floor under every mode: libxml2 building the trees, with the same safe parser."""
    for data, _relates in pages:
        parse_xml(data, host="bench")


MODES = {"parse": parse, "refresh": _refresh, "full": _full, "libxml2": _libxml2}

#: VMs in one GetSummaryInformation reply: a steady refresh of a 200-VM host asks for all at once.
SUMMARY_BATCH = 200
SUMMARY_CLASS = find_class("Msvm_SummaryInformation")
SUMMARY_TYPE = "p:Msvm_SummaryInformation_Type"
assert SUMMARY_CLASS is not None
#: The properties a refresh asks for, by name, as the simulator (and Windows) picks them.
SUMMARY_ASKED = frozenset(SIM_SUMMARY_NAMES[code] for code in SUMMARY_CODES if code in SIM_SUMMARY_NAMES)


def summary_properties(index: int) -> dict[str, Any]:
    """One VM's summary as a steady refresh asks for it: running two in three, the rest off."""
    guid = str(uuid.UUID(int=(index * 0x9E3779B97F4A7C15) & ((1 << 128) - 1), version=4)).upper()
    running = index % 3 != 0
    values: dict[str, Any] = {
        "Name": guid,
        "ElementName": f"app-{index:05d}",
        "NumberOfProcessors": 2 + index % 7,
        "EnabledState": 2 if running else 3,
        "ProcessorLoad": index * 37 % 100 if running else 0,
        "MemoryUsage": 1024 * (1 + index % 8) if running else 0,
        "Heartbeat": 2 if running else 12,
        "UpTime": index * 7_919_113 if running else 0,
        "GuestOperatingSystem": "Windows Server 2022 Standard" if running else None,
        "HealthState": 5,
        "MemoryAvailable": index % 60 if running else None,
        "AvailableMemoryBuffer": index % 80 if running else None,
        "AsynchronousTasks": None,
    }
    return {name: value for name, value in values.items() if name in SUMMARY_ASKED}


def build_summary_replies(count: int, per_reply: int = SUMMARY_BATCH) -> list[tuple[bytes, str]]:
    """``count`` VMs' summaries in GetSummaryInformation replies of ``per_reply``: [(bytes, RelatesTo)]."""
    assert SUMMARY_CLASS is not None
    renderer = ClassRenderer(SUMMARY_CLASS)
    replies: list[tuple[bytes, str]] = []
    for start in range(0, count, per_reply):
        items = "".join(
            renderer.render_named(summary_properties(i), "SummaryInformation", SUMMARY_TYPE)
            for i in range(start, min(count, start + per_reply))
        )
        relates = f"uuid:{str(uuid.uuid4()).upper()}"
        data = (
            f'<s:Envelope xml:lang="en-US" xmlns:s="{ns.SOAP}" xmlns:a="{ns.ADDRESSING}" '
            f'xmlns:w="{ns.WSMAN}"><s:Header><a:Action>{VSMS}/GetSummaryInformationResponse</a:Action>'
            f"<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID><a:To>{ns.ANONYMOUS}</a:To>"
            f"<a:RelatesTo>{relates}</a:RelatesTo></s:Header><s:Body>"
            f'<p:GetSummaryInformation_OUTPUT xmlns:p="{VSMS}">{items}<p:ReturnValue>0</p:ReturnValue>'
            "</p:GetSummaryInformation_OUTPUT></s:Body></s:Envelope>"
        ).encode()
        replies.append((data, relates))
    return replies


def summaries(replies: list[tuple[bytes, str]]) -> list[Any]:
    """What a steady refresh does with each reply once its bytes are in: the session's own path."""
    rows: list[Any] = []
    for data, relates in replies:
        reply = open_envelope(data, host="bench", http_status=200, message_id=relates)
        assert reply.payload is not None
        outputs = decode_outputs(reply.payload, "GetSummaryInformation", SUMMARY_OUTPUT, declared_only=True)
        rows += [item.properties.typed() for item in outputs["SummaryInformation"]]
    return rows


SUMMARY_MODES = {"summary": summaries, "summary libxml2": _libxml2}


def libxml2_seconds_per_summary(per_reply: int = SUMMARY_BATCH, repeats: int = 15) -> float:
    """libxml2's own time per VM for a reply of ``per_reply`` summaries (best of ``repeats``)."""
    replies = build_summary_replies(per_reply, per_reply)
    return 1 / _measure(_libxml2, replies, per_reply, repeats)["max"]


def _measure(function: Any, pages: list[tuple[bytes, str]], count: int, repeats: int) -> dict[str, float]:
    rates = []
    function(pages)  # warm the tag cache and the allocator
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        function(pages)
        rates.append(count / (time.perf_counter() - started))
    return {"median": statistics.median(rates), "min": min(rates), "max": max(rates), "values": rates}


def run(quick: bool = False) -> dict[str, Any]:
    """Instances per second for each mode: {"parse": {"median", "min", "max", "values"}, ...}."""
    count = 500 if quick else 2000
    repeats = 5 if quick else 15
    pages, item_size = build_pages(count)
    sample = parse(pages[:1])[0]
    if sample["EnabledState"] not in (2, 3) or len(sample.properties) != 45:
        raise RuntimeError("the benchmark's instances do not parse as expected")
    results: dict[str, Any] = {
        "instances": count,
        "pages": len(pages),
        "instance_bytes": item_size,
        "repeats": repeats,
    }
    for mode, function in MODES.items():
        results[mode] = _measure(function, pages, count, repeats)
    replies = build_summary_replies(count)
    rows = summaries(replies[:1])
    if len(rows) != min(count, SUMMARY_BATCH) or rows[1]["EnabledState"] != 2:
        raise RuntimeError("the benchmark's summaries do not read as expected")
    results["summary_bytes"] = len(replies[0][0]) // min(count, SUMMARY_BATCH)
    for mode, function in SUMMARY_MODES.items():
        results[mode] = _measure(function, replies, count, repeats)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer instances and repeats")
    args = parser.parse_args()
    results = run(args.quick)
    print(
        f"Msvm_ComputerSystem, 45 properties ({results['instance_bytes']} bytes each), "
        f"{results['instances']} instances in {results['pages']} pages, {results['repeats']} runs"
    )
    for mode in MODES:
        _print(mode, results[mode])
    print(
        f"Msvm_SummaryInformation in GetSummaryInformation replies of {SUMMARY_BATCH} "
        f"({results['summary_bytes']} bytes each)"
    )
    for mode in SUMMARY_MODES:
        _print(mode, results[mode])


def _print(mode: str, figures: dict[str, Any]) -> None:
    print(
        f"  {mode:15} median {figures['median']:>9,.0f}/s   min {figures['min']:>9,.0f}/s   "
        f"max {figures['max']:>9,.0f}/s   ({1e6 / figures['median']:.1f} µs each)"
    )


if __name__ == "__main__":
    main()
