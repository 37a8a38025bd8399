"""``hvtui screenshot`` and ``hvtui send-key`` as real processes against the simulator.

PNGs are checked with Pillow, a standard decoder independent of the code that wrote them."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys

import pytest
from PIL import Image

from tests.conftest import SIM_DEFAULTS, SIM_PASSWORD
from tests.support.scenarios import write_scenario


def hvtui(*args: str, password_file=None, cwd=None) -> subprocess.CompletedProcess[bytes]:
    argv = [sys.executable, "-m", "hvtui", *args]
    if password_file is not None:
        argv += ["--password-file", str(password_file)]
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    return subprocess.run(argv, capture_output=True, timeout=60, check=False, env=env, cwd=cwd)


@pytest.fixture(scope="module")
def console_host(tmp_path_factory):
    from hvtui.sim import SimOptions, Simulator

    scenario = write_scenario([("web-01", "running"), ("db-01", "off")], tmp=tmp_path_factory.mktemp("cli"))
    options = {**SIM_DEFAULTS, "hosts": 1, "scenario": scenario, "max_envelope_kb": 8192}
    with Simulator(SimOptions(**options)) as sim:
        host = sim.hosts[0]
        host.model.set_resolution("web-01", 1024, 768)
        yield host


@pytest.fixture
def pwfile(tmp_path):
    path = tmp_path / "pw"
    path.write_text(SIM_PASSWORD + "\n")
    path.chmod(0o600)
    return path


def test_screenshot_at_the_screens_resolution_opens_in_a_standard_decoder(console_host, pwfile, tmp_path):
    target = tmp_path / "shot.png"
    result = hvtui(
        "screenshot", console_host.uri, "web-01", str(target), "--size", "1024x768", password_file=pwfile
    )
    assert result.returncode == 0, result.stderr
    assert b"1024x768 screenshot saved to" in result.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with Image.open(target) as picture:
        picture.load()
        assert (picture.format, picture.mode, picture.size) == ("PNG", "RGB", (1024, 768))
        expected = console_host.model.screen("web-01").picture(1024, 768)
        r5, g6 = expected[1] >> 3, ((expected[1] & 7) << 3) | (expected[0] >> 5)
        assert picture.getpixel((0, 0))[:2] == ((r5 << 3) | (r5 >> 2), (g6 << 2) | (g6 >> 4))


def test_screenshot_by_default_fits_winrms_default_limit_and_says_so(console_host, pwfile, tmp_path):
    result = hvtui("screenshot", console_host.uri, "web-01", password_file=pwfile, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "web-01.png") as picture:
        width, height = picture.size
    assert width < 1024 and abs(width / height - 4 / 3) < 0.01
    assert f"saved at {width}x{height}, not the screen's 1024x768".encode() in result.stderr


def test_screenshot_to_stdout_is_the_png_alone(console_host, pwfile):
    result = hvtui("screenshot", console_host.uri, "web-01", "-", "--size", "160x120", password_file=pwfile)
    assert result.returncode == 0, result.stderr
    with Image.open(io.BytesIO(result.stdout)) as picture:
        assert picture.size == (160, 120)


def test_screenshot_refuses_what_cannot_work_before_asking_a_host(console_host, tmp_path):
    missing = hvtui("screenshot", console_host.uri, "web-01", str(tmp_path / "no" / "x.png"))
    assert missing.returncode == 2 and b"no such folder" in missing.stderr
    bad = hvtui("screenshot", console_host.uri, "web-01", "--size", "big")
    assert bad.returncode == 2 and b"is not a size such as 640x480" in bad.stderr
    assert b"Traceback" not in missing.stderr + bad.stderr


def test_screenshot_refuses_a_terminal_as_stdout(monkeypatch):
    import argparse

    from hvtui.cli.console import check_screenshot
    from hvtui.cli.exits import UsageError

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    with pytest.raises(UsageError, match="refusing to write a PNG to a terminal"):
        check_screenshot(argparse.Namespace(file="-"))


def test_send_key_keys_text_and_ctrl_alt_del(console_host, pwfile):
    keys = hvtui("send-key", console_host.uri, "web-01", "KEY_LEFTSHIFT", "KEY_H", password_file=pwfile)
    assert keys.returncode == 0, keys.stderr
    assert keys.stdout == b"web-01: sent KEY_LEFTSHIFT KEY_H\n"
    numbers = hvtui(
        "send-key", console_host.uri, "web-01", "23", "--holdtime", "20", password_file=pwfile
    )  # KEY_I
    assert numbers.returncode == 0, numbers.stderr
    text = hvtui("send-key", console_host.uri, "web-01", "--text", " there", password_file=pwfile)
    assert text.returncode == 0 and text.stdout == b"web-01: typed 6 characters\n"
    cad = hvtui("send-key", console_host.uri, "web-01", "--ctrl-alt-del", password_file=pwfile)
    assert cad.returncode == 0 and cad.stdout == b"web-01: sent Ctrl+Alt+Del\n"
    screen = console_host.model.screen("web-01")
    assert screen.lines[-1].endswith("Hi there")
    assert screen.signing_in


def test_send_key_to_an_off_vm_is_refused_in_one_line(console_host, pwfile):
    result = hvtui("send-key", console_host.uri, "db-01", "--text", "x", password_file=pwfile)
    assert result.returncode == 1
    assert result.stdout == b""
    assert result.stderr.decode().strip().count("\n") == 0
    assert "db-01 is not running: its keyboard takes no keys" in result.stderr.decode()


def test_send_key_usage_errors_name_the_bad_key(console_host):
    unknown = hvtui("send-key", console_host.uri, "web-01", "KEY_NOPE")
    assert unknown.returncode == 2 and b"unknown key 'KEY_NOPE'" in unknown.stderr
    nothing = hvtui("send-key", console_host.uri, "web-01")
    assert nothing.returncode == 2 and b"give KEYs, or --text TEXT, or --ctrl-alt-del" in nothing.stderr
