"""The ``hvtui`` command line: the TUI by default, subcommands for scripts.

Exit codes are part of the interface (:mod:`hvtui.cli.exits`). Every failure is one line
on stderr, never a traceback. Nothing on a non-TUI path imports Textual: only
:mod:`hvtui.cli.launch` reaches the TUI, and only from inside the functions that start it.
"""

from hvtui.cli.collector import imports_set_aside

with imports_set_aside():  # about 100,000 objects that live as long as the process
    from hvtui.cli.entry import main, run
    from hvtui.cli.logfile import configure_logging

__all__ = ["configure_logging", "main", "run"]
