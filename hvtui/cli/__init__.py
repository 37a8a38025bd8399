"""The ``hvtui`` command line: the TUI by default, subcommands for scripts.

Exit codes are part of the interface (:mod:`hvtui.cli.exits`). Every failure is one line
on stderr, never a traceback. Nothing on a non-TUI path imports Textual: only
:mod:`hvtui.cli.launch` reaches the TUI, and only from inside the functions that start it.
"""

import gc

# The imports below make about 100,000 objects that live as long as the process; the
# collector, run every 700 new ones, would walk them again and again (10 ms of a short
# command). It waits until they are in and sets them aside before it runs again: its first
# run would otherwise walk them all once more (another 10 ms).
_collecting = gc.isenabled()
gc.disable()
try:
    from hvtui.cli.entry import main, run
    from hvtui.cli.logfile import configure_logging
finally:
    gc.freeze()
    if _collecting:
        gc.enable()

__all__ = ["configure_logging", "main", "run"]
