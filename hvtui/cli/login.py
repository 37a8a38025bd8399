"""``hvtui login`` and ``hvtui logout``: a host's password into the keyring, or out of it."""

from __future__ import annotations

from hvtui.cli.exits import EXIT_FAILED, EXIT_OK, exit_code_for
from hvtui.cli.output import err, host_err
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.secrets import CredentialStore
from hvtui.uri import ConnectionURI


async def login(host: HyperVHost, store: CredentialStore, password: str) -> int:
    """Store the password only once the host has accepted it."""
    try:
        facts = await host.connect()
    except HyperVError as exc:
        host_err("login", host, exc)
        return exit_code_for(exc)
    warning = store.remember(host.key, password, persist=True)
    if warning:
        err("login", f"the password works for {facts.hostname}, but was not stored: {warning}")
        return EXIT_FAILED
    print(f"password for {host.uri.user} on {host.uri.display_host} stored in the keyring")
    return EXIT_OK


def logout(uri: ConnectionURI) -> int:
    store = CredentialStore()
    warning = store.forget(uri.canonical)
    if warning:
        err("logout", warning)
        return EXIT_FAILED
    print(f"password for {uri.user} on {uri.display_host} forgotten")
    return EXIT_OK
