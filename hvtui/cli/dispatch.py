"""Running one subcommand: its password, its hosts, then the subcommand itself.

Each subcommand talks to hosts only through :class:`~hvtui.hyperv.host.HyperVHost`, and
turns every failure into one line on stderr and an exit code.
"""

from __future__ import annotations

import argparse
import asyncio

from hvtui.cli.exits import EXIT_CONNECTION, EXIT_INTERRUPTED, exit_code_for
from hvtui.cli.hostinfo import info
from hvtui.cli.listing import ls, parse_states
from hvtui.cli.login import login, logout
from hvtui.cli.output import err
from hvtui.cli.passwords import PasswordSource, PasswordUnavailable
from hvtui.cli.power import act
from hvtui.cli.vminfo import vm
from hvtui.config import configured_pins
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.states import VMState
from hvtui.secrets import CredentialStore
from hvtui.uri import ConnectionURI


def run_command(command: str, parsed: argparse.Namespace, uris: list[ConnectionURI]) -> int:
    states = parse_states(parsed.state) if command == "ls" and parsed.state else None
    source = PasswordSource(
        file=getattr(parsed, "password_file", None),
        stdin=getattr(parsed, "password_stdin", False),
        use_keyring=not getattr(parsed, "no_keyring", False),
    )
    if command == "logout":
        return logout(uris[0])
    store = CredentialStore(use_keyring=source.use_keyring)
    try:
        passwords = [source.resolve(uri, store) for uri in uris]
    except PasswordUnavailable as exc:
        err(command, str(exc))
        return EXIT_CONNECTION
    pins = configured_pins()  # a certificate trusted in the TUI is trusted here too
    try:
        hosts = [
            HyperVHost(uri, pw, ca_file=parsed.ca_file, tls_pin=pins.get(uri), timeout=parsed.host_timeout)
            for uri, (pw, _) in zip(uris, passwords, strict=True)
        ]
    except HyperVError as exc:  # options that cannot work, such as an unusable --ca-file
        err(command, str(exc))
        return exit_code_for(exc)
    try:
        return asyncio.run(_dispatch(command, parsed, hosts, states, store, passwords))
    except KeyboardInterrupt:
        err(command, "interrupted; any action already sent is not undone")
        return EXIT_INTERRUPTED


async def _dispatch(
    command: str,
    parsed: argparse.Namespace,
    hosts: list[HyperVHost],
    states: set[VMState] | None,
    store: CredentialStore,
    passwords: list[tuple[str, str]],
) -> int:
    try:
        if command == "ls":
            return await ls(hosts, parsed, states)
        host = hosts[0]
        if command == "info":
            return await info(host, parsed)
        if command == "vm":
            return await vm(host, parsed)
        if command == "login":
            return await login(host, store, passwords[0][0])
        return await act(host, command, parsed)
    finally:
        await asyncio.gather(*(h.aclose() for h in hosts), return_exceptions=True)
