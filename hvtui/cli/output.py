"""How a subcommand writes: one-line errors on stderr, label/value rows and JSON on stdout."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from hvtui.cli.exits import exit_code_for
from hvtui.hyperv.errors import AmbiguousName, HyperVError, Problem
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.models import VM, HostSnapshot
from hvtui.hyperv.vm_lookup import find_in
from hvtui.present.vm import ambiguous_name


def err(command: str, message: str) -> None:
    """One line on stderr, however many lines the message had."""
    print(f"hvtui {command}: {' '.join(message.split())}", file=sys.stderr)


def host_err(command: str, host: HyperVHost, error: HyperVError) -> None:
    """One line naming the host, unless the message already does."""
    message = str(error)
    name = host.uri.display_host
    if error.problem is Problem.TLS:
        # The protocol layer names the settings; say how to give them on this command line.
        message += "; here: --ca-file FILE with the host's CA certificate, or add no_verify=1 to the URI"
    err(command, message if name in message else f"{name}: {message}")


def ambiguous_err(
    command: str, host: HyperVHost, snapshot: HostSnapshot, ref: str, error: AmbiguousName
) -> None:
    """A name several VMs share: each one's state, host and GUID, to pick the right one by."""
    candidates = [snapshot.by_guid[guid] for guid in error.guids if guid in snapshot.by_guid]
    err(command, ambiguous_name(ref.strip(), candidates, host.uri.display_host))


async def resolve_vm(command: str, host: HyperVHost, ref: str) -> tuple[VM, HostSnapshot] | int:
    """The VM ``ref`` names (GUID, name or ID) and the snapshot it was found in; or, once the
    failure was said on stderr, the exit code."""
    try:
        snapshot = await host.snapshot()
    except HyperVError as exc:
        host_err(command, host, exc)
        return exit_code_for(exc)
    try:
        return find_in(snapshot, ref), snapshot
    except AmbiguousName as exc:
        ambiguous_err(command, host, snapshot, ref, exc)
        return exit_code_for(exc)
    except HyperVError as exc:
        host_err(command, host, exc)
        return exit_code_for(exc)


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def print_rows(rows: Sequence[tuple[str, str]], indent: str = "", width: int | None = None) -> None:
    """Label/value rows with the values aligned; a value's further lines are indented under it."""
    width = width or max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        lines = str(value).splitlines() or [""]
        print(f"{indent}{label + ':':<{width}}{lines[0]}")
        for line in lines[1:]:
            print(indent + " " * width + line)


def print_sections(sections: Sequence[tuple[str, Sequence[tuple[str, str]]]], width: int) -> None:
    """Titled sections after a VM's rows: a blank line, the title, its rows indented by two,
    their values aligned with those above (``width``) where the labels allow."""
    for title, rows in sections:
        print(f"\n{title}")
        widest = max((len(label) for label, _ in rows), default=0) + 2
        print_rows(rows, "  ", max(width - 2, widest))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain table as virsh prints one: a space before each column, a rule under the header."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = " " + "   ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line.rstrip())
    print("-" * max(len(line), 40))
    for row in rows:
        print((" " + "   ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))).rstrip())
