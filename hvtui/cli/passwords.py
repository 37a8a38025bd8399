"""Where the CLI gets a host's password, in this order: a file or stdin, the keyring, the config's
password_command, or a prompt naming the host.

There is deliberately no flag that takes the password itself: argv is visible to every
local user (``ps``) and stays in shell history. With Kerberos, the user's ticket (``kinit``)
is the credential: no password is looked up unless a file or stdin gives one.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hvtui.hyperv.tickets import principal, uses_ticket
from hvtui.password_command import PasswordCommandError, run_password_command
from hvtui.password_file import PasswordFileError, read_password_file
from hvtui.secrets import CredentialStore
from hvtui.uri import ConnectionURI


class PasswordUnavailable(Exception):
    """No password could be had; the message says how to give one."""


@dataclass
class PasswordSource:
    """The user's choice on the command line; resolved once per host."""

    file: Path | None = None
    stdin: bool = False
    use_keyring: bool = True
    command_for: Callable[[ConnectionURI], str | None] | None = None  # the config's password_command
    interactive: bool | None = None  # None: prompt when stdin is a terminal
    _stdin_value: str | None = field(default=None, repr=False)  # the password itself: never shown

    def resolve(
        self, uri: ConnectionURI, store: CredentialStore | None, *, ticket_ok: bool = True
    ) -> tuple[str | None, str]:
        """(password, where it came from); (None, "ticket") for the user's Kerberos ticket.

        Raises PasswordUnavailable. ``ticket_ok=False`` when a password itself is wanted (login).
        """
        if self.file is not None:
            try:
                return read_password_file(self.file), "file"
            except PasswordFileError as exc:
                raise PasswordUnavailable(str(exc)) from None
        if self.stdin:
            if self._stdin_value is None:
                line = sys.stdin.readline()
                if not line:
                    raise PasswordUnavailable("--password-stdin was given but standard input is empty")
                self._stdin_value = line.rstrip("\r\n")
            return self._stdin_value, "stdin"
        if ticket_ok and uses_ticket(uri):
            return None, "ticket"
        if self.use_keyring and store is not None:
            stored = store.get(uri.canonical)
            if stored is not None:
                return stored, "keyring"
        template = self.command_for(uri) if self.command_for is not None else None
        if template is not None:
            try:
                return run_password_command(template, uri), "command"
            except PasswordCommandError as exc:
                raise PasswordUnavailable(str(exc)) from None
        interactive = sys.stdin.isatty() if self.interactive is None else self.interactive
        if interactive:
            try:
                # libvirt's challenge is the host name; show the user too so the right one is typed.
                value = getpass.getpass(f"Password for {uri.user} on {uri.display_host}: ")
            except (EOFError, KeyboardInterrupt):
                raise PasswordUnavailable("no password entered") from None
            return value, "prompt"
        if not self.use_keyring or store is None:
            hint = "use"
        elif store.keyring_available:
            hint = "store one with 'hvtui login URI', or use"
        elif store.failure:
            hint = f"the system keyring failed ({store.failure}); use"
        else:
            hint = "there is no system keyring here; use"
        kinit = f"run 'kinit {principal(uri)}', or " if ticket_ok and uri.auth == "kerberos" else ""
        raise PasswordUnavailable(
            f"no password for {uri.user} on {uri.display_host}: {kinit}{hint} --password-file FILE or "
            "--password-stdin, or set a password_command in the config"
        )
