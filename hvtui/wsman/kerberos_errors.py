"""What to say when Kerberos fails: one line naming the cause and the fix, never the library's dump.

MIT Kerberos explains itself in its minor status text ("Clock skew too great", "Server ... not
found in Kerberos database"); pyspnego wraps that in a long GSSAPI report. The cause is found
in that text and said in hvtui's words; the report itself goes to the debug log only.
"""

from __future__ import annotations

import logging

from hvtui.wsman.errors import AuthenticationError

log = logging.getLogger("hvtui.wsman")

ENABLE_KERBEROS = 'winrm set winrm/config/service/auth @{Kerberos="true"}'

#: MIT's words for each cause, lower case, in the order they are tried.
_CAUSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("skew", ("clock skew too great",)),
    ("expired", ("ticket expired", "credential has expired", "credentials have expired",
                 "context has expired")),
    ("password", ("preauthentication failed", "password incorrect", "decrypt integrity check failed")),
    ("client", ("client '", "client not found")),
    ("server", ("server ", "server not found")),
    ("realm", ("cannot find kdc for realm", "cannot contact any kdc",
               "cannot resolve network address for kdc")),
    ("none", ("no kerberos credentials available", "can't find client principal",
              "no credentials cache found", "no credentials were supplied")),
)  # fmt: skip


class KerberosUnavailable(AuthenticationError):
    """The KDC cannot give a ticket for this host at all (no SPN, no realm): NTLM may still do, in auto."""


def kerberos_cause(text: str) -> str | None:
    """The cause a MIT Kerberos message names (skew, expired, password, client, server, realm, none)."""
    lowered = text.lower()
    for cause, needles in _CAUSES:
        for needle in needles:
            if needle in lowered and (cause not in ("client", "server") or "not found" in lowered):
                return cause
    return None


def kerberos_failed(
    exc: BaseException, *, principal: str, spn: str, host: str, with_password: bool
) -> AuthenticationError:
    """The one-line error for a Kerberos failure before the host was asked (getting tickets)."""
    text = " ".join(str(exc).split())
    log.debug("%s: Kerberos failed for %s to %s: %s", host, principal, spn, text)
    realm = principal.rpartition("@")[2] or "its realm"
    cause = kerberos_cause(text)
    if cause == "skew":
        message = (
            f"the clock of this machine and the Kerberos KDC of {realm} differ by more than the "
            "allowed skew (5 minutes): set the time right (NTP) and try again"
        )
    elif cause == "expired":
        message = (
            f"the Kerberos ticket of {principal} has expired: run `kinit {principal}` again, or log in "
            "with the password"
        )
    elif cause == "password":
        message = f"the Kerberos KDC of {realm} refused the password for {principal}: check it"
    elif cause == "client":
        message = f"the Kerberos KDC of {realm} does not know the user {principal}: check the name and realm"
    elif cause == "server":
        message = (
            f"the Kerberos KDC of {realm} knows no service principal {spn}: register it for the host "
            f"(`setspn -S {spn} HOSTNAME`, `setspn -L HOSTNAME` lists them), or name the host's own with "
            "spn= in the URI (e.g. spn=WSMAN/<full host name>)"
        )
    elif cause == "realm":
        message = (
            f"no Kerberos KDC can be found for the realm {realm}: check the realm of {principal}, and "
            "krb5.conf ([realms], dns_lookup_kdc, or KRB5_CONFIG)"
        )
    elif cause == "none" and not with_password:
        message = (
            f"no Kerberos ticket for {principal} and no password: run `kinit {principal}`, or give the "
            "password (login dialog, --password-file, keyring)"
        )
    else:
        message = f"Kerberos failed for {principal} to {spn}: {_first_clause(text)}"
    kind = KerberosUnavailable if cause in ("server", "realm") else AuthenticationError
    return kind(f"{host}: {message}", host=host, reason="credentials")


def kerberos_refused(principal: str, spn: str, host: str, offered: tuple[str, ...]) -> AuthenticationError:
    """The host answered the Kerberos ticket with a bare 401."""
    return AuthenticationError(
        f"{host} refused the Kerberos ticket of {principal} for {spn}: the user may lack WinRM access, the "
        "host's key for the SPN may differ from the KDC's (`setspn -L`), or its clock may be off",
        host=host,
        reason="credentials",
        offered=offered,
    )


def kerberos_not_offered(host: str, offered: tuple[str, ...]) -> AuthenticationError:
    shown = ", ".join(offered) if offered else "nothing"
    return AuthenticationError(
        f"{host} does not accept Kerberos (it offers: {shown}): enable it with `{ENABLE_KERBEROS}`",
        host=host,
        reason="scheme",
        offered=offered,
    )


def mutual_auth_failed(host: str, spn: str, detail: str) -> AuthenticationError:
    """The host did not prove it holds the key of ``spn``: refuse to talk to it."""
    return AuthenticationError(
        f"{host} did not prove it is {spn} (Kerberos mutual authentication: {detail}): refused",
        host=host,
        reason="handshake",
    )


def _first_clause(text: str) -> str:
    """The MIT minor status of a pyspnego report ("Minor (...): <this>, Context: ..."), or its start."""
    _, found, rest = text.partition("Minor (")
    if found:
        rest = rest.partition("): ")[2] or rest
        return rest.partition(", Context:")[0][:160]
    return text[:160]
