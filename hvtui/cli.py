"""The ``hvtui`` command line.

Subcommands are registered here as they exist; the terminal UI is the default when no
subcommand is named. Nothing on a non-TUI path imports Textual.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from hvtui import __version__

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CONNECTION = 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hvtui",
        description="Manage Microsoft Hyper-V hosts from a terminal, over WS-Management.",
        epilog="Hosts are named by libvirt URIs: hyperv://[user@]host[:port]/[?transport=http|https]",
    )
    parser.add_argument("--version", action="version", version=f"hvtui {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["sim"]:
        from hvtui.sim.cli import main as sim_main

        return sim_main(args[1:])
    parser = build_parser()
    try:
        parser.parse_args(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    parser.print_help()
    return EXIT_OK
