"""The config file: defaults, round trip, damaged and unreadable files, atomic private writes."""

from __future__ import annotations

import os
import stat

import pytest
from support.permissions import enforced

from hvtui.config import Config, ConfigError, ConfigStore, HostEntry, default_path, render_toml
from hvtui.uri import parse_uri


@pytest.fixture
def path(tmp_path):
    return tmp_path / "conf" / "config.toml"


def test_missing_file_gives_defaults(path):
    result = ConfigStore(path).load()
    assert result.config == Config()
    assert result.problems == []


def test_round_trip(path):
    store = ConfigStore(path)
    config = (
        Config(
            refresh_interval=5.0, theme="ansi-dark", sort_column="cpu", sort_reverse=True, columns=("name",)
        )
        .with_host(parse_uri("hyperv://HV01/"))
        .with_host(parse_uri("hyperv://CORP%5Cadmin@hv02:6000/?transport=http"), ca_file='/etc/c "a".pem')
    )
    config = Config(**{**config.__dict__, "columns": ("name", "state")})
    store.save(config)
    again = ConfigStore(path).load()
    assert again.problems == []
    assert again.config == config
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_with_host_replaces_same_host(path):
    config = Config().with_host(parse_uri("hyperv://hv01/")).with_host(parse_uri("hyperv://HV01:5986/"))
    assert len(config.hosts) == 1
    assert config.without_host(parse_uri("hyperv://hv01")).hosts == ()


def test_damaged_file_is_reported_and_kept_aside(path):
    path.parent.mkdir()
    path.write_text('refresh_interval = 2\n[[hosts]\nuri = "x"\n')
    store = ConfigStore(path)
    result = store.load()
    assert result.config == Config()
    assert len(result.problems) == 1
    assert "not valid TOML" in result.problems[0]
    assert result.backup is not None
    assert result.backup.read_text() == path.read_text()
    assert str(result.backup) in result.problems[0]
    store.save(Config(refresh_interval=3.0))  # writing afterwards is safe: the original is kept aside
    assert result.backup.exists()


def test_bad_values_fall_back_and_keep_a_copy(path):
    path.parent.mkdir()
    path.write_text('refresh_interval = "fast"\ncolour = 3\nsort_reverse = "yes"\n[[hosts]]\nuri = 5\n')
    result = ConfigStore(path).load()
    joined = " | ".join(result.problems)
    assert "refresh_interval" in joined
    assert "unknown setting 'colour'" in joined
    assert "sort_reverse" in joined
    assert "host #1" in joined
    assert result.config.refresh_interval == 2.0
    assert result.backup is not None


def test_invalid_host_uri_is_kept_verbatim(path):
    path.parent.mkdir()
    path.write_text('[[hosts]]\nuri = "hyperv+ssh://old-host/"\n')
    store = ConfigStore(path)
    result = store.load()
    assert result.problems == []
    (entry,) = result.config.hosts
    assert entry.parsed is None
    assert "client-side only" in entry.error
    store.save(result.config)
    assert 'uri = "hyperv+ssh://old-host/"' in path.read_text()


def test_refresh_interval_clamped(path):
    path.parent.mkdir()
    path.write_text("refresh_interval = 0.01\n")
    assert ConfigStore(path).load().config.refresh_interval == 0.5


def test_unreadable_file_is_never_overwritten(path):
    path.parent.mkdir()
    path.write_text('theme = "nord"\n')
    path.chmod(0)
    with enforced():  # as root too
        store = ConfigStore(path)
        result = store.load()
        assert not result.writable
        assert "cannot read" in result.problems[0]
        with pytest.raises(ConfigError, match="could not be read"):
            store.save(Config())
    path.chmod(0o600)
    assert path.read_text() == 'theme = "nord"\n'


def test_unreadable_directory_entry_is_reported(path):
    path.mkdir(parents=True)  # a directory where the file should be: unreadable as a file, even for root
    store = ConfigStore(path)
    result = store.load()
    assert not result.writable
    assert "cannot read" in result.problems[0]
    with pytest.raises(ConfigError):
        store.save(Config())


def test_unwritable_location_raises_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = ConfigStore(blocker / "sub" / "config.toml")  # parent is a file: cannot create the directory
    with pytest.raises(ConfigError) as info:
        store.save(Config())
    assert "changes are kept for this session only" in str(info.value)
    assert "\n" not in str(info.value)


def test_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv("HVTUI_CONFIG", str(tmp_path / "x.toml"))
    assert default_path() == tmp_path / "x.toml"


def test_render_escapes_strings():
    text = render_toml(Config(hosts=(HostEntry('a"b\\c\n\x01'),)))
    assert 'uri = "a\\"b\\\\c\\n\\u0001"' in text


def test_no_password_field_exists():
    assert "password" not in render_toml(Config().with_host(parse_uri("hyperv://hv01/"))).lower().replace(
        "passwords are never stored", ""
    )


PIN = "sha256:" + ":".join(["A1"] * 32)


def test_a_hosts_tls_pin_is_kept_and_an_edit_keeps_the_hosts_place(path):
    first, second, moved = (parse_uri(u) for u in ("hyperv://hv01/", "hyperv://hv02/", "hyperv://hv03/"))
    config = Config().with_host(first).with_host(second, tls_pin=PIN)
    store = ConfigStore(path)
    store.save(config)
    assert f'tls_pin = "{PIN}"' in path.read_text()
    assert ConfigStore(path).load().config == config
    edited = config.edited_host(first, moved, "/ca.pem", PIN)
    assert [(h.uri, h.ca_file, h.tls_pin) for h in edited.hosts] == [
        (moved.canonical, "/ca.pem", PIN),
        (second.canonical, None, PIN),
    ]


def test_a_tls_pin_that_is_not_a_fingerprint_is_reported_and_ignored(path):
    path.parent.mkdir(parents=True)
    path.write_text('[[hosts]]\nuri = "hyperv://hv01/"\ntls_pin = "sha256:nope"\n')
    result = ConfigStore(path).load()
    assert [(h.uri, h.tls_pin) for h in result.config.hosts] == [("hyperv://hv01/", None)]
    assert any("tls_pin must be sha256:" in p for p in result.problems)


def test_password_commands_round_trip_globally_and_per_host(path):
    path.parent.mkdir()
    path.write_text(
        'password_command = "pass show hyperv/{host}"\n'
        '[[hosts]]\nuri = "hyperv://hv01/"\npassword_command = "secret-tool lookup host {host} user {user}"\n'
        '[[hosts]]\nuri = "hyperv://hv02/"\n'
    )
    result = ConfigStore(path).load()
    assert result.problems == []
    config = result.config
    assert config.password_command == "pass show hyperv/{host}"
    assert config.hosts[0].password_command == "secret-tool lookup host {host} user {user}"
    assert config.hosts[1].password_command is None
    ConfigStore(path).save(config)
    assert ConfigStore(path).load().config == config


def test_a_password_command_that_is_not_a_string_is_reported(path):
    path.parent.mkdir()
    path.write_text('password_command = ["pass"]\n[[hosts]]\nuri = "hyperv://hv01/"\npassword_command = 3\n')
    result = ConfigStore(path).load(keep_aside=False)
    assert result.config.password_command is None
    assert result.config.hosts[0].password_command is None
    assert any("password_command must be a non-empty string" in p for p in result.problems)
    assert any("host #1: password_command" in p for p in result.problems)
    assert result.backup is None
    assert list(path.parent.iterdir()) == [path]  # a reader that never writes copies nothing aside
