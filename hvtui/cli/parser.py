"""The command line's grammar: the TUI's options and each subcommand's.

Kept light (argparse and a few leaves) so that ``hvtui --help`` answers at once.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import NoReturn

from hvtui import __version__
from hvtui.cli.change_grammar import add_change_arguments, check_operands
from hvtui.cli.commands import CHANGE_COMMANDS, aliases_help
from hvtui.cli.exits import UsageError
from hvtui.hyperv.actions import spec_for
from hvtui.uri import FORM

DEFAULT_HOST_TIMEOUT = 30.0  # hvtui.hyperv.session.DEFAULT_TIMEOUT, not imported: keeps --help fast
GRAPHICS = ("auto", "kitty", "sixel", "iterm", "blocks")  # hvtui.ui.graphics.detect.MODES


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing a usage block and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def parse(parser: argparse.ArgumentParser, args: list[str]) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code once ``--help`` or ``--version`` has answered."""
    try:
        parsed = parser.parse_args(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    if getattr(parsed, "operands", None) is not None:
        check_operands(parser, parsed)
    return parsed


def tui_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hvtui",
        description="Manage Microsoft Hyper-V hosts from a terminal, over WS-Management.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "commands for scripts (hvtui COMMAND --help for each):\n"
            "  ls [URI...]          list the VMs of hosts, the config's by default (--json, --csv, --state)\n"
            "  info URI             host facts: release, libvirt's packed version, CPU, memory\n"
            "  vm URI VM            one VM in full, like virsh dominfo, with its devices, network, guest\n"
            "  domifaddr URI VM     the VM's interfaces and the addresses its guest reports\n"
            "  net-list URI         the host's virtual switches and the VMs on each\n"
            "  dumpxml URI VM       the VM as libvirt domain XML\n"
            "  start|shutdown|off|reset|reboot|pause|resume|save|discard-save URI VM...\n"
            "  checkpoint list|create|apply|delete|rename URI VM ...   a VM's checkpoints\n"
            "  screenshot URI VM [FILE]   the VM's screen as a PNG (--size WxH; - for stdout)\n"
            "  send-key URI VM KEY...     keys to the VM (KEY_LEFTCTRL ..., --text, --ctrl-alt-del)\n"
            "  login URI / logout URI   store or forget a host's password in the keyring\n"
            "  create URI NAME / define URI FILE.xml / delete URI VM   make or remove a VM\n"
            "  set URI VM           vCPUs, memory, dynamic memory, autostart, notes, name\n"
            "  media|disk|nic URI VM ...   insert or eject an ISO; add or remove disks and NICs\n"
            "  sim                  run the Hyper-V host simulator\n"
            f"{aliases_help()}\n\n"
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
        "--graphics",
        choices=GRAPHICS,
        default="auto",
        help="how the console view draws a VM's screen: pixels (kitty, sixel, iterm) or half blocks; "
        "auto asks the terminal",
    )
    parser.add_argument(
        "--ca-file", metavar="F", help="trust the CA certificates in F for the hosts named here"
    )
    parser.add_argument(
        "--password-file",
        type=Path,
        metavar="F",
        help="the password, as F's first line, of the hosts named here (else of the config's)",
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


def _wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", action="store_true", help="follow the job until it ends")
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="S",
        help="with --wait: stop following after S seconds (default 300)",
    )


def _checkpoint_parsers(parser: argparse.ArgumentParser) -> None:
    """``checkpoint list|create|apply|delete|rename``: each takes the URI and the VM first."""
    parser.description = "A VM's checkpoints: the tree, and creating, applying, deleting, renaming them."
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    helps = {
        "list": "the tree with Now, for people; --json for scripts",
        "create": 'a checkpoint of the VM as it is now (NAME: Hyper-V\'s "VM - (date - time)" if left out)',
        "apply": "go back to a checkpoint: the VM's current state is lost (turn it off or save it first)",
        "delete": "delete a checkpoint (its children move up), or with --subtree everything below it too",
        "rename": "give a checkpoint a new name",
    }
    for action, text in helps.items():
        sub = actions.add_parser(action, help=text, description=text[:1].upper() + text[1:] + ".")
        sub.add_argument("uri", metavar="URI")
        sub.add_argument("vm", metavar="VM")
        if action == "list":
            sub.add_argument("--json", action="store_true", help="one JSON array")
        elif action == "create":
            sub.add_argument("name", nargs="?", metavar="NAME")
        else:
            sub.add_argument("name", metavar="CHECKPOINT", help="its name or ID")
        if action == "rename":
            sub.add_argument("new", metavar="NEW")
        if action == "delete":
            sub.add_argument(
                "--subtree", "--children", action="store_true", help="and every checkpoint below it"
            )
        if action in ("create", "apply", "delete"):
            _wait_options(sub)
        _add_password_options(sub)


