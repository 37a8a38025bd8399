"""The ``hvtui`` command line: the TUI by default, subcommands for scripts.

Exit codes are part of the interface: 0 success; 1 the operation failed or was refused;
2 usage error (a malformed URI among them, reported before any password is asked for);
3 connection or authentication failure. Every failure is one line on stderr, never a
traceback. Nothing on a non-TUI path imports Textual.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hvtui import __version__
from hvtui.config import MAX_REFRESH, MIN_REFRESH
from hvtui.hyperv.actions import Verb
from hvtui.uri import FORM, URIError, parse_uri

if TYPE_CHECKING:
    from hvtui.sim import SimOptions

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CONNECTION = 3

ACTION_VERBS = tuple(v.value for v in Verb)
DEFAULT_HOST_TIMEOUT = 30.0  # hvtui.hyperv.session.DEFAULT_TIMEOUT, not imported: keeps --help fast
SUBCOMMANDS = ("ls", "info", "vm", "login", "logout", *ACTION_VERBS)


class UsageError(Exception):
    """Bad command-line input; exits 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing a usage block and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _tui_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hvtui",
        description="Manage Microsoft Hyper-V hosts from a terminal, over WS-Management.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "commands for scripts (hvtui COMMAND --help for each):\n"
            "  ls URI...            list the VMs of one or more hosts (--json, --csv, --state)\n"
            "  info URI             host facts: release, libvirt's packed version, CPU, memory\n"
            "  vm URI VM            one VM in full, like virsh dominfo\n"
            "  start|shutdown|off|reset|reboot|pause|resume|save|discard-save URI VM...\n"
            "  login URI / logout URI   store or forget a host's password in the keyring\n"
            "  sim                  run the Hyper-V host simulator\n\n"
            f"hosts are libvirt URIs: {FORM}\n"
            "diagnostics: set HVTUI_LOG_FILE=path (and HVTUI_DEBUG=1 for detail); passwords are never logged"
        ),
    )
    parser.add_argument("uris", nargs="*", metavar="URI", help="hosts to show (default: the config file's)")
    parser.add_argument("--demo", action="store_true", help="run against three simulated hosts")
    parser.add_argument("--read-only", action="store_true", help="disable every action")
    parser.add_argument("--refresh", type=float, metavar="S", help="refresh interval in seconds")
    parser.add_argument("--theme", metavar="NAME", help="colour theme (e.g. ansi-dark for 16 colours)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="config file (default: per platform)")
    parser.add_argument(
        "--ca-file", metavar="F", help="trust the CA certificates in F for the hosts named here"
    )
    parser.add_argument("--version", action="version", version=f"hvtui {__version__}")
    return parser


def _add_password_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("password (never a flag value: argv is visible to others)")
    group.add_argument(
        "--password-file", type=Path, metavar="F", help="read the password from F's first line"
    )
    group.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    group.add_argument("--no-keyring", action="store_true", help="do not read or store the keyring")
    parser.add_argument("--ca-file", metavar="F", help="trust the CA certificates in F for HTTPS")
    parser.add_argument(
        "--host-timeout",
        type=_seconds,
        default=DEFAULT_HOST_TIMEOUT,
        metavar="S",
        help=f"give up on a request a host has not answered in S seconds (default {DEFAULT_HOST_TIMEOUT:g})",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.5 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{text} is not between 0.5 and 3600 seconds")
    return value


def _command_parser(command: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=f"hvtui {command}")
    if command == "ls":
        parser.description = "List every VM of the given hosts."
        parser.add_argument("uris", nargs="+", metavar="URI")
        fmt = parser.add_mutually_exclusive_group()
        fmt.add_argument("--json", action="store_true", help="one JSON array")
        fmt.add_argument("--csv", action="store_true", help="CSV with a header row")
        parser.add_argument("--state", metavar="S,S", help="only these states (running,off,saved,paused,...)")
    elif command == "info":
        parser.description = "Host facts, like virsh version, hostname, nodeinfo and freecell."
        parser.add_argument("uri", metavar="URI")
        parser.add_argument("--json", action="store_true")
    elif command == "vm":
        parser.description = "One VM in full, like virsh dominfo."
        parser.add_argument("uri", metavar="URI")
        parser.add_argument("vm", metavar="NAME|GUID|ID")
        parser.add_argument("--json", action="store_true")
    elif command in ("login", "logout"):
        parser.description = (
            "Check a password against the host and store it in the keyring."
            if command == "login"
            else "Forget a host's password from the keyring."
        )
        parser.add_argument("uri", metavar="URI")
    else:
        from hvtui.hyperv.actions import spec_for

        spec = spec_for(command)
        parser.description = f"{spec.title} VMs" + (f" ({spec.note})." if spec.note else ".")
        parser.add_argument("uri", metavar="URI")
        parser.add_argument("vms", nargs="+", metavar="NAME|GUID|ID")
        parser.add_argument("--wait", action="store_true", help="follow the job until it ends")
        parser.add_argument(
            "--timeout",
            type=float,
            default=300.0,
            metavar="S",
            help="with --wait: stop following after S seconds (default 300)",
        )
    if command != "logout":
        _add_password_options(parser)
    else:
        parser.add_argument("--ca-file", help=argparse.SUPPRESS)
    return parser


def configure_logging() -> None:
    """Log to the file named by ``HVTUI_LOG_FILE`` (debug detail with ``HVTUI_DEBUG=1``); else nowhere.

    A terminal UI cannot log to the terminal it draws on, and a script's stderr carries
    one-line errors only, so diagnostics go to a file the user chose, created private.
    """
    import logging

    path = os.environ.get("HVTUI_LOG_FILE")
    if not path:
        logging.getLogger("hvtui").addHandler(logging.NullHandler())
        return
    level = logging.DEBUG if os.environ.get("HVTUI_DEBUG") == "1" else logging.INFO
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        handler = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8"))
    except OSError as exc:
        print(f"hvtui: cannot open log file {path}: {exc.strerror or exc}; not logging", file=sys.stderr)
        return
    from hvtui.redaction import RedactingFormatter

    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("hvtui")
    root.setLevel(level)
    root.addHandler(handler)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    configure_logging()
    try:
        if args[:1] == ["sim"]:
            from hvtui.sim.cli import main as sim_main

            return sim_main(args[1:])
        if args[:1] and args[0] in SUBCOMMANDS:
            return _run_command(args[0], args[1:])
        return _run_tui(args)
    except UsageError as exc:
        print(f"{exc}\nRun 'hvtui --help' for usage.", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("hvtui: interrupted", file=sys.stderr)
        return 130


def _parse_or_exit(parser: argparse.ArgumentParser, args: list[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(args)
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)


def _run_command(command: str, args: list[str]) -> int:
    parsed = _parse_or_exit(_command_parser(command), args)
    if isinstance(parsed, int):
        return parsed
    # Every URI is checked before any password is asked for or any connection made.
    raw = parsed.uris if command == "ls" else [parsed.uri]
    try:
        uris = [parse_uri(text) for text in raw]
    except URIError as exc:
        raise UsageError(f"hvtui {command}: {exc}") from None
    ca_file = getattr(parsed, "ca_file", None)
    if ca_file and not os.path.isfile(ca_file):
        raise UsageError(f"hvtui {command}: --ca-file {ca_file}: no such file (give the host's CA, as PEM)")
    from hvtui.commands import run_command  # deferred: keeps 'hvtui --help' fast

    return run_command(command, parsed, uris)


def _run_tui(args: list[str]) -> int:
    parsed = _parse_or_exit(_tui_parser(), args)
    if isinstance(parsed, int):
        return parsed
    if parsed.refresh is not None and not MIN_REFRESH <= parsed.refresh <= MAX_REFRESH:
        raise UsageError(f"hvtui: --refresh must be between {MIN_REFRESH:g} and {MAX_REFRESH:g} seconds")
    if parsed.ca_file and not parsed.uris:
        raise UsageError(
            "hvtui: --ca-file applies to the URIs given with it; set ca_file in the config for others"
        )
    if parsed.demo and parsed.uris:
        raise UsageError("hvtui: --demo runs against simulated hosts only; drop the URIs or --demo")
    try:
        uris = [parse_uri(text) for text in parsed.uris]
    except URIError as exc:
        raise UsageError(f"hvtui: {exc}") from None
    from hvtui.ui.launch import HostSpec, TuiOptions

    options = TuiOptions(
        hosts=[HostSpec(uri, ca_file=parsed.ca_file) for uri in uris],
        from_config=not uris and not parsed.demo,
        persist=not parsed.demo,
        read_only=parsed.read_only,
        refresh=parsed.refresh,
        theme=parsed.theme,
        config_path=parsed.config,
    )
    if parsed.demo:
        return _run_demo(options)
    from hvtui.ui.app import run

    return run(options)


DEMO_NOTE = "demo: simulated hosts"


def demo_sim_options(password: str, seed: int = 7) -> SimOptions:
    """The demo's three simulated hosts, which the README's screenshots show too."""
    from hvtui.sim import SimOptions

    return SimOptions(hosts=3, vms="20-60", release="2019,2022,2012r2", seed=seed, password=password)


def _run_demo(options: object) -> int:
    """Start the simulator in this process and point the TUI at its three hosts."""
    import dataclasses
    import secrets

    from hvtui.sim import Simulator
    from hvtui.ui.app import run
    from hvtui.ui.launch import HostSpec

    password = secrets.token_urlsafe(18)
    sim_options = demo_sim_options(password, seed=int(os.environ.get("HVTUI_DEMO_SEED", "7")))
    with Simulator(sim_options) as sim:
        hosts = [HostSpec(parse_uri(host.uri), password=host.password) for host in sim.hosts]
        demo = dataclasses.replace(options, hosts=hosts, title_note=DEMO_NOTE)  # type: ignore[type-var]
        return run(demo)
