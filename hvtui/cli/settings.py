"""The config file as the command line reads it: the hosts of ``ls`` without a URI, and the
password commands.

Read at most once per run, only when needed, and never written (so never copied aside
either): each problem is one line on stderr, and what could be read is still used.
"""

from __future__ import annotations

import sys
from functools import cached_property
from pathlib import Path

from hvtui.config import Config, ConfigStore
from hvtui.uri import ConnectionURI


class ConfigReader:
    """The config of one run, read on first use."""

    def __init__(self, command: str, path: Path | None = None) -> None:
        self.command = command
        self.store = ConfigStore(path)

    @property
    def path(self) -> Path:
        return self.store.path

    @cached_property
    def config(self) -> Config:
        result = self.store.load(keep_aside=False)
        for problem in result.problems:
            print(f"hvtui {self.command}: config: {' '.join(problem.split())}", file=sys.stderr)
        return result.config

    def password_command_for(self, uri: ConnectionURI) -> str | None:
        """The config's password_command for ``uri``; the file is read only when this is asked."""
        return self.config.password_command_for(uri)
