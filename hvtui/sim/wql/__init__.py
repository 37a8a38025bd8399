"""WQL, the query language of WMI, as the simulator's WMI provider evaluates it.

:mod:`lexer` → :mod:`parser` (cached by text) → :mod:`syntax` trees; :mod:`evaluate` binds a
WHERE tree to a class and compiles it; :mod:`values` holds WMI's comparison rules and
:mod:`paths` its object paths. Running a query against a host is :mod:`hvtui.sim.queries`.
"""

from hvtui.sim.wql.errors import WBEM_E_INVALID_CLASS, WBEM_E_INVALID_QUERY, WQLError
from hvtui.sim.wql.evaluate import SYSTEM_PROPERTIES, compile_where
from hvtui.sim.wql.parser import parse
from hvtui.sim.wql.paths import ObjectPath, parse_object_path
from hvtui.sim.wql.syntax import AssocQuery, Select

__all__ = [
    "SYSTEM_PROPERTIES",
    "WBEM_E_INVALID_CLASS",
    "WBEM_E_INVALID_QUERY",
    "AssocQuery",
    "ObjectPath",
    "Select",
    "WQLError",
    "compile_where",
    "parse",
    "parse_object_path",
]
