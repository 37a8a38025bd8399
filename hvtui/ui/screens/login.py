"""The login dialog: asks for a host's password, libvirt-style ("challenge" = the host's name).

With Kerberos the password may stay empty: the user's ticket (``kinit``) is then the credential.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static

from hvtui.uri import AUTH_METHODS, AuthMethod, ConnectionURI

# The methods one logs in with here; Kerberos with a password, or with the ticket from kinit.
LOGIN_METHODS: tuple[AuthMethod, ...] = ("auto", "kerberos", "ntlm", "basic")

USER_HINT = "administrator or DOMAIN\\user"


PASSWORD_HINT = "password"  # noqa: S105 - a placeholder, not a secret
TICKET_HINT = "password, or empty for the kinit ticket"


@dataclass(frozen=True)
class LoginResult:
    """What the dialog gives back; ``password`` None: log in with the user's Kerberos ticket."""

    user: str
    password: str | None = field(repr=False)
    auth: AuthMethod
    remember: bool
    for_all: bool = False  # also for every other host with this user that waits for a password

    def __repr__(self) -> str:  # the password never reaches a log or a traceback
        return (
            f"LoginResult(user={self.user!r}, auth={self.auth!r}, remember={self.remember}, "
            f"for_all={self.for_all})"
        )


class LoginScreen(ModalScreen[LoginResult | None]):
    """User (prefilled from the URI), password (masked), auth scheme, remember in keyring."""

    AUTO_FOCUS = "#password"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        uri: ConnectionURI,
        *,
        reason: str | None = None,
        keyring_note: str | None = None,
        others: int = 0,
    ) -> None:
        super().__init__(classes="dialog")
        self.uri = uri
        self.reason = reason
        self.keyring_note = keyring_note  # None: a keyring is available
        self.others = others  # other hosts with this URI's user (any may come to need a password)

    def compose(self) -> ComposeResult:
        with Vertical(id="login", classes="dialog-box"):
            title = f"Log in to {self.uri.display_host}"
            yield Label(title, id="login-title", classes="dialog-title", markup=False)
            yield Static(self.uri.canonical, id="login-uri", classes="muted", markup=False)
            yield Static(self.reason or "", id="login-reason", classes="error-text", markup=False)
            with Grid(classes="form"):
                yield Label("User")
                yield Input(self.uri.user, id="user", placeholder=USER_HINT, compact=True)
                yield Label("Password")
                yield Input(id="password", password=True, placeholder=self._hint(self.uri.auth), compact=True)
                yield Label("Auth")
                with RadioSet(id="auth", compact=True):
                    for method in LOGIN_METHODS:
                        yield RadioButton(method, value=method == self.uri.auth, name=method, compact=True)
            yield Checkbox(
                "Remember in keyring",
                value=False,
                id="remember",
                disabled=self.keyring_note is not None,
                compact=True,
            )
            if self.keyring_note is not None:
                yield Static(self.keyring_note, id="keyring-note", classes="muted", markup=False)
            if self.others:
                yield Checkbox(
                    "Use it for every host with this user that needs one",
                    value=False,
                    id="for-all",
                    compact=True,
                )
            with Horizontal(classes="buttons"):
                yield Button("Log in", id="ok", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#login-reason").display = bool(self.reason)

    @staticmethod
    def _hint(auth: str) -> str:
        return TICKET_HINT if auth == "kerberos" else PASSWORD_HINT

    @on(RadioSet.Changed, "#auth")
    def _auth_changed(self) -> None:
        self.query_one("#password", Input).placeholder = self._hint(self._auth())

    def _say(self, text: str) -> None:
        reason = self.query_one("#login-reason", Static)
        reason.update(text)
        reason.display = True

    def _auth(self) -> AuthMethod:
        pressed = self.query_one("#auth", RadioSet).pressed_button
        name = pressed.name if pressed is not None else "auto"
        return name if name in AUTH_METHODS else "auto"  # type: ignore[return-value]

    def _submit(self) -> None:
        user = self.query_one("#user", Input).value.strip()
        password = self.query_one("#password", Input).value
        if not user:
            self._say("Type a user name (for example administrator or CORP\\admin).")
            self.query_one("#user", Input).focus()
            return
        auth = self._auth()
        if not password and auth != "kerberos":
            self._say("Type the password (or choose kerberos to use the ticket from kinit).")
            self.query_one("#password", Input).focus()
            return
        remember = self.query_one("#remember", Checkbox).value and self.keyring_note is None
        for_all = bool(self.others) and self.query_one("#for-all", Checkbox).value
        self.dismiss(LoginResult(user, password or None, auth, remember and bool(password), for_all))

    @on(Input.Submitted, "#user")
    def _user_done(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    def _password_done(self) -> None:
        self._submit()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self._submit()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
