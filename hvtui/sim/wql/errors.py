"""The two ways WMI refuses a query, by the WBEM error code it returns.

"WMI Error Constants": WBEM_E_INVALID_QUERY (0x80041017) for a query WMI cannot parse or bind,
WBEM_E_INVALID_CLASS (0x80041010) for a class the namespace does not have. WinRM wraps both in
an ``n:CannotProcessFilter`` fault whose inner message says which.
"""

from __future__ import annotations

WBEM_E_INVALID_CLASS = 0x80041010
WBEM_E_INVALID_QUERY = 0x80041017


class WQLError(ValueError):
    """A query WMI would refuse; ``code`` is the WBEM error it would return."""

    def __init__(self, message: str, code: int = WBEM_E_INVALID_QUERY) -> None:
        super().__init__(message)
        self.code = code

    @property
    def invalid_class(self) -> bool:
        return self.code == WBEM_E_INVALID_CLASS
