"""The config file as one run of the TUI sees it: loaded once, saved at every change of settings.

A run that persists nothing (``--demo``) keeps its changes in memory only. A config file that
cannot be written is said once, not at every change.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hvtui.config import Config, ConfigError, ConfigStore, default_path
from hvtui.ui.launch import TuiOptions


class Settings:
    def __init__(self, options: TuiOptions, store: ConfigStore | None, warn: Callable[[str], None]) -> None:
        self.persist = options.persist
        self.store: ConfigStore | None = None
        self.config = Config()
        self.problems: list[str] = []  # what loading found wrong, for the app to show once it runs
        if options.persist:
            self.store = store or ConfigStore(options.config_path)
            loaded = self.store.load()
            self.config = loaded.config
            self.problems = list(loaded.problems)
        self.path: Path = self.store.path if self.store else (options.config_path or default_path())
        self._warn = warn
        self._warned = False

    def save(self, config: Config) -> None:
        """Keep a settings change; write it unless this run persists nothing (``--demo``)."""
        if config == self.config:
            return
        self.config = config
        if not self.persist or self.store is None:
            return
        try:
            self.store.save(config)
        except ConfigError as exc:
            if not self._warned:
                self._warned = True
                self._warn(str(exc))
