"""The password, as the command line handles it: never in argv, logs, config, output or errors.

Every test uses a password of its own. Logs are written with debug detail on
(``HVTUI_LOG_FILE`` + ``HVTUI_DEBUG=1``) through NTLM (sealed, over HTTP), Basic over HTTPS,
Basic over HTTP (opted in), wrong passwords of both kinds, a failed action and a login.
"""

from __future__ import annotations

import base64
import json
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from support.scripted_server import AuthPolicy, Reply, ScriptedServer

from . import clirun


def unique_password() -> str:
    return f"Pw-{uuid.uuid4().hex}"


def forms(password: str) -> list[str]:
    return [password, base64.b64encode(f"administrator:{password}".encode()).decode()]


def assert_absent(password: str, *texts: str) -> None:
    for text in texts:
        for form in forms(password):
            assert form not in text


def all_cmdlines() -> str:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
            except OSError:
                continue  # gone meanwhile
    return "\n".join(found)


@pytest.mark.skipif(
    not Path("/proc/self/cmdline").exists(), reason="needs /proc to read other processes' argv"
)
@pytest.mark.parametrize("source", ["stdin", "file"])
def test_not_in_the_argv_of_a_running_hvtui(tmp_path, source):
    password = unique_password()
    seen: dict[str, str] = {}
    # A host that logs the client in and then never answers: the CLI holds the password, running.
    with ScriptedServer(
        handler=lambda req: Reply(never_answer=True), auth=AuthPolicy(users={"administrator": password})
    ) as server:
        uri = f"hyperv://administrator@127.0.0.1:{server.port}/?transport=http"
        args = ["info", uri, "--no-keyring", "--host-timeout", "0.5"]
        if source == "file":
            args += ["--password-file", str(clirun.password_file(tmp_path, password))]
        else:
            args += ["--password-stdin"]

        def look(pid: int) -> None:
            assert server.wait_for_requests_sync(1, timeout=20), "the CLI never logged in"
            seen["argv"] = all_cmdlines()
            seen["own"] = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
            seen["environ"] = Path(f"/proc/{pid}/environ").read_bytes().decode("utf-8", "replace")

        result = clirun.run_process(*args, stdin=password + "\n", while_running=look)
    assert result.code == 3, result.err  # the host never answered
    assert "info" in seen["own"]  # we did read the right process
    assert_absent(password, seen["argv"], seen["own"], seen["environ"], result.out, result.err)


@pytest.fixture
def logged(tmp_path):
    """Environment for a child with a debug log file; the log's path is ``env['HVTUI_LOG_FILE']``."""
    return clirun.base_env(HVTUI_LOG_FILE=str(tmp_path / "hvtui.log"), HVTUI_DEBUG="1")


