"""The simulator in a child process of its own, for a program that shows simulated hosts.

``hvtui --demo`` used to serve its hosts from a thread of its own process, where the
simulator's import, start and every reply shared one interpreter lock with the terminal UI
and the client reading the hosts. In a child process they run on another core, and start
while the UI is still importing.

The parent writes the options as one JSON line on the child's stdin (the password with them:
never in argv, where other users could read it); the child answers one JSON line on its
stdout, the hosts' URIs or a one-line error, then serves until its stdin closes. That
happens however the parent ends, a kill included, so no simulator outlives its program.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import signal
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from hvtui.sim.sim_options import OptionsError, SimOptions

STOP_WAIT = 5.0  # seconds a child has to stop once its stdin closes, before it is killed


def encode(options: SimOptions) -> str:
    """Options as one line of JSON (paths as text, the schemes as a list)."""
    fields = {
        name: str(value) if isinstance(value, Path) else value
        for name, value in dataclasses.asdict(options).items()
    }
    return json.dumps(fields)


def decode(line: str) -> SimOptions:
    fields: dict[str, Any] = json.loads(line)
    fields["auth"] = tuple(fields["auth"])
    return SimOptions(**fields)


class SimProcess:
    """Simulated hosts served by a child process: ``start()``, then ``uris()``, then ``stop()``.

    ``start()`` returns at once; ``uris()`` waits until every host listens (or raises
    :class:`OptionsError` with the child's reason), so the caller can do its own work between.
    """

    def __init__(self, options: SimOptions) -> None:
        self.options = options
        self._child: subprocess.Popen[str] | None = None

    def start(self) -> SimProcess:
        # -P: the user's current folder is not put on the child's module path.
        child = subprocess.Popen(
            [sys.executable, "-P", "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the parent's terminal belongs to the parent
            text=True,
            encoding="utf-8",
        )
        self._child = child
        stdin = _pipe(child.stdin)
        stdin.write(encode(self.options) + "\n")
        stdin.flush()
        return self

    def uris(self) -> list[str]:
        """The hosts' URIs, once every host listens."""
        child = self._child
        if child is None:
            raise RuntimeError("SimProcess.uris() before start()")
        line = _pipe(child.stdout).readline()
        try:
            answer = json.loads(line) if line else {}
        except json.JSONDecodeError:
            answer = {}
        if "uris" in answer:
            return [str(uri) for uri in answer["uris"]]
        raise OptionsError(answer.get("error") or f"the simulator stopped (exit status {child.wait()})")

    def stop(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        for pipe in (child.stdin, child.stdout):
            if pipe is not None:
                pipe.close()
        try:
            child.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

    def __enter__(self) -> SimProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _pipe(stream: IO[str] | None) -> IO[str]:
    if stream is None:
        raise RuntimeError("the simulator's process has no pipe")
    return stream


def main() -> int:
    """The child: serve the options on stdin until stdin closes."""
    # Ctrl+C is the parent's to answer; this process stops when the parent closes its stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = sys.stdout
    # The simulator's modules and hosts live as long as the process: the collector waits
    # until they are made, then leaves them out of its walks (15 ms of the 0.2 s it takes).
    gc.disable()
    try:
        from hvtui.sim.simulator import Simulator

        simulator = Simulator(decode(sys.stdin.readline())).start()
    except OptionsError as exc:
        out.write(json.dumps({"error": str(exc)}) + "\n")
        out.flush()
        return 2
    finally:
        gc.freeze()
        gc.enable()
    try:
        out.write(json.dumps({"uris": [host.uri for host in simulator.hosts]}) + "\n")
        out.flush()
        sys.stdin.read()  # until the parent closes it, or is gone
    finally:
        simulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
