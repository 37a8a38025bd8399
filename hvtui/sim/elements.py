"""What every healthy, enabled element reports: a host's own services, switches and computer system.

Windows fills these CIM_EnabledLogicalElement properties the same way for each of them; one
definition keeps the simulated classes from drifting apart.
"""

from __future__ import annotations

from typing import Any


def enabled_ok() -> dict[str, Any]:
    """OperationalStatus OK, health OK, enabled (2), no state change requested (12)."""
    return {
        "OperationalStatus": [2],
        "StatusDescriptions": ["OK"],
        "HealthState": 5,
        "EnabledState": 2,
        "RequestedState": 12,
        "EnabledDefault": 2,
    }
