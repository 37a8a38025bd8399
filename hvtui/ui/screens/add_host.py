"""Adding a host: a URI field checked as you type by the one URI parser hvtui has."""

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

from hvtui.uri import FORM, ConnectionURI, URIError, parse_uri

CA_HINT = "optional: the CA bundle for its certificate"


@dataclass(frozen=True)
class AddHostResult:
    uri: ConnectionURI
    ca_file: str | None


def describe_uri(uri: ConnectionURI) -> str:
    """What hvtui will do with a URI, in one line (shown under the field as you type)."""
    tls = "no TLS" if uri.transport == "http" else ("TLS not verified" if uri.no_verify else "TLS verified")
    return f"✓ {uri.canonical} — {uri.endpoint}, user {uri.user}, auth {uri.auth}, {tls}"


class AddHostScreen(ModalScreen[AddHostResult | None]):
    AUTO_FOCUS = "#uri"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, known: Collection[str] = ()) -> None:
        super().__init__(classes="dialog")
        self.known = set(known)
        self._uri: ConnectionURI | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="add-host", classes="dialog-box"):
            yield Label("Add a Hyper-V host", classes="dialog-title")
            with Grid(classes="form"):
                yield Label("URI")
                yield Input(id="uri", placeholder="hyperv://administrator@hv01.example.com/", compact=True)
            yield Static(FORM, id="uri-check", classes="muted", markup=False)
            with Grid(classes="form"):
                yield Label("CA file")
                yield Input(id="ca-file", placeholder=CA_HINT, compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Add", id="ok", variant="primary", disabled=True, compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @on(Input.Changed, "#uri")
    def _check(self, event: Input.Changed) -> None:
        check = self.query_one("#uri-check", Static)
        self._uri = None
        text = event.value.strip()
        if not text:
            check.update(FORM)
            check.set_classes("muted")
        else:
            try:
                uri = parse_uri(text)
            except URIError as exc:
                check.update(f"✗ {exc}")
                check.set_classes("error-text")
            else:
                if uri.canonical in self.known:
                    check.update(f"✗ {uri.canonical} is already in the list")
                    check.set_classes("error-text")
                else:
                    self._uri = uri
                    check.update(describe_uri(uri))
                    check.set_classes("ok-text")
        self.query_one("#ok", Button).disabled = self._uri is None

    def _submit(self) -> None:
        if self._uri is None:
            self.query_one("#uri", Input).focus()
            return
        ca_file = self.query_one("#ca-file", Input).value.strip() or None
        self.dismiss(AddHostResult(self._uri, ca_file))

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self._submit()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
