"""Whether a host can be logged in to with the user's own Kerberos ticket, so no password is asked.

After ``kinit`` on a jump host the ticket is the credential: the CLI and the TUI then look up
no password at all (no keyring, no prompt) for a URI whose ``auth`` is ``kerberos``, or
``auto`` with a domain account (``user@REALM``, ``DOMAIN\\user``).
"""

from __future__ import annotations

from hvtui.uri import ConnectionURI
from hvtui.wsman.kerberos import has_ticket, is_domain_account, principal_of


def uses_ticket(uri: ConnectionURI) -> bool:
    """True when the user's credential cache holds a live ticket for ``uri``'s account."""
    if uri.auth == "kerberos" or (uri.auth == "auto" and is_domain_account(uri.user)):
        return has_ticket(uri.user)
    return False


def principal(uri: ConnectionURI) -> str:
    """The Kerberos principal of ``uri``'s account, as ``kinit`` takes it."""
    return principal_of(uri.user)
