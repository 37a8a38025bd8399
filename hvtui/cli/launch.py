"""Starting the terminal UI from the command line: on the hosts given, the config's, or the demo.

The only module of the CLI that reaches :mod:`hvtui.ui`, and only inside the functions that
start it, so that no other path loads Textual.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from hvtui.cli.collector import imports_set_aside
from hvtui.cli.exits import EXIT_FAILED, UsageError
from hvtui.cli.parser import parse, tui_parser
from hvtui.config import MAX_REFRESH, MIN_REFRESH
from hvtui.password_file import PasswordFileError, read_password_file
from hvtui.uri import URIError, parse_uri

if TYPE_CHECKING:
    from hvtui.sim.sim_options import SimOptions
    from hvtui.ui.launch import TuiOptions

DEMO_NOTE = "demo: simulated hosts"


def run_tui(args: list[str]) -> int:
    parsed = parse(tui_parser(), args)
    if isinstance(parsed, int):
        return parsed
    if parsed.refresh is not None and not MIN_REFRESH <= parsed.refresh <= MAX_REFRESH:
        raise UsageError(f"hvtui: --refresh must be between {MIN_REFRESH:g} and {MAX_REFRESH:g} seconds")
    if parsed.ca_file and not parsed.uris:
        raise UsageError(
            "hvtui: --ca-file applies to the URIs given with it; set ca_file in the config for others"
        )
    if parsed.demo and parsed.uris:
        raise UsageError("hvtui: --demo runs against simulated hosts only; drop the URIs or --demo")
    if parsed.demo and parsed.password_file:
        raise UsageError("hvtui: --demo makes its own passwords; drop --password-file or --demo")
    try:
        uris = [parse_uri(text) for text in parsed.uris]
    except URIError as exc:
        raise UsageError(f"hvtui: {exc}") from None
    password = None
    if parsed.password_file and uris:  # the hosts named here; the config's take it at their login
        try:
            password = read_password_file(parsed.password_file)
        except PasswordFileError as exc:
            raise UsageError(f"hvtui: {exc}") from None
    from hvtui.ui.launch import HostSpec, TuiOptions

    options = TuiOptions(
        hosts=[HostSpec(uri, password=password, ca_file=parsed.ca_file) for uri in uris],
        from_config=not uris and not parsed.demo,
        persist=not parsed.demo,
        read_only=parsed.read_only,
        refresh=parsed.refresh,
        theme=parsed.theme,
        config_path=parsed.config,
        password_file=parsed.password_file if not uris else None,
        graphics=parsed.graphics,
    )
    if parsed.demo:
        return _run_demo(options)
    return _app_runner()(options)


def _app_runner() -> Callable[[TuiOptions], int]:
    """The app's ``run``, its imports kept out of the collector's way (:mod:`hvtui.cli.collector`)."""
    with imports_set_aside():
        from hvtui.ui.app import run
    return run


def demo_sim_options(password: str, seed: int = 7) -> SimOptions:
    """The demo's three simulated hosts, which the README's screenshots show too."""
    from hvtui.sim.sim_options import SimOptions

    return SimOptions(hosts=3, vms="20-60", release="2019,2022,2012r2", seed=seed, password=password)


def _run_demo(options: TuiOptions) -> int:
    """Point the TUI at three simulated hosts, served by a child process.

    The child starts first: its imports and start run on another core while this process
    imports the UI, and its replies never wait for this process's interpreter lock.
    """
    import dataclasses
    import secrets

    from hvtui.sim.sim_options import OptionsError
    from hvtui.sim.sim_process import SimProcess

    password = secrets.token_urlsafe(18)
    sim_options = demo_sim_options(password, seed=int(os.environ.get("HVTUI_DEMO_SEED", "7")))
    with SimProcess(sim_options) as sim:
        from hvtui.ui.launch import HostSpec

        run = _app_runner()

        try:
            uris = sim.uris()
        except OptionsError as exc:
            print(f"hvtui: the demo's simulated hosts did not start: {exc}", file=sys.stderr)
            return EXIT_FAILED
        hosts = [HostSpec(parse_uri(uri), password=password) for uri in uris]
        demo = dataclasses.replace(options, hosts=hosts, title_note=DEMO_NOTE)
        return run(demo)
