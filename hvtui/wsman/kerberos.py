"""Kerberos as a client sees it before any exchange: the user's principal, its ticket, the realm.

The GSSAPI and krb5 packages come with the optional ``hvtui[kerberos]`` extra (built against
MIT Kerberos), so they are imported only here, only when asked, and their absence is one
clear sentence rather than an ImportError.

Accounts are written ``user@REALM`` or ``DOMAIN\\user``; the principal of ``DOMAIN\\user`` is
``user@`` the default realm when the realm's first label is ``DOMAIN`` (CORP for CORP.EXAMPLE,
as Active Directory names them), else ``user@DOMAIN``. Tickets are looked up in the user's
credential cache (``KRB5CCNAME``, or krb5.conf's default) and never written there: a ticket
hvtui gets from a password lives in a private in-memory cache (pyspnego's ``MEMORY:``).
"""

from __future__ import annotations

import importlib.util
import logging

log = logging.getLogger("hvtui.wsman")

DEFAULT_SERVICE = "HTTP"
INSTALL_HINT = "pip install 'hvtui[kerberos]' (with MIT Kerberos: apt install libkrb5-dev krb5-user)"


def missing() -> str | None:
    """Why Kerberos cannot be used here (the extra is not installed), or None."""
    for module in ("gssapi", "krb5"):
        if importlib.util.find_spec(module) is None:
            return f"Kerberos needs the {module} package: {INSTALL_HINT}"
    return None


def is_domain_account(user: str) -> bool:
    """``user@REALM`` or ``DOMAIN\\user``: an account a KDC may know (a bare name is a local one)."""
    return "\\" in user or "@" in user


def default_realm() -> str | None:
    """krb5.conf's ``default_realm``, or None when Kerberos is not set up on this machine."""
    if missing() is not None:
        return None
    import krb5

    try:
        realm = krb5.get_default_realm(krb5.init_context())
    except krb5.Krb5Error:
        return None
    return realm.decode("utf-8", "replace") or None


def principal_of(user: str) -> str:
    """The Kerberos principal of an account as written in the URI (see the module docstring)."""
    domain, backslash, name = user.partition("\\")
    if backslash:
        realm = default_realm()
        if realm is not None and realm.split(".")[0].upper() == domain.upper():
            return f"{name}@{realm}"
        return f"{name}@{domain.upper()}"
    name, at, realm_part = user.rpartition("@")
    if at:
        return f"{name}@{realm_part.upper()}"
    realm = default_realm()
    return f"{user}@{realm}" if realm else user


def ticket_seconds(principal: str) -> int | None:
    """Seconds left on ``principal``'s ticket in the user's credential cache; None if there is none.

    An expired ticket counts as none: nothing could be done with it.
    """
    if missing() is not None:
        return None
    import gssapi
    import gssapi.exceptions

    try:
        name = gssapi.Name(principal, gssapi.NameType.kerberos_principal)
        credentials = gssapi.Credentials(name=name, usage="initiate")
        lifetime = credentials.lifetime
    except (gssapi.exceptions.GSSError, ValueError) as exc:
        log.debug("no usable Kerberos ticket for %s: %s", principal, exc)
        return None
    return int(lifetime) if lifetime else None


def has_ticket(user: str) -> bool:
    """True when the user's credential cache holds a live ticket for ``user``'s principal."""
    return ticket_seconds(principal_of(user)) is not None


def session_seconds(context: object) -> float | None:
    """Seconds an established Kerberos context stays valid (its service ticket's), None if unknown.

    pyspnego keeps python-gssapi's SecurityContext in ``_context`` without saying how long it
    lasts; its ``lifetime`` asks GSSAPI, which reports an expired context as an error.
    """
    import gssapi.exceptions

    inner = getattr(context, "_context", None)
    if inner is None:
        return None
    try:
        return float(inner.lifetime)
    except gssapi.exceptions.GSSError:
        return 0.0


def split_spn(spn: str) -> tuple[str, str]:
    """``SERVICE/host`` -> (service, host), as pyspnego takes them; the realm follows from the host."""
    service, _, host = spn.partition("/")
    return service, host
