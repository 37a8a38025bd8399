"""Reading a password from a file, for the client and the simulator alike.

One reading and one set of refusals, so that the simulator cannot accept a file the client
refuses (a file other local users can read above all) and both say so in the same words.
A leaf: the simulator, which shares nothing else with the client, may import it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class PasswordFileError(Exception):
    """The file cannot give a password; the one-line message says why and what to do."""


def read_password_file(path: Path | str) -> str:
    """The first line of ``path`` as written (only its line ending dropped).

    Refuses a file that group or others may read or write: the password would not be private.
    """
    path = Path(path)
    try:
        info = path.stat()
        with path.open(encoding="utf-8") as handle:
            line = handle.readline()
    except OSError as exc:
        raise PasswordFileError(f"cannot read password file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise PasswordFileError(f"password file {path} is not UTF-8 text") from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) and not _is_devfd(path):
        raise PasswordFileError(f"password file {path} is readable by other users: run 'chmod 600 {path}'")
    password = line.rstrip("\r\n")
    if not password:
        raise PasswordFileError(f"password file {path} is empty (the password is its first line)")
    return password


def _is_devfd(path: Path) -> bool:
    """Process substitution (``--password-file <(pass show hv01)``) gives /dev/fd/N: allow it."""
    return str(path).startswith(("/dev/fd/", "/proc/self/fd/"))
