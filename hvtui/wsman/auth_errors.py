"""What to say when authentication fails: one line naming the host, the cause and the fix.

Where the fix is a setting on the host, the message carries the ``winrm set`` command
that makes it.
"""

from __future__ import annotations

from hvtui.wsman.errors import AuthenticationError

ENABLE_BASIC = 'winrm set winrm/config/service/auth @{Basic="true"}'
ENABLE_NEGOTIATE = 'winrm set winrm/config/service/auth @{Negotiate="true"}'
ALLOW_UNENCRYPTED = 'winrm set winrm/config/service @{AllowUnencrypted="true"}'


def _offered_text(offered: tuple[str, ...]) -> str:
    return ", ".join(offered) if offered else "nothing"


def basic_refused(user: str, host: str, offered: tuple[str, ...], https: bool) -> AuthenticationError:
    if not any(s.lower() == "basic" for s in offered):
        return AuthenticationError(
            f"{host} does not accept Basic authentication (it offers: {_offered_text(offered)}): use "
            f"auth=ntlm, or enable Basic with `{ENABLE_BASIC}`",
            host=host,
            reason="scheme",
            offered=offered,
        )
    if not https:
        return AuthenticationError(
            f"{host} refused Basic authentication over HTTP for {user}: either the user name or password is "
            f"wrong, or the host refuses unencrypted traffic (allow it with `{ALLOW_UNENCRYPTED}`, or "
            "better use auth=ntlm or transport=https)",
            host=host,
            reason="credentials",
            offered=offered,
        )
    return AuthenticationError(
        f"{host} refused the user name or password for {user}: check them (Basic works only for local "
        "accounts; use auth=ntlm for a domain account)",
        host=host,
        reason="credentials",
        offered=offered,
    )


def ntlm_refused(user: str, host: str, offered: tuple[str, ...]) -> AuthenticationError:
    return AuthenticationError(
        f"{host} refused the user name or password for {user}: check them (a domain account is written "
        "DOMAIN\\user or user@domain; the user must be allowed to use WinRM)",
        host=host,
        reason="credentials",
        offered=offered,
    )


def ntlm_not_offered(host: str, offered: tuple[str, ...], basic_usable: bool) -> AuthenticationError:
    alternative = "use auth=basic" if basic_usable else "use auth=basic over transport=https"
    if not any(s.lower() == "basic" for s in offered):
        alternative = "no other scheme hvtui speaks is offered"
    return AuthenticationError(
        f"{host} does not accept NTLM (Negotiate) authentication (it offers: {_offered_text(offered)}): "
        f"enable it with `{ENABLE_NEGOTIATE}`, or {alternative}",
        host=host,
        reason="scheme",
        offered=offered,
    )


def basic_over_http_refused(user: str, host: str, offered: tuple[str, ...] = ()) -> AuthenticationError:
    only = " the host offers only Basic, and" if offered else ""
    return AuthenticationError(
        f"refusing to send the password for {user} readable over plain HTTP to {host}:{only} Basic is "
        "allowed over HTTP only when you choose transport=http and auth=basic together; prefer "
        f"transport=https, or auth=ntlm (enable Negotiate with `{ENABLE_NEGOTIATE}`)",
        host=host,
        reason="insecure",
        offered=offered,
    )


def no_usable_scheme(host: str, offered: tuple[str, ...]) -> AuthenticationError:
    return AuthenticationError(
        f"{host} offers no authentication scheme hvtui speaks (it offers: {_offered_text(offered)}): enable "
        f"Negotiate with `{ENABLE_NEGOTIATE}` (or Basic over HTTPS)",
        host=host,
        reason="scheme",
        offered=offered,
    )
