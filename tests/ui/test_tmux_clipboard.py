"""``c`` copies a VM's first IP with OSC 52, which reaches tmux's clipboard when tmux is told
to accept it (``set -g set-clipboard on``, as the README says): a real terminal, a real key."""

from __future__ import annotations

import ipaddress
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.test_tmux_demo import HVTUI, TMUX, Terminal

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)"),
]


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    conf = tmp_path / "tmux.conf"
    conf.write_text("set -g set-clipboard on\n")
    env = {
        **os.environ,
        "HVTUI_CONFIG": str(tmp_path / "config.toml"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "TEXTUAL_ANIMATIONS": "none",
    }
    env.pop("TMUX", None)
    term = Terminal(f"hvtui-clip-{uuid.uuid4().hex[:8]}", env)
    term.tmux("-f", str(conf), "new-session", "-d", "-s", "demo", "-x", "100", "-y", "30", f"{HVTUI} --demo")
    try:
        yield term
    finally:
        term.tmux("kill-server")


def test_c_puts_the_first_ip_on_tmux_s_clipboard(terminal: Terminal):
    terminal.wait_for("three simulated hosts", lambda s: "All hosts" in s and s.count("· ok") >= 3)
    terminal.keys("/")
    terminal.keys("-l", "running")
    terminal.wait_for("the filter to apply", lambda s: "filter “running”" in s)
    terminal.keys("Enter")
    deadline = time.monotonic() + 30
    copied = ""
    while time.monotonic() < deadline and not copied:
        terminal.keys("c")  # a running VM's guest may take a refresh to report
        time.sleep(0.5)
        copied = terminal.tmux("show-buffer").strip()
        if copied:
            break
        terminal.keys("Down")
    assert copied, "nothing reached tmux's clipboard"
    ipaddress.ip_address(copied)
