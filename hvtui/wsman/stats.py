"""Counters of what a client put on the wire, for tests, benchmarks and the status bar."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class ClientStats:
    """``round_trips`` counts HTTP exchanges, authentication legs included; ``operations``
    counts WS-Management operations (Identify, Enumerate, Pull, Release, Get, Invoke).
    Bytes are HTTP bodies as they crossed the wire (sealed, when encrypted), over the
    client's whole life: one reply's size is on its result (``InvokeResult.reply_bytes``),
    not a difference of these counters, which other traffic on the connection moves."""

    round_trips: int = 0
    operations: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    handshakes: int = 0
    retries: int = 0

    def reset(self) -> None:
        for f in fields(self):
            setattr(self, f.name, 0)

    def snapshot(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
