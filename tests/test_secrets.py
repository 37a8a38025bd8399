"""Credential storage: the keyring when usable, memory otherwise, never a crash."""

from __future__ import annotations

import keyring.backend
import keyring.errors
import pytest

from hvtui.secrets import SERVICE, CredentialStore


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.store[(service, username)]


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service, username, password):
        raise keyring.errors.PasswordSetError("D-Bus went away")


KEY = "hyperv://administrator@hv01/"


def test_keyring_round_trip():
    backend = MemoryKeyring()
    store = CredentialStore(backend)
    assert store.keyring_available
    assert store.remember(KEY, "s3cret-pw", persist=True) is None
    assert backend.store[(SERVICE, KEY)] == "s3cret-pw"
    assert CredentialStore(backend).get(KEY) == "s3cret-pw"
    assert store.forget(KEY) is None
    assert CredentialStore(backend).get(KEY) is None
    assert store.forget(KEY) is None  # deleting what is not there is fine


def test_session_only_password_never_reaches_keyring():
    backend = MemoryKeyring()
    store = CredentialStore(backend)
    store.remember(KEY, "s3cret-pw", persist=False)
    assert store.get(KEY) == "s3cret-pw"
    assert backend.store == {}


def test_broken_keyring_degrades_to_memory():
    store = CredentialStore(BrokenKeyring())
    assert store.get(KEY) is None
    assert not store.keyring_available
    assert "KeyringLocked" in store.reason
    warning = store.remember(KEY, "s3cret-pw", persist=True)
    assert "memory for this session" in warning
    assert store.get(KEY) == "s3cret-pw"


def test_set_failure_degrades_and_warns():
    class SetFails(MemoryKeyring):
        def set_password(self, service, username, password):
            raise keyring.errors.PasswordSetError("no")

    store = CredentialStore(SetFails())
    warning = store.remember(KEY, "s3cret-pw", persist=True)
    assert "PasswordSetError" in warning
    assert "s3cret-pw" not in warning
    assert store.get(KEY) == "s3cret-pw"


def test_no_backend(monkeypatch):
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", fail.Keyring)
    store = CredentialStore()
    assert not store.keyring_available
    assert "no system keyring" in store.reason
    assert store.remember(KEY, "pw", persist=True) == store.reason


def test_backend_discovery_raising(monkeypatch):
    import keyring

    def boom():
        raise RuntimeError("entry point exploded")

    monkeypatch.setattr(keyring, "get_keyring", boom)
    store = CredentialStore()
    assert not store.keyring_available
    assert "RuntimeError" in store.reason


@pytest.mark.parametrize("persist", [True, False])
def test_memory_only_mode(persist):
    store = CredentialStore(use_keyring=False)
    store.remember(KEY, "pw", persist=persist)
    assert store.get(KEY) == "pw"
