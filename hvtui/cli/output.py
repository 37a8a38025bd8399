"""How a subcommand writes: one-line errors on stderr, label/value rows and JSON on stdout."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from hvtui.hyperv.errors import AmbiguousName, HyperVError, Problem
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.models import HostSnapshot
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


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def print_rows(rows: Sequence[tuple[str, str]]) -> None:
    """Label/value rows with the values aligned; a value's further lines are indented under it."""
    width = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        lines = str(value).splitlines() or [""]
        print(f"{label + ':':<{width}}{lines[0]}")
        for line in lines[1:]:
            print(" " * width + line)
