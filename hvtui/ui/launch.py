"""What the command line hands the terminal UI: hosts, modes and overrides.

Kept free of Textual so that the CLI can build it on any path, and tests can describe a run
without starting anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hvtui.uri import ConnectionURI


@dataclass(frozen=True)
class HostSpec:
    """A host named on the command line (or by the demo), with what is known of its secret."""

    uri: ConnectionURI
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None

    def __repr__(self) -> str:  # the password never reaches a log or a traceback
        secret = "***" if self.password else None
        return f"HostSpec(uri={self.uri.canonical!r}, password={secret}, ca_file={self.ca_file!r})"


@dataclass
class TuiOptions:
    """One run of the terminal UI.

    ``from_config``: no URI was given, so the hosts come from the config file (and a first-run
    screen explains how to add one when it has none). ``persist`` False (``--demo``) writes
    nothing: no config file, no keyring. ``refresh`` and ``theme`` override the config for
    this run only. ``graphics``: how the console view draws (``--graphics``: auto, kitty,
sixel, iterm or blocks). ``password_file``: ``--password-file`` given without URIs, for the config's
    hosts (see :func:`hvtui.password_command.unattended_password`).
    """

    hosts: list[HostSpec] = field(default_factory=list)
    from_config: bool = True
    persist: bool = True
    read_only: bool = False
    refresh: float | None = None
    theme: str | None = None
    config_path: Path | None = None
    title_note: str | None = None
    password_file: Path | None = None
    graphics: str = "auto"
