"""The grammar of the commands that change VMs: create, define, delete, set, media, disk, nic.

Values are checked here (a size, a MIN-MAX range, a generation), so a typo is a one-line usage
error before any password is asked for or any request sent.
"""

from __future__ import annotations

import argparse
import re

_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


def mib_range(text: str) -> tuple[int, int]:
    """``512-8192`` → (512, 8192): a dynamic memory range in MiB."""
    found = _RANGE.match(text)
    if not found or int(found.group(1)) > int(found.group(2)):
        raise argparse.ArgumentTypeError(f"{text!r} is not a range MIN-MAX in MiB, such as 512-8192")
    return int(found.group(1)), int(found.group(2))


def dynamic_or_off(text: str) -> tuple[int, int] | bool:
    return False if text.strip().lower() == "off" else mib_range(text)


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0")
    return int(text)


def _vm(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("uri", metavar="URI")
    parser.add_argument("vm", metavar="NAME|GUID|ID")


def add_change_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    if command == "create":
        parser.description = "Create a VM (off unless --start), with a new disk or an existing one."
        parser.add_argument("uri", metavar="URI")
        parser.add_argument("name", metavar="NAME")
        parser.add_argument("--generation", type=int, choices=(1, 2), default=2)
        parser.add_argument("--vcpus", type=positive, default=1, metavar="N")
        parser.add_argument("--memory", type=positive, default=1024, metavar="MIB")
        parser.add_argument("--dynamic-memory", type=mib_range, metavar="MIN-MAX")
        disk = parser.add_mutually_exclusive_group()
        disk.add_argument("--disk", type=positive, metavar="SIZE_GIB", help="a new dynamic VHDX of this size")
        disk.add_argument("--vhd", metavar="PATH", help="an existing disk file on the host")
        parser.add_argument("--switch", metavar="NAME", help="a network adapter on this switch")
        parser.add_argument("--iso", metavar="PATH", help="an ISO in a DVD drive")
        parser.add_argument("--secure-boot", choices=("on", "off"))
        parser.add_argument("--start", action="store_true", help="start it once created")
    elif command == "define":
        parser.description = "Create a VM from a libvirt domain XML file (what virsh define takes)."
        parser.add_argument("uri", metavar="URI")
        parser.add_argument("file", metavar="FILE.xml")
    elif command == "delete":
        parser.description = "Delete a VM that is off or saved; asks first on a terminal unless --yes."
        _vm(parser)
        parser.add_argument("--delete-disks", action="store_true", help="delete its disk files too")
        parser.add_argument("--yes", action="store_true", help="do not ask")
    elif command == "set":
        parser.description = "Change a VM's settings; what its state does not allow is said, not sent."
        _vm(parser)
        parser.add_argument("--vcpus", type=positive, metavar="N")
        parser.add_argument("--memory", type=positive, metavar="MIB")
        parser.add_argument("--dynamic-memory", type=dynamic_or_off, metavar="MIN-MAX|off")
        parser.add_argument("--autostart", choices=("none", "restart", "start"))
        parser.add_argument("--notes", metavar="TEXT")
        parser.add_argument("--name", metavar="NEW")
    elif command == "media":
        parser.description = "Insert an ISO into a VM's DVD drive (insert PATH), or eject it (eject)."
        _vm(parser)
        _verbs(parser, "media")
    elif command == "disk":
        parser.description = "Add a disk (a new one of SIZE_GIB, or a file on the host) or remove one."
        _vm(parser)
        _verbs(parser, "disk")
    elif command == "nic":
        parser.description = "Add, remove, connect or disconnect a VM's network adapters."
        _vm(parser)
        _verbs(parser, "nic")
        parser.add_argument("--switch", metavar="S", help="with add: connect the new adapter to S")


# Each verb and the operands it takes (options may come anywhere, so these are not subparsers).
VERBS: dict[str, dict[str, tuple[str, ...]]] = {
    "media": {"insert": ("PATH",), "eject": ()},
    "disk": {"add": ("SIZE_GIB|PATH",), "remove": ("TARGET",)},
    "nic": {"add": (), "remove": ("MAC",), "connect": ("MAC", "SWITCH"), "disconnect": ("MAC",)},
}


def _verbs(parser: argparse.ArgumentParser, command: str) -> None:
    verbs = VERBS[command]
    parser.add_argument(
        "verb",
        choices=tuple(verbs),
        metavar=" | ".join(" ".join((verb, *operands)) for verb, operands in verbs.items()),
    )
    parser.add_argument("operands", nargs="*", help=argparse.SUPPRESS)


def check_operands(parser: argparse.ArgumentParser, parsed: argparse.Namespace) -> None:
    """The right number of operands for the verb, or a usage error naming what it takes."""
    wanted = VERBS[parsed.command][parsed.verb]
    if len(parsed.operands) != len(wanted):
        form = " ".join((parsed.verb, *wanted))
        parser.error(
            f"{parsed.verb} takes {len(wanted) or 'no'} operand{'s' if len(wanted) != 1 else ''}: {form}"
        )
