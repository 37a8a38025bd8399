"""``hvtui``'s entry point: a subcommand for scripts, the simulator, or else the terminal UI.

Every URI is checked here, before any password is asked for or any connection made; the
subcommands themselves are imported only once the arguments are known good, which keeps
``hvtui --help`` fast.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

from hvtui.cli.commands import alias_arguments, command_for, looks_like_a_command, unknown_command
from hvtui.cli.exits import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_USAGE, UsageError
from hvtui.cli.logfile import configure_logging
from hvtui.cli.parser import command_parser, parse
from hvtui.cli.settings import ConfigReader
from hvtui.uri import ConnectionURI, URIError, parse_uri

Target = tuple[ConnectionURI, str | None]  # a host, and the CA file that its HTTPS is checked with


def run() -> int:
    """The ``hvtui`` command: :func:`main` in a process of its own.

    What the imports made lives as long as the process, so it is set aside from the
    collector (``gc.freeze``) before the command runs, and again what is left when it ends:
    the interpreter's last collection at exit then walks none of it (30 ms of ``hvtui ls``).
    """
    gc.freeze()
    try:
        return main()
    finally:
        gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    configure_logging()
    try:
        code = _main(args)
        sys.stdout.flush()  # here, not at exit: a reader that went away is found inside the try
    except BrokenPipeError:
        _discard_output()
        return EXIT_BROKEN_PIPE
    return code


def _main(args: list[str]) -> int:
    try:
        if args[:1] == ["sim"]:
            from hvtui.sim.cli import main as sim_main

            return sim_main(args[1:])
        command = command_for(args[0]) if args else None
        if command is not None:
            return _run_command(command, [*alias_arguments(args[0]), *args[1:]])
        if args and looks_like_a_command(args[0]):
            raise unknown_command(args[0])
        from hvtui.cli.launch import run_tui  # deferred: a subcommand needs none of the TUI's setup

        return run_tui(args)
    except UsageError as exc:
        print(f"{exc}\nRun 'hvtui --help' for usage.", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("hvtui: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _discard_output() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of what is left cannot raise."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test's StringIO): nothing to do
        pass


def _run_command(command: str, args: list[str]) -> int:
    parsed = parse(command_parser(command), args)
    if isinstance(parsed, int):
        return parsed
    settings = ConfigReader(command, getattr(parsed, "config", None))
    ca_file = getattr(parsed, "ca_file", None)
    if command == "ls" and not parsed.uris:
        targets, bad = _config_hosts(settings, ca_file)
    else:
        raw = parsed.uris if command == "ls" else [parsed.uri]
        try:
            targets, bad = [(parse_uri(text), ca_file) for text in raw], 0
        except URIError as exc:
            raise UsageError(f"hvtui {command}: {exc}") from None
    if ca_file and not os.path.isfile(ca_file):
        raise UsageError(f"hvtui {command}: --ca-file {ca_file}: no such file (give the host's CA, as PEM)")
    if not targets:  # every host of the config has a URI that no longer parses: each was said
        return EXIT_USAGE
    from hvtui.cli.dispatch import run_command  # deferred: keeps 'hvtui --help' fast

    code = run_command(command, parsed, targets, settings)
    return max(code, EXIT_USAGE) if bad else code


def _config_hosts(settings: ConfigReader, ca_file: str | None) -> tuple[list[Target], int]:
    """``hvtui ls`` with no URI: the config's hosts, as the TUI shows them, each with its ca_file;
    and how many were left out because their URI no longer parses (each said on stderr)."""
    if ca_file:
        raise UsageError(
            "hvtui ls: --ca-file applies to the URIs given with it; set ca_file in the config for its hosts"
        )
    hosts = settings.config.hosts
    if not hosts:
        raise UsageError(f"hvtui ls: a URI is required: none was given, and {settings.path} lists no hosts")
    targets: list[Target] = []
    for host in hosts:
        uri = host.parsed
        if uri is None:
            print(f"hvtui ls: config: host {host.uri!r} left out: {host.error}", file=sys.stderr)
        else:
            targets.append((uri, host.ca_file))
    return targets, len(hosts) - len(targets)
