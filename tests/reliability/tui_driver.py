"""The terminal UI, headless, as a process of its own, for tests that must look at it from outside.

    python -m tests.reliability.tui_driver [--timeout S] [--host-timeout S] URI... < passwords

One password per URI on standard input (never in argv). The app runs with the hosts given
and keeps nothing (no config file, no keyring); logging is set up as ``hvtui`` sets it up
(``HVTUI_LOG_FILE``, ``HVTUI_DEBUG``). It stops once every host has settled into a status
(ok, an error, auth needed ...) or after ``--timeout``, and prints one JSON object: each
host's status and its row's text, the notifications, and the screen as an SVG screenshot --
so a test can read what a person would have seen, and measure the process (its peak
memory, its argv, its stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from hvtui.cli import configure_logging
from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.launch import HostSpec
from hvtui.uri import parse_uri
from tests.support.tui import make_app, wait_for

SETTLED = {
    HostStatus.OK,
    HostStatus.ERROR,
    HostStatus.UNREACHABLE,
    HostStatus.AUTH_NEEDED,
    HostStatus.TLS_UNTRUSTED,
    HostStatus.INVALID,
}


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("uris", nargs="+")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--host-timeout", type=float, default=1.0)
    args = parser.parse_args(argv)
    configure_logging()
    passwords = [sys.stdin.readline().rstrip("\n") for _ in args.uris]
    specs = [HostSpec(parse_uri(uri), pw) for uri, pw in zip(args.uris, passwords, strict=True)]
    app = make_app(specs, refresh=1.0, host_timeout=args.host_timeout, backoff_cap=2.0)
    settled = False
    async with app.run_test(headless=True, size=(160, 60)) as pilot:
        try:
            await wait_for(
                app,
                lambda: bool(app.hosts) and all(v.status in SETTLED for v in app.hosts.values()),
                args.timeout,
            )
            settled = True
        except TimeoutError:
            pass
        await pilot.pause()
        report = {
            "settled": settled,
            "hosts": {
                key: {"status": v.status.value, "text": v.report.text()} for key, v in app.hosts.items()
            },
            "events": [text for _, text in app.events],
            "screen": app.export_screenshot(),
        }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
