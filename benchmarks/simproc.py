"""The simulator as a separate process (``hvtui sim``), so the client's CPU time is its own.

Run in-process, the simulator's rendering and sealing would be counted as client CPU and
would compete with the client for the interpreter lock. Here it gets its own process and
its own password file (mode 0600, removed afterwards); its ready lines (one per host,
starting with the host's URI) say where the hosts listen.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from benchmarks.machine import process_cpu_seconds

START_TIMEOUT = 120.0


def write_private(path: Path, text: str) -> None:
    """Create ``path`` readable by its owner alone (0600) before anything is in it: a password goes there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


class SimProcessError(RuntimeError):
    pass


class SimProcess:
    """``with SimProcess(hosts=1, vms=1000, latency_ms=20) as sim: sim.uris, sim.password``."""

    def __init__(
        self,
        *,
        hosts: int = 1,
        vms: int = 20,
        latency_ms: float = 0.0,
        seed: int = 0,
        extra: tuple[str, ...] = (),
    ) -> None:
        self.hosts = hosts
        self.vms = vms
        self.latency_ms = latency_ms
        self.seed = seed
        self.extra = extra
        self.password = "bench-" + secrets.token_urlsafe(12)
        self.uris: list[str] = []
        self.pid = 0
        self.counters_text = ""
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> SimProcess:
        self._dir = tempfile.TemporaryDirectory(prefix="hvtui-bench-")
        password_file = Path(self._dir.name) / "password"
        write_private(password_file, self.password + "\n")
        argv = [
            sys.executable,
            "-m",
            "hvtui",
            "sim",
            "--hosts",
            str(self.hosts),
            "--vms",
            str(self.vms),
            "--latency-ms",
            f"{self.latency_ms:g}",
            "--seed",
            str(self.seed),
            "--port",
            "0",
            "--password-file",
            str(password_file),
            *self.extra,
        ]
        self._process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.pid = self._process.pid
        try:
            self.uris = self._read_ready_lines()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _read_ready_lines(self) -> list[str]:
        # Raw reads, not readline(): a buffered reader could hold ready lines that select()
        # then never reports.
        assert self._process is not None
        assert self._process.stdout is not None
        fd = self._process.stdout.fileno()
        uris: list[str] = []
        pending = b""
        deadline = time.monotonic() + START_TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while len(uris) < self.hosts:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise SimProcessError(
                        f"hvtui sim did not report {self.hosts} hosts in {START_TIMEOUT:g} s"
                    )
                chunk = os.read(fd, 65536)
                if not chunk:
                    error = self._process.stderr.read() if self._process.stderr else b""
                    raise SimProcessError(
                        f"hvtui sim exited before it was ready: {error.decode(errors='replace').strip()}"
                    )
                pending += chunk
                *lines, pending = pending.split(b"\n")
                uris += [line.split()[0].decode() for line in lines if line.startswith(b"hyperv://")]
        return uris

    def cpu_seconds(self) -> float | None:
        """The simulator's user + system CPU so far (to show how much of a wall time was the server's)."""
        return process_cpu_seconds(self.pid)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                out, _err = process.communicate(timeout=30)
                self.counters_text = out.decode(errors="replace")
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        if self._dir is not None:
            with contextlib.suppress(OSError):
                self._dir.cleanup()
            self._dir = None
