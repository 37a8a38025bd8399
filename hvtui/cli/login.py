"""``hvtui login`` and ``hvtui logout``: a host's password into the keyring, or out of it.

A command's memory ends with it, so neither speaks of passwords "kept for this session":
each says what happened to the keyring entry, and without a keyring, what to use instead.
"""

from __future__ import annotations

from hvtui.cli.exits import EXIT_FAILED, EXIT_OK, exit_code_for
from hvtui.cli.output import err, host_err
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.secrets import CredentialStore
from hvtui.uri import ConnectionURI

INSTEAD = "give it with --password-file FILE or --password-stdin, or set a password_command in the config"


def _no_keyring(store: CredentialStore) -> str:
    if store.failure:
        return f"the system keyring failed ({store.failure})"
    return "there is no system keyring here (no Secret Service, usual over SSH)"


async def login(host: HyperVHost, store: CredentialStore, password: str) -> int:
    """Store the password only once the host has accepted it."""
    try:
        facts = await host.connect()
    except HyperVError as exc:
        host_err("login", host, exc)
        return exit_code_for(exc)
    if store.remember(host.key, password, persist=True):
        why = _no_keyring(store)
        err("login", f"the password works for {facts.hostname}, but was not stored: {why}; {INSTEAD}")
        return EXIT_FAILED
    print(f"password for {host.uri.user} on {host.uri.display_host} stored in the keyring")
    return EXIT_OK


def logout(uri: ConnectionURI) -> int:
    store = CredentialStore()
    who = f"{uri.user} on {uri.display_host}"
    if not store.keyring_available:
        err(
            "logout",
            f"{_no_keyring(store)}, so there is nothing to remove: hvtui keeps passwords nowhere else "
            "(a --password-file, or what a password_command reads, is yours to change)",
        )
        return EXIT_FAILED
    stored = store.get(uri.canonical) is not None
    if store.failure:  # a locked keyring fails to read as it fails to delete
        err("logout", f"the system keyring could not remove it ({store.failure}): it may still be stored")
        return EXIT_FAILED
    warning = store.forget(uri.canonical)
    if warning:
        err("logout", warning)
        return EXIT_FAILED
    if stored:
        print(f"password for {who} removed from the keyring")
    else:
        print(f"no password was stored in the keyring for {who}: nothing to remove")
    return EXIT_OK
