"""The config file: hosts, refresh interval, theme, sort, columns and password commands — never passwords.

TOML in the platform's config directory (``HVTUI_CONFIG`` names another file). Reading is
forgiving and loses nothing: a file that is not valid TOML, or holds values hvtui cannot use,
is reported in one line and copied aside before hvtui would ever write over it; a host whose
URI no longer parses stays in the file verbatim. Writing is atomic (a temporary file in the
same directory, fsync, rename) and private (mode 0600).
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import stat
import tempfile
import tomllib
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from hvtui.uri import ConnectionURI, URIError, parse_uri

ENV_PATH = "HVTUI_CONFIG"
DEFAULT_REFRESH = 2.0
MIN_REFRESH = 0.5
MAX_REFRESH = 3600.0
DEFAULT_THEME = "textual-dark"


class ConfigError(Exception):
    """The config file could not be read or written; the message says what to do."""


@dataclass(frozen=True)
class HostEntry:
    """A configured host. ``uri`` is kept as written when it does not parse, so it is never lost.

    ``tls_pin`` (``sha256:AB:CD:…``) is the one certificate accepted for an HTTPS host instead
    of its CA chain and name: set when a user trusts the certificate the host showed.
    """

    uri: str
    ca_file: str | None = None
    password_command: str | None = None  # this host's; else the global one
    tls_pin: str | None = None

    @property
    def parsed(self) -> ConnectionURI | None:
        try:
            return parse_uri(self.uri)
        except URIError:
            return None

    @property
    def error(self) -> str | None:
        try:
            parse_uri(self.uri)
        except URIError as exc:
            return str(exc)
        return None


@dataclass(frozen=True)
class Config:
    hosts: tuple[HostEntry, ...] = ()
    refresh_interval: float = DEFAULT_REFRESH
    theme: str = DEFAULT_THEME
    sort_column: str = "name"
    sort_reverse: bool = False
    columns: tuple[str, ...] | None = None  # None: the default columns
    password_command: str | None = None  # e.g. "pass show hyperv/{host}": see hvtui.password_command

    def with_host(self, uri: ConnectionURI, ca_file: str | None = None, tls_pin: str | None = None) -> Config:
        """Add a host (or replace the entry for the same canonical URI, keeping its password_command)."""
        old = [h for h in self.hosts if h.parsed == uri]
        command = old[0].password_command if old else None
        kept = tuple(h for h in self.hosts if h.parsed != uri)
        entry = HostEntry(uri.canonical, ca_file, password_command=command, tls_pin=tls_pin)
        return replace(self, hosts=(*kept, entry))

    def has_host(self, uri: ConnectionURI) -> bool:
        return any(h.parsed == uri for h in self.hosts)

    def edited_host(
        self, old: ConnectionURI, uri: ConnectionURI, ca_file: str | None, tls_pin: str | None
    ) -> Config:
        """The entry of ``old`` changed in its place (added at the end when it was not there)."""
        if not self.has_host(old):
            return self.with_host(uri, ca_file, tls_pin)
        hosts = [
            replace(h, uri=uri.canonical, ca_file=ca_file, tls_pin=tls_pin) if h.parsed == old else h
            for h in self.hosts
            if h.parsed != uri or h.parsed == old
        ]
        return replace(self, hosts=tuple(hosts))

    def tls_pin_for(self, uri: ConnectionURI) -> str | None:
        """The certificate pinned for the host, if any: the command line checks it too."""
        return next((h.tls_pin for h in self.hosts if h.tls_pin and h.parsed == uri), None)

    def password_command_for(self, uri: ConnectionURI) -> str | None:
        """The host's own password_command, else the global one, else None."""
        for host in self.hosts:
            if host.password_command and host.parsed == uri:
                return host.password_command
        return self.password_command

    def without_host(self, uri: ConnectionURI | str) -> Config:
        if isinstance(uri, ConnectionURI):
            kept = tuple(h for h in self.hosts if h.parsed != uri)
        else:
            kept = tuple(h for h in self.hosts if h.uri != uri)
        return replace(self, hosts=kept)


@dataclass
class LoadResult:
    config: Config
    problems: list[str] = field(default_factory=list)
    backup: Path | None = None  # where a damaged file was copied before anything writes over it
    writable: bool = True  # False when the file exists but could not be read: never overwrite it


def default_path() -> Path:
    override = os.environ.get(ENV_PATH)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path  # deferred: only needed when no override is set

    return user_config_path("hvtui", appauthor=False) / "config.toml"


