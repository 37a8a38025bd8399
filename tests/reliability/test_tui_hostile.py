"""Hostile hosts side by side in the terminal UI, run as a process of its own.

Every hostile host of ``hostile.py`` at once: each row settles on an error that says what
came back, within the host timeout, while the UI process's peak memory stays under 100 MB
above the same UI showing one ordinary host, and nothing reaches its stderr. One external
entity names a FIFO and another a listener: had anything opened or fetched them, that host
would never settle, or the listener would have seen a connection.
"""

from __future__ import annotations

import contextlib
import json
import os

from support.scripted_server import Reply

from hvtui.ui.hoststatus import HostStatus
from hvtui.uri import parse_uri

from . import clirun
from .hostile import PASSWORD, HostileCase, all_cases, external_entity, hostile, uri_of
from .tui import screen_text

DRIVER = "tests.reliability.tui_driver"
MEMORY_BOUND_KIB = 100 * 1024


def run_tui(uris: list[str], passwords: list[str], **env: str) -> tuple[clirun.Result, dict]:
    result = clirun.run_process(
        "--host-timeout",
        "1",
        "--timeout",
        "25",
        *uris,
        module=DRIVER,
        stdin="".join(p + "\n" for p in passwords),
        env=clirun.base_env(**env),
    )
    assert result.code == 0, result.err
    return result, json.loads(result.out)


def test_every_hostile_host_shows_a_clear_error_in_bounded_memory(sim_host, tmp_path, listener):
    ordinary, report = run_tui([sim_host.uri], [sim_host.password])
    assert [row["status"] for row in report["hosts"].values()] == [HostStatus.OK.value]

    fifo = tmp_path / "secret.fifo"
    os.mkfifo(fifo)
    fifo_entity = Reply(200, body=external_entity(fifo.as_uri()))
    cases = [
        *all_cases(tmp_path, listener.port),
        HostileCase("FIFO entity", lambda req: fifo_entity, "DOCTYPE"),
    ]
    with contextlib.ExitStack() as stack:
        uris = [uri_of(stack.enter_context(hostile(case.respond, ntlm=case.ntlm))) for case in cases]
        result, report = run_tui(uris, [PASSWORD] * len(uris))

    assert report["settled"], {key: row["status"] for key, row in report["hosts"].items()}
    for case, uri in zip(cases, uris, strict=True):
        row = report["hosts"][parse_uri(uri).canonical]
        assert row["status"] in (HostStatus.ERROR.value, HostStatus.UNREACHABLE.value), (case.name, row)
        assert case.words in row["text"], (case.name, row["text"])
        assert "\n" not in row["text"]
    assert result.err == ""  # no traceback, no "exception ignored", nothing at all
    assert "Traceback" not in screen_text(report["screen"])
    assert "TOP-SECRET" not in result.out
    assert listener.connections == 0
    assert result.max_rss_kib - ordinary.max_rss_kib < MEMORY_BOUND_KIB, (
        result.max_rss_kib,
        ordinary.max_rss_kib,
    )
