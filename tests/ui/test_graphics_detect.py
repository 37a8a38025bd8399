"""Which image protocol the console view uses: from the environment, and from a terminal's
answers, here a fake terminal on the other end of a pseudo-terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import termios
import threading

import pytest

from hvtui.ui.graphics.detect import DEFAULT_CELL, detect, from_environment, parse_answers


@pytest.mark.parametrize(
    ("env", "mode"),
    [
        ({"TERM": "xterm-kitty"}, "kitty"),
        ({"TERM": "xterm-256color", "KITTY_WINDOW_ID": "3"}, "kitty"),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, "iterm"),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, "iterm"),
        ({"TERM": "xterm-ghostty"}, "kitty"),
        ({"TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0", "KITTY_WINDOW_ID": "3"}, "blocks"),
        ({"TERM": "screen", "STY": "1.pts-0"}, "blocks"),
        ({"TERM": "linux"}, "blocks"),
        ({"TERM": "xterm-256color"}, None),
    ],
)
def test_the_environment_settles_what_it_can(env, mode):
    settled = from_environment(env)
    assert (settled[0] if settled else None) == mode


def test_answers_name_the_protocol_and_the_cell_size():
    assert parse_answers(b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1b[?62;22c") == ("kitty", (10, 20))
    assert parse_answers(b"\x1b[6;16;8t\x1b[?63;1;2;4;6;9;15;22c") == ("sixel", (8, 16))
    assert parse_answers(b"\x1b[?62;44;22c") == (None, None)  # 44 is not 4
    assert parse_answers(b"\x1b_Gi=31;ENOTSUPPORTED:x\x1b\\\x1b[?1;2c")[0] is None


class FakeTerminal:
    """The far end of a pty: reads the queries and answers as a given terminal would."""

    def __init__(self, answer: bytes, pixels: tuple[int, int, int, int] = (24, 80, 0, 0)) -> None:
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", *pixels))
        self.answer = answer
        self.asked = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.asked.endswith(b"\x1b[c"):
            self.asked += os.read(self.master, 1024)
        if self.answer:
            os.write(self.master, self.answer)

    def close(self) -> None:
        self.thread.join(2)
        os.close(self.master)
        os.close(self.slave)


@pytest.mark.parametrize(
    ("answer", "mode", "cell"),
    [
        (b"\x1b_Gi=31;OK\x1b\\\x1b[6;18;9t\x1b[?62;c", "kitty", (9, 18)),
        (b"\x1b[6;16;8t\x1b[?62;4;22c", "sixel", (8, 16)),
        (b"\x1b[?1;2c", "blocks", DEFAULT_CELL),
    ],
)
def test_a_terminal_is_asked_when_the_environment_cannot_tell(answer, mode, cell):
    terminal = FakeTerminal(answer)
    try:
        graphics = detect("auto", {"TERM": "xterm-256color"}, terminal.slave, terminal.slave)
    finally:
        terminal.close()
    assert (graphics.mode, graphics.cell) == (mode, cell)
    assert terminal.asked.startswith(b"\x1b_Gi=31,") and b"\x1b[16t" in terminal.asked


def test_a_silent_terminal_costs_only_the_timeout_and_the_window_gives_the_cell():
    terminal = FakeTerminal(b"", pixels=(30, 100, 1000, 600))
    try:
        graphics = detect("auto", {"TERM": "xterm-256color"}, terminal.slave, terminal.slave)
        forced = detect("sixel", {"TERM": "xterm-256color"}, terminal.slave, terminal.slave)
    finally:
        terminal.close()
    assert graphics.mode == "blocks" and graphics.cell == (10, 20)
    assert (forced.mode, forced.cell) == ("sixel", (10, 20))


def test_nothing_is_asked_of_what_is_not_a_terminal(tmp_path):
    with open(tmp_path / "out", "w") as out:
        assert detect("auto", {"TERM": "xterm-kitty"}, out.fileno(), out.fileno()).mode == "blocks"


def test_the_command_line_offers_the_modes_detection_knows():
    from hvtui.cli.exits import UsageError
    from hvtui.cli.parser import tui_parser
    from hvtui.ui.graphics.detect import MODES

    parser = tui_parser()
    assert parser.parse_args(["--graphics", "sixel"]).graphics == "sixel"
    assert parser.parse_args([]).graphics == "auto"
    assert tuple(parser._option_string_actions["--graphics"].choices) == MODES
    with pytest.raises(UsageError, match="invalid choice: 'png'"):
        parser.parse_args(["--graphics", "png"])
