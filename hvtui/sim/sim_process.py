"""The simulator in a child process of its own, for a program that shows simulated hosts.

``hvtui --demo`` used to serve its hosts from a thread of its own process, where the
simulator's import, start and every reply shared one interpreter lock with the terminal UI
and the client reading the hosts. In a child process they run on another core, and start
while the UI is still importing.

The parent writes the options as one JSON line on the child's input (the password with them:
never in argv, where other users could read it); the child answers one JSON line, the hosts'
URIs or a one-line error, then serves until its input closes. That happens however the
parent ends, a kill included, so no simulator outlives its program.

On Linux the child is a fork of the parent, made while the parent has one thread: it starts
with what the parent has imported (asyncio, lxml, pyspnego and cryptography) and imports only
the simulator, 0.1 s of CPU where a fresh interpreter takes 0.18 s. Elsewhere it is a new
interpreter (``python -m hvtui.sim.sim_process``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import os
import signal
import subprocess
import sys
import threading
import time
from types import TracebackType
from typing import IO, Any, Protocol

from hvtui.sim.sim_options import OptionsError, SimOptions

STOP_WAIT = 5.0  # seconds a child has to stop once its input closes, before it is killed


def encode(options: SimOptions) -> str:
    """Options as one line of JSON (paths as text, the schemes as a list)."""
    return json.dumps(dataclasses.asdict(options), default=str)


def decode(line: str) -> SimOptions:
    fields: dict[str, Any] = json.loads(line)
    fields["auth"] = tuple(fields["auth"])
    return SimOptions(**fields)


class _Child(Protocol):
    def wait(self, timeout: float | None = None) -> int: ...

    def kill(self) -> None: ...


class _Forked:
    """A forked child, waited for and killed like a :class:`subprocess.Popen`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            pid, status = os.waitpid(self.pid, 0 if deadline is None else os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"simulator process {self.pid}", timeout or 0.0)
            else:
                time.sleep(0.01)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            os.kill(self.pid, signal.SIGKILL)


class SimProcess:
    """Simulated hosts served by a child process: ``start()``, then ``uris()``, then ``stop()``.

    ``start()`` returns at once; ``uris()`` waits until every host listens (or raises
    :class:`OptionsError` with the child's reason), so the caller can do its own work between.
    ``fork`` None: fork where that is safe (Linux, one thread), else a new interpreter.
    """

    def __init__(self, options: SimOptions, *, fork: bool | None = None) -> None:
        self.options = options
        self.fork = _may_fork() if fork is None else fork
        self._child: _Child | None = None
        self._to_child: IO[str] | None = None
        self._from_child: IO[str] | None = None

    def start(self) -> SimProcess:
        if self.fork:
            self._start_fork()
        else:
            self._start_interpreter()
        assert self._to_child is not None
        self._to_child.write(encode(self.options) + "\n")
        self._to_child.flush()
        return self

    def _start_interpreter(self) -> None:
        # -P: the user's current folder is not put on the child's module path.
        child = subprocess.Popen(
            [sys.executable, "-P", "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the parent's terminal belongs to the parent
            text=True,
            encoding="utf-8",
        )
        self._child, self._to_child, self._from_child = child, child.stdin, child.stdout

    def _start_fork(self) -> None:
        options_in, options_out = os.pipe()
        answer_in, answer_out = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: it never returns into the parent's code
            code = 1
            try:
                _keep_only(options_in, answer_out)
                with (
                    open(options_in, encoding="utf-8") as inp,
                    open(answer_out, "w", encoding="utf-8") as out,
                ):
                    code = serve(inp, out)
            finally:
                os._exit(code)
        os.close(options_in)
        os.close(answer_out)
        self._child = _Forked(pid)
        self._to_child = open(options_out, "w", encoding="utf-8")  # noqa: SIM115 - closed by stop()
        self._from_child = open(answer_in, encoding="utf-8")  # noqa: SIM115 - closed by stop()

    def uris(self) -> list[str]:
        """The hosts' URIs, once every host listens."""
        child, answers = self._child, self._from_child
        if child is None or answers is None:
            raise RuntimeError("SimProcess.uris() before start()")
        line = answers.readline()
        try:
            answer = json.loads(line) if line else {}
        except json.JSONDecodeError:
            answer = {}
        if "uris" in answer:
            return [str(uri) for uri in answer["uris"]]
        raise OptionsError(answer.get("error") or f"the simulator stopped (exit status {child.wait()})")

    def stop(self) -> None:
        child, self._child = self._child, None
        for pipe in (self._to_child, self._from_child):
            if pipe is not None:
                pipe.close()
        self._to_child = self._from_child = None
        if child is None:
            return
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


def _may_fork() -> bool:
    """A fork copies only the thread that makes it: safe here with one thread, on Linux (on
    macOS, system libraries a parent has touched may not survive one)."""
    return sys.platform == "linux" and threading.active_count() == 1


def _keep_only(*keep: int) -> None:
    """In a forked child: close every descriptor the parent had open but ``keep``.

    Its standard streams are the parent's terminal, which nothing of the child may reach
    (they become /dev/null), and a pipe of the parent's held open here would keep another
    of its children from seeing its input close.
    """
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep:
            with contextlib.suppress(OSError):  # the listing's own descriptor, gone once listed
                os.close(fd)


def serve(inp: IO[str], out: IO[str]) -> int:
    """The child: serve the options read from ``inp`` until ``inp`` closes."""
    # Ctrl+C is the parent's to answer; this process stops when the parent closes its input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The simulator's modules and hosts live as long as the process: the collector waits
    # until they are made, then leaves them out of its walks.
    gc.disable()
    try:
        from hvtui.sim.simulator import Simulator

        simulator = Simulator(decode(inp.readline())).start()
    except OptionsError as exc:
        out.write(json.dumps({"error": str(exc)}) + "\n")
        out.flush()
        return 2
    except Exception as exc:  # noqa: BLE001 - said to the parent, whose user sees nothing of this process
        out.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n")
        out.flush()
        return 1
    finally:
        gc.freeze()
        gc.enable()
    try:
        out.write(json.dumps({"uris": [host.uri for host in simulator.hosts]}) + "\n")
        out.flush()
        inp.read()  # until the parent closes it, or is gone
    finally:
        simulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(serve(sys.stdin, sys.stdout))
