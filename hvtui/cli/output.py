"""How a subcommand writes: one-line errors on stderr, label/value rows and JSON on stdout."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from hvtui.hyperv.errors import HyperVError, Problem
from hvtui.hyperv.host import HyperVHost


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
