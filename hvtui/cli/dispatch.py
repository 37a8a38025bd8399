"""Running one subcommand: its password, its hosts, then the subcommand itself.

Each subcommand talks to hosts only through :class:`~hvtui.hyperv.host.HyperVHost`, and
turns every failure into one line on stderr and an exit code.
"""

from __future__ import annotations

import argparse
import asyncio

from hvtui.cli.exits import EXIT_CONNECTION, EXIT_INTERRUPTED, exit_code_for
from hvtui.cli.output import err
from hvtui.cli.passwords import PasswordSource, PasswordUnavailable
from hvtui.cli.settings import ConfigReader
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.states import VMState
from hvtui.secrets import CredentialStore
from hvtui.uri import ConnectionURI


def run_command(
    command: str,
    parsed: argparse.Namespace,
    targets: list[tuple[ConnectionURI, str | None]],
    settings: ConfigReader,
) -> int:
    """``targets``: each host with the CA file its HTTPS is checked with."""
    uris = [uri for uri, _ in targets]
    states = None
    if command == "ls" and parsed.state:
        from hvtui.cli.listing import parse_states

        states = parse_states(parsed.state)
    keys: list[int] = []
    envelope = {}
    if command in ("screenshot", "send-key"):
        from hvtui.cli.console import check_screenshot, check_send_key
        from hvtui.hyperv.console import reply_bytes

        if command == "screenshot":
            check_screenshot(parsed)
        keys = check_send_key(parsed) if command == "send-key" else []
        if getattr(parsed, "size", None):
            # A screenshot's reply grows with its size: let the client take what it asks for.
            envelope = {"max_envelope_size": max(512000, reply_bytes(*parsed.size))}
    source = PasswordSource(
        file=getattr(parsed, "password_file", None),
        stdin=getattr(parsed, "password_stdin", False),
        use_keyring=not getattr(parsed, "no_keyring", False),
        command_for=settings.password_command_for,
    )
    if command == "logout":
        from hvtui.cli.login import logout

        return logout(uris[0])
    store = CredentialStore(use_keyring=source.use_keyring)
    try:
        # login stores a password, so it wants one even where a Kerberos ticket would do.
        passwords = [source.resolve(uri, store, ticket_ok=command != "login") for uri in uris]
    except PasswordUnavailable as exc:
        err(command, str(exc))
        return EXIT_CONNECTION

    def pin_for(uri: ConnectionURI) -> str | None:
        # A certificate trusted (pinned) in the TUI is trusted here too; HTTP hosts read no file.
        return settings.config.tls_pin_for(uri) if uri.transport == "https" else None

    try:
        hosts = [
            HyperVHost(
                uri, pw, ca_file=ca_file, tls_pin=pin_for(uri), timeout=parsed.host_timeout, **envelope
            )
            for (uri, ca_file), (pw, _) in zip(targets, passwords, strict=True)
        ]
    except HyperVError as exc:  # options that cannot work, such as an unusable --ca-file
        err(command, str(exc))
        return exit_code_for(exc)
    try:
        return asyncio.run(_dispatch(command, parsed, hosts, states, store, passwords, keys))
    except KeyboardInterrupt:
        err(command, "interrupted; any action already sent is not undone")
        return EXIT_INTERRUPTED


async def _dispatch(
    command: str,
    parsed: argparse.Namespace,
    hosts: list[HyperVHost],
    states: set[VMState] | None,
    store: CredentialStore,
    passwords: list[tuple[str | None, str]],
    keys: list[int],
) -> int:
    # Each command's module is imported when it runs: 'hvtui ls' does not load the console's,
    # the lifecycle's or the settings' code (imports are most of a short command's time).
    try:
        if command == "ls":
            from hvtui.cli.listing import ls

            return await ls(hosts, parsed, states)
        host = hosts[0]
        if command == "info":
            from hvtui.cli.hostinfo import info

            return await info(host, parsed)
        if command == "vm":
            from hvtui.cli.vminfo import vm

            return await vm(host, parsed)
        if command == "screenshot":
            from hvtui.cli.console import screenshot

            return await screenshot(host, parsed)
        if command == "send-key":
            from hvtui.cli.console import send_key

            return await send_key(host, parsed, keys)
        if command in ("create", "define", "delete"):
            from hvtui.cli.lifecycle import create, delete

            return await (
                delete(host, command, parsed) if command == "delete" else create(host, command, parsed)
            )
        if command == "set":
            from hvtui.cli.vm_settings import set_settings

            return await set_settings(host, command, parsed)
        if command in ("media", "disk", "nic"):
            from hvtui.cli.media import change_devices

            return await change_devices(host, command, parsed)
        if command in ("domifaddr", "net-list"):
            from hvtui.cli.network import domifaddr, net_list

            return await (domifaddr(host, parsed) if command == "domifaddr" else net_list(host, parsed))
        if command == "dumpxml":
            from hvtui.cli.domxml import dumpxml

            return await dumpxml(host, parsed)
        if command == "login":
            from hvtui.cli.login import login

            return await login(host, store, passwords[0][0] or "")
        if command == "checkpoint":
            from hvtui.cli.checkpoints import checkpoint

            return await checkpoint(host, parsed)
        from hvtui.cli.power import act

        return await act(host, command, parsed)
    finally:
        await asyncio.gather(*(h.aclose() for h in hosts), return_exceptions=True)
