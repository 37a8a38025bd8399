"""``hvtui sim --auth kerberos,ntlm --keytab F`` as a process: it serves Kerberos, and a host whose
clock is off (libfaketime) refuses tickets as a real one would."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys

import pytest

from hvtui.sim.cli import main
from tests.sim.wire import connect, post

spnego = pytest.importorskip("spnego")
pytest.importorskip("gssapi")


class _Host:
    https = False

    def __init__(self, port: int) -> None:
        self.port = port


def _serve(kdc, faketime: str | None = None) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "hvtui", "sim", "--port", "0", "--vms", "2", "--auth", "kerberos,ntlm",
            "--keytab", str(kdc.keytab)]  # fmt: skip
    env = {**os.environ, **kdc.env(), **(kdc.faketime_env(faketime) if faketime else {})}
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.mark.parametrize(("faketime", "status"), [(None, 200), ("+1h", 401)])
def test_sim_process_accepts_kerberos_unless_its_clock_is_off(kdc, krb5_ticket, faketime, status):
    proc = _serve(kdc, faketime)
    try:
        lines = [proc.stdout.readline() for _ in range(2)]  # type: ignore[union-attr]
        assert lines[0].startswith("password"), lines
        host = _Host(int(lines[1].split(":")[2].split("/")[0]))
        ctx = spnego.client(hostname="127.0.0.1", service="HTTP", protocol="kerberos")
        conn = connect(host)
        token = base64.b64encode(ctx.step()).decode()
        reply = post(host, b"", auth=f"Kerberos {token}", conn=conn)
        conn.close()
        assert reply.status == status
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--auth", "kerberos"], "needs --keytab"),
        (["--auth", "ntlm", "--keytab", "k"], "--keytab needs kerberos in --auth"),
        (["--auth", "kerberos", "--keytab", "/nonexistent.keytab"], "no such file"),
        (["--auth", "digest"], "choose from basic, ntlm and kerberos"),
    ],
)
def test_bad_kerberos_options_are_one_line(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err
    assert err.count("\n") == 1