_SIZE = re.compile(r"\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*")


def parse_size(text: str) -> tuple[int, int]:
    """``640x480`` -> (640, 480)."""
    match = _SIZE.fullmatch(text)
    if not match or not all(int(n) > 0 for n in match.groups()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a size such as 640x480")
    return int(match.group(1)), int(match.group(2))


def _milliseconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of milliseconds") from None
    if not 0 <= value <= 60_000:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 60000 milliseconds")
    return value


def _console_grammar(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument("uri", metavar="URI")
    parser.add_argument("vm", metavar="NAME|GUID|ID")
    if command == "screenshot":
        parser.description = "Save a VM's screen as a PNG (virsh screenshot, in PNG)."
        parser.add_argument("file", nargs="?", metavar="FILE", help="default: VM.png; - writes to stdout")
        parser.add_argument("--size", type=parse_size, metavar="WxH", help="default: the screen's resolution")
        return
    parser.description = "Send keys to a VM's keyboard (virsh send-key), type text, or Ctrl+Alt+Del."
    parser.add_argument("keys", nargs="*", metavar="KEY", help="KEY_A, KEY_LEFTCTRL ... or keycodes")
    parser.add_argument("--codeset", choices=("linux", "win32"), default="linux", help="what numbers are")
    parser.add_argument(
        "--hold",
        "--holdtime",
        type=_milliseconds,
        default=0,
        metavar="MS",
        help="hold the keys down MS milliseconds",
    )
    parser.add_argument("--text", metavar="TEXT", help="type TEXT")
    parser.add_argument("--ctrl-alt-del", action="store_true", help="press Ctrl+Alt+Del")


def command_parser(command: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=f"hvtui {command}")
    if command == "ls":
        parser.description = "List every VM of the given hosts (default: the config file's)."
        parser.add_argument("uris", nargs="*", metavar="URI")
        fmt = parser.add_mutually_exclusive_group()
        fmt.add_argument("--json", action="store_true", help="one JSON array")
        fmt.add_argument("--csv", action="store_true", help="CSV with a header row")
        parser.add_argument("--state", metavar="S,S", help="only these states (running,off,saved,paused,...)")
        parser.add_argument(
            "--guid", action="store_true", help="add a GUID column to the table (JSON and CSV always have it)"
        )
        parser.add_argument(
            "--ips", action="store_true", help="add an IP column: the addresses the guests report"
        )
    elif command == "info":
        parser.description = "Host facts, like virsh version, hostname, nodeinfo and freecell."
        parser.add_argument("uri", metavar="URI")
        parser.add_argument("--json", action="store_true")
    elif command == "vm":
        parser.description = "One VM in full, like virsh dominfo."
        parser.add_argument("uri", metavar="URI")
        parser.add_argument("vm", metavar="NAME|GUID|ID")
        parser.add_argument("--json", action="store_true")
    elif command == "checkpoint":
        _checkpoint_parsers(parser)
        return parser
    elif command in ("screenshot", "send-key"):
        _console_grammar(parser, command)
    elif command in ("domifaddr", "dumpxml"):
        parser.description = (
            "The VM's network interfaces and the addresses its guest reports, like virsh domifaddr."
            if command == "domifaddr"
            else "The VM as libvirt domain XML, as libvirt's Hyper-V driver writes it (virsh dumpxml)."
        )
        parser.add_argument("uri", metavar="URI")
        parser.add_argument("vm", metavar="NAME|GUID|ID")
        if command == "domifaddr":
            parser.add_argument("--json", action="store_true")
    elif command == "net-list":
        parser.description = "The host's virtual switches: name, type, GUID and the VMs connected."
        parser.add_argument("uri", metavar="URI")
        parser.add_argument("--json", action="store_true")
    elif command in ("login", "logout"):
        parser.description = (
            "Check a password against the host and store it in the keyring."
            if command == "login"
            else "Forget a host's password from the keyring."
        )
        parser.add_argument("uri", metavar="URI")
    elif command in CHANGE_COMMANDS:
        add_change_arguments(parser, command)
        parser.set_defaults(command=command)
    else:
        spec = spec_for(command)
        parser.description = f"{spec.title} VMs" + (f" ({spec.note})." if spec.note else ".")
        parser.add_argument("uri", metavar="URI")
        parser.add_argument("vms", nargs="+", metavar="NAME|GUID|ID")
        _wait_options(parser)
    if command != "logout":
        _add_password_options(parser)
        parser.add_argument(
            "--config", type=Path, metavar="FILE", help="config file (default: per platform, or HVTUI_CONFIG)"
        )
    else:
        parser.add_argument("--ca-file", help=argparse.SUPPRESS)
    return parser
