"""One reading of a password file, shared by the client and the simulator: the same refusals,
in the same words."""

from __future__ import annotations

import pytest

from hvtui.sim.cli import main as sim_main
from tests.reliability import clirun


def refusal_of_both(path, capsys) -> tuple[str, str]:
    client = clirun.run("info", "hyperv://hv01.example.test/", "--password-file", str(path))
    assert client.code == 3
    # --hosts 0 is refused too, but only after the password file: a file accepted by mistake
    # then fails the comparison at once instead of leaving a simulator serving.
    assert sim_main(["--port", "0", "--hosts", "0", "--password-file", str(path)]) == 2
    sim_err = capsys.readouterr().err
    assert len(client.err_lines) == 1 and sim_err.count("\n") == 1
    return client.err.removeprefix("hvtui info: ").strip(), sim_err.removeprefix("hvtui sim: ").strip()


@pytest.mark.parametrize(
    ("mode", "text", "words"),
    [
        (0o644, "Sim-Passw0rd!\n", "is readable by other users: run 'chmod 600"),
        (0o640, "Sim-Passw0rd!\n", "is readable by other users"),
        (0o600, "\nsecond-line\n", "is empty (the password is its first line)"),
        (0o600, b"\xff\xfe\n", "is not UTF-8 text"),
        (None, "", "cannot read password file"),
    ],
)
def test_the_client_and_the_simulator_refuse_alike(tmp_path, capsys, mode, text, words):
    path = tmp_path / "pw"
    if mode is not None:
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        path.chmod(mode)
    client, sim = refusal_of_both(path, capsys)
    assert client == sim
    assert words in client
    assert "Sim-Passw0rd" not in client


def test_the_password_is_the_first_line_as_written(tmp_path):
    from hvtui.password_file import read_password_file

    path = tmp_path / "pw"
    path.write_text(" spaced Passw0rd \r\nrest\n")
    path.chmod(0o600)
    assert read_password_file(path) == " spaced Passw0rd "
