"""Adding or editing a host: a URI field checked as you type by the one URI parser hvtui has.

A bare host name (``hv01``, ``admin@hv01:5986``) is read as ``hyperv://administrator@hv01/``,
and the check under the field says so. Editing shows the host's URI, CA file and pin.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.trust import normal_pin
from hvtui.uri import FORM, ConnectionURI, URIError, parse_uri

CA_HINT = "optional: the CA bundle for its certificate"
PIN_HINT = "optional: sha256:… of the one certificate to accept"


@dataclass(frozen=True)
class AddHostResult:
    uri: ConnectionURI
    ca_file: str | None
    tls_pin: str | None = None


def describe_uri(uri: ConnectionURI) -> str:
    """What hvtui will do with a URI, in one line (shown under the field as you type)."""
    tls = "no TLS" if uri.transport == "http" else ("TLS not verified" if uri.no_verify else "TLS verified")
    return f"✓ {uri.canonical} — {uri.endpoint}, user {uri.user}, auth {uri.auth}, {tls}"


def read_uri(text: str) -> tuple[ConnectionURI, bool]:
    """The URI typed, or a bare ``[user@]host[:port]`` read as one; True when it was bare."""
    try:
        return parse_uri(text), False
    except URIError:
        if "://" in text or "/" in text or "?" in text or not text:
            raise
        try:
            return parse_uri(f"hyperv://{text}/"), True
        except URIError:
            pass
        raise


class AddHostScreen(ModalScreen[AddHostResult | None]):
    AUTO_FOCUS = "#uri"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, known: Collection[str] = (), editing: AddHostResult | None = None) -> None:
        super().__init__(classes="dialog")
        self.known = set(known)
        self.editing = editing
        self._uri: ConnectionURI | None = None

    def compose(self) -> ComposeResult:
        editing = self.editing
        with Vertical(id="add-host", classes="dialog-box"):
            title = f"Edit {editing.uri.display_host}" if editing else "Add a Hyper-V host"
            yield Label(title, classes="dialog-title", markup=False)
            with Grid(classes="form"):
                yield Label("URI")
                yield Input(
                    editing.uri.canonical if editing else "",
                    id="uri",
                    placeholder="hv01, or hyperv://administrator@hv01.example.com/",
                    compact=True,
                )
            yield Static(FORM, id="uri-check", classes="muted", markup=False)
            with Grid(classes="form"):
                yield Label("CA file")
                yield Input(
                    (editing.ca_file or "") if editing else "",
                    id="ca-file",
                    placeholder=CA_HINT,
                    compact=True,
                )
                yield Label("TLS pin")
                yield Input(
                    (editing.tls_pin or "") if editing else "",
                    id="tls-pin",
                    placeholder=PIN_HINT,
                    compact=True,
                )
            yield Static("", id="pin-check", classes="error-text", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(
                    "Save" if editing else "Add", id="ok", variant="primary", disabled=True, compact=True
                )
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#pin-check").display = False
        if self.editing is not None:
            self._check_text(self.editing.uri.canonical)

    @on(Input.Changed, "#uri")
    def _check(self, event: Input.Changed) -> None:
        self._check_text(event.value)

    def _check_text(self, value: str) -> None:
        check = self.query_one("#uri-check", Static)
        self._uri = None
        text = value.strip()
        if not text:
            check.update(FORM)
            check.set_classes("muted")
        else:
            try:
                uri, bare = read_uri(text)
            except URIError as exc:
                check.update(f"✗ {exc}")
                check.set_classes("error-text")
            else:
                if uri.canonical in self.known:
                    check.update(f"✗ {uri.canonical} is already in the list")
                    check.set_classes("error-text")
                else:
                    self._uri = uri
                    said = describe_uri(uri)
                    check.update(f"{said}\n  (a bare host name: read as {uri.canonical})" if bare else said)
                    check.set_classes("ok-text")
        self.query_one("#ok", Button).disabled = self._uri is None

    def _pin(self) -> tuple[bool, str | None]:
        """(valid, the pin in its one spelling or None when the field is empty)."""
        text = self.query_one("#tls-pin", Input).value.strip()
        if not text:
            return True, None
        try:
            return True, normal_pin(text)
        except HyperVError as exc:
            note = self.query_one("#pin-check", Static)
            note.update(f"✗ {exc}")
            note.display = True
            return False, None

    def _submit(self) -> None:
        if self._uri is None:
            self.query_one("#uri", Input).focus()
            return
        valid, pin = self._pin()
        if not valid:
            self.query_one("#tls-pin", Input).focus()
            return
        ca_file = self.query_one("#ca-file", Input).value.strip() or None
        self.dismiss(AddHostResult(self._uri, ca_file, pin))

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self._submit()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
