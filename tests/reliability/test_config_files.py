"""A damaged, unreadable or unwritable config, and a read-only config directory.

Each is reported in one line; hvtui carries on with what it could read (or the defaults);
and what the user had is never lost or overwritten -- every file is byte-compared. Runs as
root too: ``support.permissions.enforced`` makes modes bite as they would for anyone else.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from support.permissions import enforced

from hvtui.config import Config, ConfigError, ConfigStore
from hvtui.uri import parse_uri

MINE = (
    b'# my hosts, my comments\nrefresh_interval = 7.0\ntheme = "nord"\n\n[[hosts]]\nuri = "hyperv://hv01/"\n'
)
CHANGED = Config(refresh_interval=3.0).with_host(parse_uri("hyperv://hv02/"))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    directory = tmp_path / "hvtui"
    directory.mkdir()
    path = directory / "config.toml"
    path.write_bytes(MINE)
    return path


def one_line(text: str) -> None:
    assert text and "\n" not in text and "Traceback" not in text


@pytest.mark.parametrize(
    "damage",
    [
        b'refresh_interval = 7.0\n[[hosts]\nuri = "x"\n',  # not TOML
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",  # not text at all
        b'theme = "caf\xe9"\n',  # not UTF-8
        b'refresh_interval = "fast"\nhosts = 3\n',  # TOML, wrong values
    ],
    ids=["not-toml", "binary", "latin-1", "wrong-values"],
)
def test_damaged_config_is_kept_aside_before_anything_is_written(config, damage):
    config.write_bytes(damage)
    store = ConfigStore(config)
    result = store.load()
    assert result.problems
    for problem in result.problems:
        one_line(problem)
    assert result.backup is not None and result.backup.read_bytes() == damage
    assert str(result.backup) in result.problems[0]
    store.save(CHANGED)  # the user changes a setting: safe now, the original is kept aside
    assert result.backup.read_bytes() == damage
    assert ConfigStore(config).load().config == CHANGED


def test_unreadable_config_is_reported_and_never_overwritten(config):
    config.chmod(0)
    with enforced():
        store = ConfigStore(config)
        result = store.load()
        assert not result.writable
        one_line(result.problems[0])
        assert "cannot read" in result.problems[0] and "Permission denied" in result.problems[0]
        assert result.config == Config()  # carries on with the defaults
        with pytest.raises(ConfigError) as refused:
            store.save(CHANGED)
        one_line(str(refused.value))
    config.chmod(0o600)
    assert config.read_bytes() == MINE


def test_read_only_config_file_is_not_replaced(config):
    config.chmod(0o444)  # the user made it read-only: hvtui must not swap another file in
    with enforced():
        store = ConfigStore(config)
        result = store.load()
        assert result.problems == [] and result.config.theme == "nord"
        with pytest.raises(ConfigError) as refused:
            store.save(CHANGED)
    one_line(str(refused.value))
    assert "read-only" in str(refused.value) and "this session only" in str(refused.value)
    assert config.read_bytes() == MINE
    assert stat.S_IMODE(config.stat().st_mode) == 0o444


def test_read_only_config_directory(config):
    directory = config.parent
    directory.chmod(0o555)
    try:
        with enforced():
            store = ConfigStore(config)
            assert store.load().config.theme == "nord"
            with pytest.raises(ConfigError) as refused:
                store.save(CHANGED)
            one_line(str(refused.value))
            assert "this session only" in str(refused.value)
    finally:
        directory.chmod(0o700)
    assert config.read_bytes() == MINE
    assert sorted(p.name for p in directory.iterdir()) == ["config.toml"]  # no temporary file left


def test_config_directory_cannot_be_created(tmp_path):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        with enforced():
            store = ConfigStore(parent / "hvtui" / "config.toml")
            assert store.load().problems == []  # nothing there yet: defaults, silently
            with pytest.raises(ConfigError) as refused:
                store.save(CHANGED)
            one_line(str(refused.value))
    finally:
        parent.chmod(0o700)
    assert list(parent.iterdir()) == []
