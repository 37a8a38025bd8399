"""The command line with no keyring, a keyring that fails, and one that cannot be written.

Each gives one clear line; hvtui keeps working with passwords from a file or stdin (in
memory only); and what the user had in the keyring is neither lost nor overwritten -- the
store (a JSON file behind a test backend) is byte-compared before and after. The backend is
installed the way ``PYTHON_KEYRING_BACKEND`` installs one; one test does exactly that, in a
child process.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path

import keyring.core
import pytest

from tests.conftest import SIM_PASSWORD

from . import clirun

OTHER = "hyperv://administrator@hv-other.example.test/"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The keyring's contents before the test: another host's password."""
    path = tmp_path / "keyring.json"
    path.write_text(json.dumps({f"hvtui|{OTHER}": "Other-Hosts-Pw"}, sort_keys=True))
    monkeypatch.setenv("HVTUI_TEST_KEYRING", str(path))
    return path


@pytest.fixture
def use_backend(monkeypatch: pytest.MonkeyPatch, store: Path) -> Callable[[str], None]:
    """``use_backend("LockedKeyring")``: the keyring backend the CLI will find."""

    def use(name: str) -> None:
        module, _, cls = (name if "." in name else f"tests.support.keyrings.{name}").rpartition(".")
        backend = getattr(importlib.import_module(module), cls)()
        monkeypatch.setattr(keyring.core, "_keyring_backend", backend)

    return use


def one_line(result: clirun.Result) -> str:
    assert len(result.err_lines) == 1, result.err
    return result.err_lines[0]


@pytest.mark.parametrize(
    ("backend", "why"),
    [
        ("keyring.backends.null.Keyring", "no system keyring"),
        ("keyring.backends.fail.Keyring", "no system keyring"),
        ("LockedKeyring", "KeyringLocked: the login collection is locked"),
        ("ReadOnlyKeyring", "PasswordSetError: the store is read-only"),
    ],
)
def test_login_without_a_usable_keyring(sim_host, store, use_backend, tmp_path, backend, why):
    before = store.read_bytes()
    use_backend(backend)
    pwfile = clirun.password_file(tmp_path, SIM_PASSWORD)
    login = clirun.run("login", sim_host.uri, "--password-file", str(pwfile))
    assert login.code == 1
    line = one_line(login)
    assert "the password works" in line and "was not stored" in line and why in line
    # A command ends with its process: "in memory for this session" would promise nothing.
    assert "in memory" not in line and "session" not in line
    assert "--password-file" in line and "password_command" in line
    # Still works with the password given another way, kept in memory only:
    listed = clirun.run("ls", sim_host.uri, "--json", "--password-stdin", stdin=SIM_PASSWORD + "\n")
    assert listed.code == 0, listed.err
    assert len(json.loads(listed.out)) == len(sim_host.model.vms)
    assert store.read_bytes() == before


@pytest.mark.parametrize(
    ("backend", "words"),
    [
        ("keyring.backends.null.Keyring", "there is no system keyring here"),
        ("LockedKeyring", "the system keyring failed (KeyringLocked: the login collection is locked)"),
        ("FileKeyring", "store one with 'hvtui login URI'"),
    ],
)
def test_no_password_anywhere_says_what_to_do(sim_host, store, use_backend, backend, words):
    before = store.read_bytes()
    use_backend(backend)
    result = clirun.run("info", sim_host.uri)
    assert result.code == 3
    line = one_line(result)
    assert words in line
    assert "--password-file FILE or --password-stdin" in line
    assert store.read_bytes() == before


def test_a_working_keyring_keeps_other_entries(sim_host, store, use_backend, tmp_path):
    use_backend("FileKeyring")
    pwfile = clirun.password_file(tmp_path, SIM_PASSWORD)
    assert clirun.run("login", sim_host.uri, "--password-file", str(pwfile)).code == 0
    key = f"hvtui|{sim_host.uri}"
    assert json.loads(store.read_text()) == {f"hvtui|{OTHER}": "Other-Hosts-Pw", key: SIM_PASSWORD}
    assert clirun.run("ls", sim_host.uri, "--json").code == 0  # the password from the keyring
    assert clirun.run("logout", sim_host.uri).code == 0
    assert json.loads(store.read_text()) == {f"hvtui|{OTHER}": "Other-Hosts-Pw"}


@pytest.mark.parametrize(
    ("backend", "words"),
    [
        (
            "ReadOnlyKeyring",
            "could not remove it (PasswordDeleteError: the store is read-only): it is still stored",
        ),
        ("LockedKeyring", "could not remove it (KeyringLocked: the login collection is locked)"),
    ],
)
def test_logout_that_cannot_remove_says_so(store, use_backend, backend, words):
    before = store.read_bytes()
    use_backend(backend)
    result = clirun.run("logout", OTHER)
    assert result.code == 1
    assert words in one_line(result)
    assert store.read_bytes() == before


def test_logout_of_what_was_never_stored_is_fine(store, use_backend):
    use_backend("ReadOnlyKeyring")
    result = clirun.run("logout", "hyperv://administrator@hv-new.example.test/")
    assert (result.code, result.err) == (0, "")
    assert "no password was stored" in result.out
    assert "forgotten" not in result.out


def test_logout_that_removes_says_so(store, use_backend):
    use_backend("FileKeyring")
    result = clirun.run("logout", OTHER)
    assert (result.code, result.err) == (0, "")
    assert result.out == "password for administrator on hv-other.example.test removed from the keyring\n"
    assert json.loads(store.read_text()) == {}


@pytest.mark.parametrize("backend", ["keyring.backends.null.Keyring", "keyring.backends.fail.Keyring"])
def test_logout_without_a_keyring_says_there_was_nothing_to_forget(store, use_backend, backend):
    use_backend(backend)
    result = clirun.run("logout", OTHER)
    assert result.code == 1
    assert result.out == ""
    line = one_line(result)
    assert "no system keyring" in line and "nothing to remove" in line
    assert "forgotten" not in line


def test_a_locked_keyring_chosen_by_environment_in_a_real_process(sim_host, store, tmp_path):
    before = store.read_bytes()
    env = clirun.base_env(
        PYTHON_KEYRING_BACKEND="tests.support.keyrings.LockedKeyring", HVTUI_TEST_KEYRING=str(store)
    )
    pwfile = clirun.password_file(tmp_path, SIM_PASSWORD)
    login = clirun.run_process("login", sim_host.uri, "--password-file", str(pwfile), env=env)
    assert login.code == 1
    assert "KeyringLocked" in one_line(login)
    listed = clirun.run_process("ls", sim_host.uri, "--json", "--password-file", str(pwfile), env=env)
    assert (listed.code, listed.err) == (0, "")
    assert store.read_bytes() == before