def test_debug_log_output_and_errors_hold_no_password(make_sim, tmp_path, logged):
    password = unique_password()
    wrong = unique_password()
    right_file = clirun.password_file(tmp_path, password)
    wrong_file = tmp_path / "wrong"
    wrong_file.write_text(wrong + "\n")
    wrong_file.chmod(0o600)
    plain = make_sim(password=password, vms=3, allow_unencrypted=True).hosts[0]
    tls_sim = make_sim(password=password, vms=3, https=True)  # a self-signed certificate
    ca = tmp_path / "host-ca.pem"
    ca.write_text(tls_sim.ca_pem)
    tls = tls_sim.hosts[0]
    common = ["--no-keyring", "--host-timeout", "2"]
    runs = [
        ("ls", plain.uri, "--json", "--password-file", str(right_file)),  # NTLM, sealed
        ("info", plain.uri + "&auth=basic", "--json", "--password-file", str(right_file)),
        (
            "vm",
            tls.uri + "&auth=basic",
            tls_sim.hosts[0].model.vms[0].name,
            "--json",
            "--ca-file",
            str(ca),
            "--password-file",
            str(right_file),
        ),
        ("info", tls.uri + "&auth=ntlm", "--ca-file", str(ca), "--password-file", str(right_file)),
        ("ls", plain.uri, "--password-file", str(wrong_file)),
        ("ls", plain.uri + "&auth=basic", "--password-file", str(wrong_file)),
        ("login", plain.uri, "--password-file", str(right_file)),  # no keyring: not stored
    ]
    results = [clirun.run_process(*run, *common, env=logged) for run in runs]
    plain.faults.add("malformed:op=Invoke:RequestStateChange")
    vm = next(v for v in plain.model.vms if v.enabled_state == 3)
    results.append(
        clirun.run_process(
            "start", plain.uri, vm.name, "--password-file", str(right_file), *common, env=logged
        )
    )
    assert [r.code for r in results] == [0, 0, 0, 0, 3, 3, 1, 3], [r.err for r in results]
    json.loads(results[0].out)

    log = Path(logged["HVTUI_LOG_FILE"])
    text = log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    # Debug detail really was on, for each flow:
    assert "authenticated administrator with NTLM and message encryption" in text
    assert "authenticated administrator with NTLM over TLS" in text
    assert "Basic authentication over plain HTTP" in text
    assert "HTTP 200" in text
    assert_absent(password, text, *(r.out + r.err for r in results))
    assert_absent(wrong, text, *(r.out + r.err for r in results))
    assert "***" not in text  # nor was one masked: hvtui itself never logged it


def test_the_log_masks_any_password_hvtui_holds(tmp_path):
    # Defence in depth: even a line that did carry a password (a bug, a library's message)
    # reaches the file masked.
    password = unique_password()
    log = tmp_path / "hvtui.log"
    code = (
        "import logging\n"
        "from hvtui.cli import configure_logging\n"
        "from hvtui.wsman import Credentials\n"
        "configure_logging()\n"
        f"Credentials('administrator', {password!r})\n"
        "log = logging.getLogger('hvtui.test')\n"
        f"log.warning('a careless line: %s', {password!r})\n"
        f"log.warning('Authorization: Basic %s', {forms(password)[1]!r})\n"
        "try:\n"
        f"    raise RuntimeError('a library echoing its input: ' + {password!r})\n"
        "except RuntimeError:\n"
        "    log.exception('it failed')\n"
        "log.warning('abc and x are left alone')\n"
        "Credentials('administrator', 'abc')\n"
        "log.warning('abc and x are left alone')\n"
    )
    env = clirun.base_env(HVTUI_LOG_FILE=str(log), HVTUI_DEBUG="1")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    text = log.read_text()
    assert_absent(password, text)
    assert text.count("***") == 3  # the line, the header, the exception's message
    assert text.count("abc and x are left alone") == 2  # too short to mask without garbling


def test_the_command_line_leaves_the_config_file_alone(make_sim, tmp_path):
    password = unique_password()
    h = make_sim(password=password, vms=2).hosts[0]
    config = tmp_path / "config.toml"
    config.write_text('# mine\nrefresh_interval = 5.0\n[[hosts]]\nuri = "hyperv://hv01/"\n')
    before = config.read_bytes()
    store = tmp_path / "keyring.json"
    env = clirun.base_env(
        HVTUI_CONFIG=str(config),
        HVTUI_TEST_KEYRING=str(store),
        PYTHON_KEYRING_BACKEND="tests.support.keyrings.FileKeyring",
    )
    result = clirun.run_process(
        "login", h.uri, "--password-file", str(clirun.password_file(tmp_path, password)), env=env
    )
    assert result.code == 0, result.err
    assert config.read_bytes() == before
    assert json.loads(store.read_text()) == {f"hvtui|{h.uri}": password}  # the keyring, and only it
    assert [p.name for p in tmp_path.iterdir() if password in p.read_text()] == ["keyring.json", "password"]
    assert_absent(password, result.out, result.err)
