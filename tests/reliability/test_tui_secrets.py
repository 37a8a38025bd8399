"""The password, as the terminal UI handles it: never on screen, in screenshots, notifications,
the config file or the log (at debug level) -- through a wrong password, a right one typed key
by key and remembered, every screen that shows a host, and a host added from the dialog.
"""

from __future__ import annotations

import io
import logging
import uuid
from pathlib import Path

import keyring.core
from support.keyrings import FileKeyring
from textual.widgets import Checkbox, Input

from hvtui.config import ConfigStore
from hvtui.secrets import CredentialStore
from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.screens.login import LoginScreen
from hvtui.ui.screens.vm_detail import VMDetailScreen
from hvtui.uri import parse_uri

from .tui import SIZE, all_ok, make_app, screen_text, wait_for

ROOT = Path(__file__).resolve().parents[2]


def unique_password() -> str:
    return f"Pw-{uuid.uuid4().hex[:12]}"  # short: one test types it key by key


async def log_in(app, pilot, password: str, *, remember: bool = False, keys: bool = False) -> list[str]:
    await wait_for(app, lambda: isinstance(app.top, LoginScreen))
    await pilot.pause()
    dialog = app.top
    box = dialog.query_one("#password", Input)
    box.focus()
    if keys:
        box.value = ""
        await pilot.press(*password)  # as a person types it
    else:
        box.value = password
    if remember:
        dialog.query_one("#remember", Checkbox).value = True
    shots = [app.export_screenshot()]
    await pilot.press("enter")
    return shots


async def test_password_never_on_screen_in_config_log_or_notifications(make_sim, tmp_path, monkeypatch):
    password, wrong = unique_password(), unique_password()
    sim = make_sim(hosts=2, vms=3, password=password)
    first, second = sim.hosts
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir()
    config.write_text(f'[[hosts]]\nuri = "{parse_uri(first.uri).canonical}"\n')
    store = tmp_path / "keyring.json"
    monkeypatch.setenv("HVTUI_TEST_KEYRING", str(store))
    backend = FileKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
    log = io.StringIO()  # every logger, at DEBUG, with no masking: the code itself must not log it
    handler = logging.StreamHandler(log)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)  # setLevel, which also clears the loggers' cached decisions
    shots: list[str] = []
    try:
        app = make_app(config_path=config, credentials=CredentialStore(backend), refresh=0.5, host_timeout=2)
        async with app.run_test(size=SIZE) as pilot:
            shots += await log_in(app, pilot, wrong)  # refused: the dialog comes back with the reason
            shots += await log_in(app, pilot, password, remember=True, keys=True)
            await all_ok(app)
            await wait_for(app, lambda: any("saved in the system keyring" in t for _, t in app.events))
            shots.append(app.export_screenshot())  # main screen with the host detail pane
            await pilot.press("enter")  # VM detail
            await wait_for(app, lambda: isinstance(app.top, VMDetailScreen))
            shots.append(app.export_screenshot())
            await pilot.press("escape")
            # A second host, added from the dialog, logged in without remembering:
            await pilot.press("a")
            await pilot.pause()
            app.top.query_one(Input).value = second.uri
            await pilot.press("enter")
            shots += await log_in(app, pilot, password)
            await all_ok(app)
            shots.append(app.export_screenshot())
            events = "\n".join(text for _, text in app.events)
            assert app.hosts[parse_uri(second.uri).canonical].status is HostStatus.OK
    finally:
        root.removeHandler(handler)
        root.setLevel(level)

    texts = [*shots, *(screen_text(s) for s in shots), events, log.getvalue(), config.read_text()]
    for text in texts:
        assert password not in text
        assert wrong not in text
    assert "authenticated administrator with NTLM" in log.getvalue()  # debug logging was on
    assert "•" * len(password) in screen_text(shots[1])  # typed, and shown masked
    assert [h.uri for h in ConfigStore(config).load().config.hosts] == [
        parse_uri(first.uri).canonical,
        parse_uri(second.uri).canonical,
    ]
    assert backend.get_password("hvtui", parse_uri(first.uri).canonical) == password  # the keyring only
    assert backend.get_password("hvtui", parse_uri(second.uri).canonical) is None  # not asked to keep


def test_committed_snapshots_and_screenshots_hold_no_test_password():
    from tests.conftest import SIM_PASSWORD

    files = [*ROOT.glob("tests/ui/__snapshots__/**/*.svg"), *ROOT.glob("screenshots/*")]
    assert files
    for path in files:
        if path.is_file():
            assert SIM_PASSWORD not in path.read_text(errors="replace"), path
