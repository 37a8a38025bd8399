"""What the flows use of the app: its shared state, its screens, and Textual's means to show them.

A Protocol, so that the flows never import the app (which builds them with itself).
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Literal, Protocol

from textual.screen import Screen
from textual.worker import Worker

from hvtui.secrets import CredentialStore
from hvtui.ui.facade import AppFacade
from hvtui.ui.scheduler import Scheduler
from hvtui.ui.screens.main import MainScreen
from hvtui.ui.settings import Settings

Severity = Literal["information", "warning", "error"]


class FlowContext(AppFacade, Protocol):
    scheduler: Scheduler
    credentials: CredentialStore
    settings: Settings

    @property
    def main(self) -> MainScreen | None:
        """The main screen once mounted, else None (results may arrive before and after)."""

    @property
    def top(self) -> Screen[Any] | None:
        """The active screen, or None while the app starts or shuts down."""

    @property
    def screen_stack(self) -> list[Screen[Any]]: ...

    def note(self, message: str, severity: Severity = "information", *, timeout: float | None = None) -> None:
        """Notify, and keep the message in the app's log of results and errors."""

    def update_subtitle(self) -> None: ...

    def set_timer(self, delay: float, callback: Any = None) -> Any: ...

    def push_screen(self, screen: Screen[Any], callback: Any = None) -> Any: ...

    def pop_screen(self) -> Any: ...

    def run_worker(
        self,
        work: Coroutine[Any, Any, Any],
        name: str | None = "",
        group: str = "default",
        *,
        exit_on_error: bool = True,
    ) -> Worker[Any]: ...
