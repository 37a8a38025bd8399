"""Diagnostics to a file the user chose, never to the terminal."""

from __future__ import annotations

import logging
import os
import sys


def configure_logging() -> None:
    """Log to the file named by ``HVTUI_LOG_FILE`` (debug detail with ``HVTUI_DEBUG=1``); else nowhere.

    A terminal UI cannot log to the terminal it draws on, and a script's stderr carries
    one-line errors only, so diagnostics go to a file the user chose, created private.
    """
    path = os.environ.get("HVTUI_LOG_FILE")
    if not path:
        logging.getLogger("hvtui").addHandler(logging.NullHandler())
        return
    level = logging.DEBUG if os.environ.get("HVTUI_DEBUG") == "1" else logging.INFO
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        handler = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8"))
    except OSError as exc:
        print(f"hvtui: cannot open log file {path}: {exc.strerror or exc}; not logging", file=sys.stderr)
        return
    from hvtui.redaction import RedactingFormatter

    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("hvtui")
    root.setLevel(level)
    root.addHandler(handler)
