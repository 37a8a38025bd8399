"""Running the ``hvtui`` command line for a test: in this process, or as a real process.

In this process is fast and lets a test assert on exit codes and stderr for a whole matrix
of faults; pytest turns any exception the CLI lets escape, and any "exception ignored"
(PytestUnraisableExceptionWarning), into a failure. As a process it also proves what only a
process can show: nothing printed at interpreter exit, the argv others can read, the peak
memory (``ru_maxrss`` of exactly that child, from ``os.wait4``).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hvtui.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str
    seconds: float = 0.0
    max_rss_kib: int = 0

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def password_file(directory: Path, password: str) -> Path:
    path = directory / "password"
    path.write_text(password + "\n")
    path.chmod(0o600)
    return path


def run(*args: str, stdin: str = "") -> Result:
    """``hvtui ARGS`` in this process, with ``stdin`` as its (non-terminal) standard input."""
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        sys.stdin = saved
    return Result(code, out.getvalue(), err.getvalue(), time.monotonic() - started)


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HVTUI_")}
    env.update(
        {
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            "COLUMNS": "120",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            # Never the user's own config: its hosts or password_command would change what runs.
            "HVTUI_CONFIG": str(Path(tempfile.gettempdir()) / "hvtui-tests-no-config" / "config.toml"),
        }
    )
    env.update(extra)
    return env


def run_process(
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 60.0,
    while_running: Callable[[int], None] | None = None,
    module: str = "hvtui",
) -> Result:
    """``python -m hvtui ARGS`` as a child process; ``while_running(pid)`` is called once it started."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
            env=env if env is not None else base_env(),
        )
        assert child.stdin is not None
        if stdin is not None:
            child.stdin.write(stdin.encode())
        child.stdin.close()
        killer = threading.Timer(timeout, child.kill)  # a hung CLI fails the test, not the suite
        killer.start()
        try:
            if while_running is not None:
                while_running(child.pid)
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        assert seconds < timeout, f"hvtui {' '.join(args)} was killed after {timeout:g}s"
        out.seek(0)
        err.seek(0)
        return Result(
            child.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            usage.ru_maxrss,
        )
