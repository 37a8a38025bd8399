"""``hvtui --demo`` in a real terminal: tmux runs it at a fixed size, we type and read the screen.

This is the only test that goes through the real CLI, a real pseudo-terminal and the real
terminal driver (keys as escape sequences, the 16-colour theme tmux's TERM asks for).
Reading the screen is polling by nature: each wait has a deadline and says what it waited for.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
HVTUI = Path(sys.executable).with_name("hvtui")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)"),
]


class Terminal:
    """One tmux server of our own (its own socket), one session, one window."""

    def __init__(self, socket: str, env: dict[str, str]) -> None:
        self.socket = socket
        self.env = env

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            [TMUX or "tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
            env=self.env,
        )
        return result.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "demo")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "demo", *keys)

    def wait_for(self, what: str, test: Callable[[str], bool], timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if test(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")

    def alive(self) -> bool:
        return "demo" in self.tmux("list-sessions", "-F", "#{session_name}")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    socket = f"hvtui-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "HVTUI_CONFIG": str(tmp_path / "config.toml"),  # --demo writes nothing; prove it below
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "TEXTUAL_ANIMATIONS": "none",
    }
    env.pop("TMUX", None)
    term = Terminal(socket, env)
    command = f"{HVTUI} --demo"
    term.tmux("-f", os.devnull, "new-session", "-d", "-s", "demo", "-x", "80", "-y", "24", command)
    try:
        yield term
    finally:
        term.tmux("kill-server")


def test_demo_in_tmux_at_80x24(terminal: Terminal, tmp_path: Path):
    screen = terminal.wait_for(
        "three simulated hosts to answer",
        lambda s: "All hosts" in s and s.count("· ok") >= 3,
    )
    assert "demo: simulated hosts" in screen or "demo" in screen.splitlines()[0]
    assert "Name" in screen
    assert "State" in screen
    assert "? Help" in screen

    terminal.keys("/")
    terminal.keys("-l", "backup")
    screen = terminal.wait_for("the filter to apply", lambda s: "filter “backup”" in s)
    rows = [line for line in screen.splitlines() if "Running" in line or "Off" in line]
    assert rows
    assert all("backup" in line for line in rows)
    terminal.keys("Escape")
    terminal.wait_for("the filter to clear", lambda s: "filter “" not in s)

    terminal.keys("?")
    terminal.wait_for("the help screen", lambda s: "Keys" in s and "Turn off" in s)
    terminal.keys("Escape")
    terminal.wait_for("the main screen again", lambda s: "All hosts" in s)

    terminal.keys("Enter")
    terminal.wait_for("the VM detail", lambda s: "UUID" in s and "EnabledState" in s)
    terminal.keys("Escape")
    terminal.wait_for("the main screen again", lambda s: "All hosts" in s)

    terminal.keys("q")
    deadline = time.monotonic() + 15
    while terminal.alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not terminal.alive(), "q quits"
    assert not (tmp_path / "config.toml").exists(), "--demo writes no config"
