"""Imports that make objects living as long as the process, kept out of the collector's way.

Importing hvtui's command line or its terminal UI makes tens of thousands of objects that
never die. The collector, run every 700 new objects, would walk them again and again while
they come in (10 ms of a short command, 20-40 ms of ``--demo``'s start) and at every full
collection after. It waits until they are in, and they are then set aside (``gc.freeze``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def imports_set_aside() -> Iterator[None]:
    """Run the block with the collector paused, then freeze every object alive."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
