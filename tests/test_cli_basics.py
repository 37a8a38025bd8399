"""The command exists, answers --help and --version, and runs as a module."""

from __future__ import annotations

import subprocess
import sys

from hvtui import __version__
from hvtui.cli import main


def test_help_exits_zero(capsys):
    assert main(["--help"]) == 0
    assert "hyperv://" in capsys.readouterr().out


def test_version(capsys):
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_python_dash_m():
    result = subprocess.run(
        [sys.executable, "-m", "hvtui", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert "usage: hvtui" in result.stdout
