"""The session's record of actions: what was asked of which VM on which host, and how it ended.

Notifications vanish after a few seconds; this stays for the session (bounded), for the task
log screen. Pure Python: the verb flow writes it, the screen reads it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

LIMIT = 500  # records kept; the oldest go first

RUNNING = "running"
DONE = "done"
FAILED = "failed"
STILL_RUNNING = "still running"  # followed until the time limit and left running on the host


@dataclass
class TaskRecord:
    started: datetime
    host: str  # the host's short name, as the screens show it
    vm: str
    verb: str  # the verb's title: "Turn off"
    result: str = RUNNING
    detail: str = ""  # the progress while running ("35%"), else the outcome's message
    ended: datetime | None = None

    def duration(self, now: datetime) -> timedelta:
        return (self.ended or now) - self.started


def duration_text(duration: timedelta) -> str:
    """ "0.4 s", "12 s", "3 min 05 s": short, and precise where it matters."""
    seconds = max(0.0, duration.total_seconds())
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


class TaskLog:
    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now().astimezone()) -> None:
        self.clock = clock
        self.records: deque[TaskRecord] = deque(maxlen=LIMIT)

    def begin(self, host: str, vm: str, verb: str) -> TaskRecord:
        record = TaskRecord(self.clock(), host, vm, verb)
        self.records.append(record)
        return record

    def end(self, record: TaskRecord, result: str, detail: str) -> None:
        record.result = result
        record.detail = detail
        record.ended = self.clock()
