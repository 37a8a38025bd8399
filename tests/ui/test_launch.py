"""The CLI builds TuiOptions on any path: hvtui.ui.launch must not load Textual, nor show a password."""

from __future__ import annotations

import subprocess
import sys

from hvtui.ui.launch import HostSpec, TuiOptions
from hvtui.uri import parse_uri


def test_launch_options_import_no_textual():
    code = "import sys, hvtui.ui.launch; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_host_spec_never_shows_its_password():
    spec = HostSpec(parse_uri("hyperv://hv01/"), "Sekr1t-Value")
    options = TuiOptions(hosts=[spec])
    assert "Sekr1t-Value" not in repr(spec)
    assert "Sekr1t-Value" not in repr(options)
    assert "***" in repr(spec)
