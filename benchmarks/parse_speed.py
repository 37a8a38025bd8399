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
from hvtui.sim.render import render_instance
from hvtui.sim.schema import find_class
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
        figures = results[mode]
        print(
            f"  {mode:8} median {figures['median']:>9,.0f}/s   min {figures['min']:>9,.0f}/s   "
            f"max {figures['max']:>9,.0f}/s"
        )


if __name__ == "__main__":
    main()
