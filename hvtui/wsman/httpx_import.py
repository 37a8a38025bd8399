"""httpx, imported without its command-line module.

httpx's package imports its own command line (``httpx._main``: click, pygments and Rich's
console, progress, syntax and table modules) whenever those are installed, and with Textual
they are: 40-80 ms of every hvtui start, for a tool hvtui never runs. A placeholder module
without ``main`` makes httpx take the fallback it has for a missing CLI extra. The package
``hvtui.wsman`` imports this module first, so it runs before any import of httpx.
"""

from __future__ import annotations

import sys
import types

if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))

import httpx

__all__ = ["httpx"]
