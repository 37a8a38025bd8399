"""The command names: hvtui's subcommands, virsh's verbs for the same commands, and the answer to
any other word.

One table of aliases, so that every command added later brings its virsh name along (the
first word an administrator used to virsh types). A first word that is neither a command nor
a URI is an unknown command, answered with the closest names, rather than a bad URI.
"""

from __future__ import annotations

import difflib
import re

from hvtui.cli.exits import UsageError
from hvtui.hyperv.actions import Verb

ACTION_VERBS = tuple(v.value for v in Verb)
CHANGE_COMMANDS = ("create", "define", "delete", "set", "media", "disk", "nic")
CONSOLE_COMMANDS = ("screenshot", "send-key")
# domifaddr, net-list and dumpxml are virsh's own spellings: commands, not aliases.
INSIDE_COMMANDS = ("domifaddr", "net-list", "dumpxml")
READ_COMMANDS = ("ls", "info", "vm", *INSIDE_COMMANDS)
SUBCOMMANDS = (*READ_COMMANDS, "login", "logout", *CONSOLE_COMMANDS, *ACTION_VERBS, *CHANGE_COMMANDS)

#: virsh's verb -> hvtui's command that does the same. Where virsh and hvtui share a name
#: (start, shutdown, reset, reboot, resume) there is nothing to alias.
ALIASES: dict[str, str] = {
    "list": "ls",
    "dominfo": "vm",
    "nodeinfo": "info",
    "destroy": "off",
    "suspend": "pause",
    "managedsave": "save",
    "managedsave-remove": "discard-save",
    "undefine": "delete",
    "setmem": "set",
    "setvcpus": "set",
    "autostart": "set",
    "change-media": "media",
    "attach-disk": "disk",
    "detach-disk": "disk",
    "attach-interface": "nic",
    "detach-interface": "nic",
}

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")  # what a command looks like; a URI or host never does


def command_for(word: str) -> str | None:
    """The subcommand ``word`` names (itself or through an alias), or None."""
    if word in SUBCOMMANDS:
        return word
    return ALIASES.get(word)


def looks_like_a_command(word: str) -> bool:
    """A bare word (``list``, ``stop``): a URI has ``://``, a host name a dot, an option a dash."""
    return _WORD.fullmatch(word) is not None


def unknown_command(word: str) -> UsageError:
    """The one-line answer to a word that names no command: the closest names, or all of them."""
    names = [*SUBCOMMANDS, "sim", *ALIASES]
    close = difflib.get_close_matches(word, names, n=2, cutoff=0.7)  # 0.6 offers far-fetched names
    if close:
        choices = " or ".join(
            f"'{name}'" + (f" ({ALIASES[name]})" if name in ALIASES else "") for name in close
        )
        return UsageError(f"hvtui: unknown command '{word}'; did you mean {choices}?")
    return UsageError(
        f"hvtui: unknown command '{word}'; the commands are {', '.join((*SUBCOMMANDS, 'sim'))} "
        "(a host to open is a URI: hyperv://HOST/)"
    )


def aliases_help(width: int = 92) -> str:
    """ "virsh's names work too: list (ls), dominfo (vm), …", wrapped between entries for ``--help``."""
    entries = [f"{alias} ({command})" for alias, command in ALIASES.items()]
    lines = ["  virsh's names work too:"]
    for entry in entries:
        if len(lines[-1]) + len(entry) + 2 > width:
            lines[-1] += ","
            lines.append("    " + entry)
        else:
            lines[-1] += (" " if lines[-1].endswith(":") else ", ") + entry
    return "\n".join(lines)