class ConfigStore:
    """Reads and writes one config file; remembers whether writing over it is safe."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self._writable = True
        self._needs_backup = False

    def load(self, *, keep_aside: bool = True) -> LoadResult:
        """``keep_aside`` False (a reader that never writes, such as the CLI) copies nothing aside."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return LoadResult(Config())
        except (OSError, PermissionError) as exc:
            self._writable = False
            reason = exc.strerror or type(exc).__name__
            return LoadResult(
                Config(),
                [f"cannot read {self.path}: {reason}; running with defaults and leaving the file alone"],
                writable=False,
            )
        problems: list[str] = []
        try:
            raw = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"{self.path} is not valid TOML ({_one_line(exc)})")
            raw = {}
        config = _from_toml(raw, problems)
        backup = None
        if problems and keep_aside:
            backup = self._keep_aside()
            where = f"; a copy was kept as {backup}" if backup else ""
            problems = [p + where if i == 0 else p for i, p in enumerate(problems)]
        return LoadResult(config, problems, backup=backup)

    def save(self, config: Config) -> None:
        """Write atomically; raise ConfigError (one line) when the file cannot be written."""
        if not self._writable:
            raise ConfigError(
                f"not writing {self.path}: it could not be read, so writing would replace what it holds"
            )
        if self._needs_backup:
            raise ConfigError(f"not writing {self.path}: it is damaged and could not be copied aside")
        if _read_only(self.path):
            # Replacing it by rename would succeed; but the user made it read-only on purpose.
            raise ConfigError(
                f"not writing {self.path}: it is read-only (chmod u+w to let hvtui save settings); "
                "changes are kept for this session only"
            )
        text = render_toml(config)
        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=directory)
        except OSError as exc:
            raise ConfigError(
                f"cannot write {self.path}: {exc.strerror or exc}; changes are kept for this session only"
            ) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except (OSError, UnicodeError) as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            reason = getattr(exc, "strerror", None) or _one_line(exc)
            raise ConfigError(
                f"cannot write {self.path}: {reason}; changes are kept for this session only"
            ) from None

    def _keep_aside(self) -> Path | None:
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        backup = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        try:
            shutil.copy2(self.path, backup)
        except OSError:
            self._needs_backup = True
            return None
        return backup


def _read_only(path: Path) -> bool:
    try:
        return not path.stat().st_mode & stat.S_IWUSR
    except OSError:
        return False


def _from_toml(raw: dict[str, Any], problems: list[str]) -> Config:
    known = {
        "hosts",
        "refresh_interval",
        "theme",
        "sort_column",
        "sort_reverse",
        "columns",
        "password_command",
    }
    for key in raw:
        if key not in known:
            problems.append(f"unknown setting '{key}' ignored")
    values: dict[str, Any] = {}

    interval = raw.get("refresh_interval", DEFAULT_REFRESH)
    if isinstance(interval, bool) or not isinstance(interval, int | float) or not math.isfinite(interval):
        problems.append("refresh_interval must be a number of seconds; using 2")
    else:
        values["refresh_interval"] = min(max(float(interval), MIN_REFRESH), MAX_REFRESH)

    for key in ("theme", "sort_column", "password_command"):
        if key in raw:
            if isinstance(raw[key], str) and raw[key]:
                values[key] = raw[key]
            else:
                problems.append(f"{key} must be a non-empty string; using the default")
    if "sort_reverse" in raw:
        if isinstance(raw["sort_reverse"], bool):
            values["sort_reverse"] = raw["sort_reverse"]
        else:
            problems.append("sort_reverse must be true or false; using false")
    if "columns" in raw:
        columns = raw["columns"]
        if isinstance(columns, list) and all(isinstance(c, str) for c in columns):
            values["columns"] = tuple(columns)
        else:
            problems.append("columns must be a list of column names; using the default columns")

    hosts: list[HostEntry] = []
    raw_hosts = raw.get("hosts", [])
    if not isinstance(raw_hosts, list):
        problems.append("hosts must be a list of [[hosts]] tables")
        raw_hosts = []
    for index, entry in enumerate(raw_hosts, 1):
        item = {"uri": entry} if isinstance(entry, str) else entry
        if not isinstance(item, dict) or not isinstance(item.get("uri"), str):
            problems.append(f"host #{index} has no uri string")
            continue
        ca_file = item.get("ca_file")
        if ca_file is not None and not isinstance(ca_file, str):
            problems.append(f"host #{index}: ca_file must be a path string")
            ca_file = None
        command = item.get("password_command")
        if command is not None and (not isinstance(command, str) or not command):
            problems.append(f"host #{index}: password_command must be a non-empty string")
            command = None
        pin = _pin(item.get("tls_pin"), index, problems)
        hosts.append(HostEntry(item["uri"], ca_file, command, pin))
    values["hosts"] = tuple(hosts)
    return Config(**values)


def _pin(value: object, index: int, problems: list[str]) -> str | None:
    """A host's tls_pin as written, once checked: 64 hex digits after ``sha256:``."""
    if value is None:
        return None
    digest = value.removeprefix("sha256:").replace(":", "") if isinstance(value, str) else ""
    if len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
        problems.append(f"host #{index}: tls_pin must be sha256: and 64 hex digits; the pin is ignored")
        return None
    return str(value)


def render_toml(config: Config) -> str:
    """The config as TOML. Hand-written for this fixed schema: no writer dependency needed."""
    lines = [
        "# hvtui settings. Passwords are never stored here (they live in the system keyring).",
        f"refresh_interval = {config.refresh_interval!r}",
        f"theme = {_toml_string(config.theme)}",
        f"sort_column = {_toml_string(config.sort_column)}",
        f"sort_reverse = {'true' if config.sort_reverse else 'false'}",
    ]
    if config.columns is not None:
        lines.append("columns = [" + ", ".join(_toml_string(c) for c in config.columns) + "]")
    if config.password_command:
        lines.append(f"password_command = {_toml_string(config.password_command)}")
    for host in config.hosts:
        lines += ["", "[[hosts]]", f"uri = {_toml_string(host.uri)}"]
        if host.ca_file:
            lines.append(f"ca_file = {_toml_string(host.ca_file)}")
        if host.password_command:
            lines.append(f"password_command = {_toml_string(host.password_command)}")
        if host.tls_pin:
            lines.append(f"tls_pin = {_toml_string(host.tls_pin)}")
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
