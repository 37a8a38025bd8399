"""Passwords from a command, as mail and sync tools take them: ``pass show hyperv/{host}``.

Without a keyring (the usual case over SSH) a ``password_command`` in the config asks the
user's own secret store — ``pass``, ``gopass``, ``secret-tool``, a vault CLI — instead of a
prompt per host. The command runs without a shell (``shlex.split``, then ``{uri}``, ``{host}``
and ``{user}`` substituted inside each word, so a value never splits or expands), with stdin
closed and a time limit; its first line of output is the password. Nothing of it is logged,
and a failure is one line: the command's own stderr, with the password (if it printed one)
masked. A leaf, so the CLI and the TUI both use it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

from hvtui.config import Config
from hvtui.password_file import read_password_file
from hvtui.uri import ConnectionURI

DEFAULT_TIMEOUT = 60.0  # room for a gpg passphrase typed at a pinentry
_PLACEHOLDER = re.compile(r"\{(uri|host|user)\}")
_MAX_STDERR = 200


class PasswordCommandError(Exception):
    """The command gave no password; the one-line message says why, never the password."""


def command_argv(template: str, uri: ConnectionURI) -> list[str]:
    """``template`` split as a shell would split it, then each word's placeholders filled in."""
    try:
        words = shlex.split(template)
    except ValueError as exc:
        raise PasswordCommandError(
            f"password_command {template!r} cannot be split into words: {exc}"
        ) from None
    if not words:
        raise PasswordCommandError("password_command is empty")
    values = {"uri": uri.canonical, "host": uri.host, "user": uri.user}
    return [_PLACEHOLDER.sub(lambda m: values[m.group(1)], word) for word in words]


def run_password_command(template: str, uri: ConnectionURI, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """The first line ``template`` prints for ``uri``. Blocks: from asyncio, use a thread."""
    argv = command_argv(template, uri)
    who = f"password_command for {uri.user} on {uri.display_host}"
    try:
        child = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except FileNotFoundError:
        raise PasswordCommandError(f"{who}: {argv[0]!r} not found") from None
    except OSError as exc:
        raise PasswordCommandError(f"{who}: cannot run {argv[0]!r}: {exc.strerror or exc}") from None
    with child:
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()  # not communicate(): a grandchild may still hold the pipes open
            raise PasswordCommandError(f"{who}: no answer within {timeout:g} s (stopped)") from None
    first = out.split(b"\n", 1)[0].rstrip(b"\r")
    if child.returncode != 0:
        how = f"exit {child.returncode}" if child.returncode > 0 else f"killed by signal {-child.returncode}"
        raise PasswordCommandError(f"{who} failed ({how}){_stderr_line(err, first)}")
    try:
        password = first.decode("utf-8")
    except UnicodeDecodeError:
        raise PasswordCommandError(f"{who} printed a first line that is not UTF-8 text") from None
    if not password:
        raise PasswordCommandError(f"{who} printed nothing (the password is its first line of output)")
    return password


def _stderr_line(err: bytes, printed: bytes) -> str:
    """ ": <what the command said>", on one line, without what it printed as a password."""
    text = err.decode("utf-8", "replace")
    if printed.strip():
        text = text.replace(printed.decode("utf-8", "replace"), "***")
    line = " ".join(text.split())
    if len(line) > _MAX_STDERR:
        line = line[: _MAX_STDERR - 1] + "…"
    return f": {line}" if line else ""


def unattended_password(
    uri: ConnectionURI,
    *,
    password_file: Path | None = None,
    config: Config | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> str | None:
    """A password for ``uri`` that needs nobody at the keyboard: from ``password_file``, else
    from the config's password_command for the host; None when neither is set.

    Raises :class:`~hvtui.password_file.PasswordFileError` or :class:`PasswordCommandError`
    (one-line messages). The keyring is not looked at: the caller asks it between the two
    when it keeps the CLI's order (file, keyring, command, prompt).
    """
    if password_file is not None:
        return read_password_file(password_file)
    template = config.password_command_for(uri) if config is not None else None
    if template is None:
        return None
    return run_password_command(template, uri, timeout=timeout)
