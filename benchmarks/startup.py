"""Case 5b: ``hvtui --demo`` from start to its first complete screen.

A real run, headless: the real ``hvtui`` command in a detached tmux session (a real
pseudo-terminal that nobody looks at), started with ``new-session`` and read with
``capture-pane`` until the screen shows every demo host answered: "All hosts" and three
"· ok" host lines, the same sign the end-to-end test waits for. The time counts Python's
start, the imports, the start of the demo's simulator (a child process), the logins and first
refreshes of the three hosts, and the first paint; the screen is read every 10 ms.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks.figures import SECONDS, Row, aim_at_most

CASE = "5 UI"
AIM = 1.0
TIMEOUT = 60.0
POLL = 0.01


def available() -> str | None:
    """None when this case can run, else why not."""
    if shutil.which("tmux") is None:
        return "tmux is not installed"
    return None


def complete(screen: str) -> bool:
    return "All hosts" in screen and screen.count("· ok") >= 3


def one_start(width: int = 120, height: int = 40) -> tuple[float, float]:
    """(seconds to the first paint of anything, seconds to the first complete screen)."""
    hvtui = Path(sys.executable).with_name("hvtui")
    socket = f"hvtui-bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="hvtui-bench-") as tmp:
        env = {
            **os.environ,
            "HVTUI_CONFIG": str(Path(tmp) / "config.toml"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            "TEXTUAL_ANIMATIONS": "none",
        }
        env.pop("TMUX", None)

        def tmux(*args: str) -> str:
            done = subprocess.run(
                ["tmux", "-L", socket, *args],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
                env=env,
            )
            return done.stdout

        started = time.perf_counter()
        tmux("-f", os.devnull, "new-session", "-d", "-s", "demo", "-x", str(width), "-y", str(height),
             f"{hvtui} --demo")  # fmt: skip
        try:
            deadline = started + TIMEOUT
            screen = ""
            painted = None
            while time.perf_counter() < deadline:
                screen = tmux("capture-pane", "-p", "-t", "demo")
                if painted is None and screen.strip():
                    painted = time.perf_counter() - started
                if complete(screen):
                    done = time.perf_counter() - started
                    return painted if painted is not None else done, done
                time.sleep(POLL)
            raise RuntimeError(f"hvtui --demo showed no complete screen in {TIMEOUT:g} s:\n{screen}")
        finally:
            tmux("kill-server")


def measure(runs: int) -> list[Row]:
    one_start()  # warm the file cache: the figure is a start of an installed program, not a cold disk
    starts = [one_start() for _ in range(runs)]
    complete_row = Row(
        CASE,
        "demo: 3 hosts",
        "hvtui --demo to first complete screen",
        SECONDS,
        [done for _painted, done in starts],
        note="real run in a detached tmux",
    )
    painted_row = Row(
        CASE, "demo: 3 hosts", "hvtui --demo to first paint", SECONDS, [painted for painted, _done in starts]
    )
    return [aim_at_most(complete_row, AIM, f"<= {AIM} s"), painted_row]
