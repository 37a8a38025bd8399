"""Where passwords live: the system keyring when there is one, else memory for this session.

The keyring entry is service ``hvtui`` with the host's canonical URI as the user key, the
same for the CLI and the TUI. Over SSH there is often no Secret Service; then, and whenever
a keyring backend fails, passwords stay in memory only and :attr:`CredentialStore.reason`
says why in one line. Passwords are never logged, printed or written anywhere else.
"""

from __future__ import annotations

import logging
from typing import Any

SERVICE = "hvtui"
_log = logging.getLogger(__name__)

NO_BACKEND = (
    "no system keyring is available (no Secret Service in this session, usual over SSH): "
    "passwords are kept in memory for this session only"
)


class CredentialStore:
    """Keyring first, memory always. Never raises on a keyring failure: it degrades."""

    def __init__(self, backend: Any | None = None, *, use_keyring: bool = True) -> None:
        self._memory: dict[str, str] = {}
        self._backend: Any | None = None
        self._given = backend
        # The backend is looked for on first use: finding one costs about 0.3 s (keyring
        # walks its entry points), which a command given --password-file never needs.
        self._pending = use_keyring
        self._reason: str | None = (
            None if use_keyring else "the keyring is not used in this mode: passwords stay in memory"
        )
        self._failure: str | None = None

    def _resolve(self) -> None:
        if not self._pending:
            return
        self._pending = False
        try:
            self._backend = self._given if self._given is not None else _system_backend()
        except Exception as exc:  # noqa: BLE001 - any backend failure means "no keyring"
            self._disable(exc)
            return
        if self._backend is None:
            self._reason = NO_BACKEND

    @property
    def keyring_available(self) -> bool:
        self._resolve()
        return self._backend is not None

    @property
    def reason(self) -> str | None:
        """Why passwords stay in memory only (None while the keyring works)."""
        self._resolve()
        return self._reason

    @property
    def failure(self) -> str | None:
        """Why the keyring failed ("KeyringLocked: ..."), once it did."""
        self._resolve()
        return self._failure

    def get(self, key: str) -> str | None:
        if key in self._memory:
            return self._memory[key]
        self._resolve()
        if self._backend is None:
            return None
        try:
            value = self._backend.get_password(SERVICE, key)
        except Exception as exc:  # noqa: BLE001
            self._disable(exc)
            return None
        if value is not None:
            self._memory[key] = value
        return value

    def remember(self, key: str, password: str, *, persist: bool) -> str | None:
        """Keep a password for the session, and in the keyring when ``persist``.

        Returns a one-line warning when it could not be stored in the keyring.
        """
        self._memory[key] = password
        if not persist:
            return None
        self._resolve()
        if self._backend is None:
            return self.reason or NO_BACKEND
        try:
            self._backend.set_password(SERVICE, key, password)
        except Exception as exc:  # noqa: BLE001
            self._disable(exc)
            return self.reason
        return None

    def forget(self, key: str, *, from_keyring: bool = True) -> str | None:
        """Drop a password from memory (and from the keyring); a warning when that failed."""
        self._memory.pop(key, None)
        backend = self._backend if from_keyring and self.keyring_available else None
        if backend is None:
            return None
        try:
            backend.delete_password(SERVICE, key)
        except Exception as exc:  # noqa: BLE001
            if type(exc).__name__ == "PasswordDeleteError" and not self._still_stored(key):
                return None  # nothing was stored: nothing to do
            detail = " ".join(str(exc).split())[:120] or type(exc).__name__
            return (
                f"the system keyring could not remove it ({type(exc).__name__}: {detail}): it is still stored"
            )
        return None

    def _still_stored(self, key: str) -> bool:
        """After a refused delete: is the entry there? (Backends raise the same error for both.)"""
        try:
            return self._backend is not None and self._backend.get_password(SERVICE, key) is not None
        except Exception:  # noqa: BLE001 - cannot tell: assume the worst
            return True

    def _disable(self, exc: BaseException) -> None:
        self._backend = None
        detail = " ".join(str(exc).split())[:120] or type(exc).__name__
        self._failure = f"{type(exc).__name__}: {detail}"
        self._reason = (
            f"the system keyring failed ({self._failure}): passwords are kept in memory for this session only"
        )
        _log.warning("keyring disabled: %s", type(exc).__name__)


def _system_backend() -> Any | None:
    """The configured keyring backend, or None when it can store nothing."""
    import keyring  # deferred: keyring discovers backends through entry points, which is slow
    from keyring.backends import chainer, fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or type(backend).__module__.endswith("null"):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    priority = getattr(backend, "priority", 1)
    if isinstance(priority, int | float) and priority <= 0:
        return None
    return backend
