"""``python -m hvtui``: the same entry point as the ``hvtui`` command."""

from hvtui.cli import run

raise SystemExit(run())
