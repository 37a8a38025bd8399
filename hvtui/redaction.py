"""Defence in depth for the log file: any password hvtui holds is blotted out of what it writes.

hvtui never logs a password; this makes sure that a future mistake, or a message from a
library that echoes what it was given, cannot put one in the log file either. Every
password becomes known here when it is wrapped in credentials, with the Basic header form
of it; the log handler's formatter replaces each with ``***``. Passwords shorter than
:data:`MIN_LENGTH` are not blotted out: doing so would garble every line and, by where the
stars fall, give the password away.
"""

from __future__ import annotations

import base64
import logging
import threading

MIN_LENGTH = 4
MASK = "***"
#: A bound on what is remembered (wrong passwords typed again and again add up).
MAX_SECRETS = 256

_lock = threading.Lock()
_secrets: dict[str, None] = {}  # insertion-ordered: the oldest is forgotten first


def remember(password: str, user: str | None = None) -> None:
    """Have ``password`` (and, with ``user``, its Basic header token) masked in the log."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return
    forms = [password]
    if user is not None:
        forms.append(base64.b64encode(f"{user}:{password}".encode()).decode("ascii"))
    with _lock:
        for form in forms:
            _secrets.pop(form, None)
            _secrets[form] = None
        while len(_secrets) > MAX_SECRETS:
            del _secrets[next(iter(_secrets))]


def redact(text: str) -> str:
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)  # a password inside another: the longer first
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFormatter(logging.Formatter):
    """Formats as usual -- message, exception and stack included -- then masks known passwords."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
