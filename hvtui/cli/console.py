"""``hvtui screenshot`` and ``hvtui send-key``: a VM's screen as a PNG, and keys to its keyboard.

virsh's commands of the same names, over WS-Management: the screenshot is a PNG (not virsh's
PPM), at the screen's resolution unless ``--size`` says otherwise (and, without ``--size``, no
larger than a host with WinRM's default reply limit can send: it says so on stderr when that
makes it smaller). Keys are spelled as for virsh (``KEY_LEFTCTRL KEY_LEFTALT KEY_DELETE``, or
Linux keycodes; ``--codeset win32`` for virtual-key codes); each Invoke is sent once.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hvtui.cli.exits import EXIT_OK, EXIT_USAGE, UsageError, exit_code_for
from hvtui.cli.output import err, host_err
from hvtui.hyperv.console import DEFAULT_HOST_ENVELOPE, VMConsole, fit_reply
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.keys import key_codes, key_name
from hvtui.hyperv.vm_lookup import find_in
from hvtui.present.console import default_file
from hvtui.present.png import png


def check_screenshot(parsed: argparse.Namespace) -> None:
    """Refusals that need no host: binary to a terminal, a folder that does not exist."""
    if parsed.file == "-":
        if sys.stdout.isatty():
            raise UsageError(
                "hvtui screenshot: refusing to write a PNG to a terminal: give a FILE or redirect stdout"
            )
    elif parsed.file is not None:
        folder = Path(parsed.file).parent
        if not folder.is_dir():
            raise UsageError(f"hvtui screenshot: {folder}: no such folder")


def check_send_key(parsed: argparse.Namespace) -> list[int]:
    """The virtual-key codes of the keys given, or a usage error naming the bad one."""
    given = sum((bool(parsed.keys), parsed.text is not None, parsed.ctrl_alt_del))
    if given != 1:
        raise UsageError("hvtui send-key: give KEYs, or --text TEXT, or --ctrl-alt-del (one of them)")
    try:
        return key_codes(parsed.keys, parsed.codeset) if parsed.keys else []
    except ValueError as exc:
        raise UsageError(f"hvtui send-key: {exc}") from None


def _write_private(path: str, data: bytes) -> None:
    """A screen may show anything: the file is readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


async def screenshot(host: HyperVHost, parsed: argparse.Namespace) -> int:
    command = "screenshot"
    try:
        vm = find_in(await host.snapshot(), parsed.vm)
        console = VMConsole(host.session, vm)
        screen = await console.resolution()
        if parsed.size is None:
            width, height = fit_reply(screen, DEFAULT_HOST_ENVELOPE)
        else:
            width, height = parsed.size
            if width > screen[0] or height > screen[1]:
                err(command, f"{vm.name}: the screen is {screen[0]}x{screen[1]}: --size may be at most that")
                return EXIT_USAGE
        frame = await console.frame(width, height)
    except HyperVError as exc:
        host_err(command, host, exc)
        return exit_code_for(exc)
    data = png(frame.width, frame.height, frame.rgb565)
    if parsed.file == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        path = parsed.file or default_file(vm.name)
        try:
            _write_private(path, data)
        except OSError as exc:
            err(command, f"{path}: {exc.strerror or exc}")
            return EXIT_USAGE if isinstance(exc, FileNotFoundError | IsADirectoryError) else 1
        print(f"{vm.name}: {frame.width}x{frame.height} screenshot saved to {path}")
    if parsed.size is None and (width, height) != screen:
        err(
            command,
            f"{vm.name}: saved at {width}x{height}, not the screen's {screen[0]}x{screen[1]}: WinRM's "
            f"default reply limit (500 KB) cannot carry more; --size {screen[0]}x{screen[1]} once the "
            "host's MaxEnvelopeSizekb is raised",
        )
    return EXIT_OK


async def send_key(host: HyperVHost, parsed: argparse.Namespace, codes: list[int]) -> int:
    command = "send-key"
    try:
        vm = find_in(await host.snapshot(), parsed.vm)
        console = VMConsole(host.session, vm)
        if parsed.ctrl_alt_del:
            await console.ctrl_alt_del()
            print(f"{vm.name}: sent Ctrl+Alt+Del")
        elif parsed.text is not None:
            await console.type_text(parsed.text)
            print(f"{vm.name}: typed {len(parsed.text)} characters")
        else:
            await console.send_keys(codes, hold=parsed.hold / 1000)
            print(f"{vm.name}: sent {' '.join(key_name(c) for c in codes)}")
    except HyperVError as exc:
        host_err(command, host, exc)
        return exit_code_for(exc)
    return EXIT_OK
