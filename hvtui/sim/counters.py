"""What a simulated host was asked: requests per operation, for tests and benchmarks to assert on.

Thread-safe: the host counts on the simulator's loop while tests read from their own thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator


class Counters:
    """Requests per operation (Identify, Enumerate, Pull, Release, Get, Invoke:<Method>) and http_401."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def add(self, name: str) -> None:
        with self._lock:
            self._counts[name] = self._counts.get(name, 0) + 1

    def __getitem__(self, name: str) -> int:
        with self._lock:
            return self._counts.get(name, 0)

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def as_dict(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    @property
    def total(self) -> int:
        """Every SOAP operation counted (401 replies are not operations)."""
        with self._lock:
            return sum(v for k, v in self._counts.items() if k != "http_401")

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def __repr__(self) -> str:
        return f"Counters({self.as_dict()})"
