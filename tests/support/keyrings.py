"""Keyring backends for tests, loadable by a child process through ``PYTHON_KEYRING_BACKEND``.

* :class:`FileKeyring` keeps entries in the JSON file named by ``HVTUI_TEST_KEYRING`` (a
  stand-in for a real store that outlives the process, so a test can byte-compare it).
* :class:`LockedKeyring` is that store behind a keyring that fails as a locked Secret Service
  collection does: every call raises.
* :class:`ReadOnlyKeyring` reads the store but fails to write or delete (a full or read-only
  store): what was there must stay as it was.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors


def _path() -> Path:
    return Path(os.environ["HVTUI_TEST_KEYRING"])


class FileKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _load(self) -> dict[str, str]:
        path = _path()
        return json.loads(path.read_text()) if path.exists() else {}

    def _save(self, data: dict[str, str]) -> None:
        _path().write_text(json.dumps(data, sort_keys=True))

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}|{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}|{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}|{username}", None) is None:
            raise keyring.errors.PasswordDeleteError("not found")
        self._save(data)


class LockedKeyring(FileKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the login collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the login collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the login collection is locked")


class ReadOnlyKeyring(FileKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the store is read-only")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("the store is read-only")
