"""A VM's console over WS-Management: its screen as a thumbnail, and its keyboard.

The screen is ``GetVirtualSystemThumbnailImage`` on the VM's settings, at any size up to the
video head's resolution: RGB565, two bytes a pixel, base64 on the wire, so a frame costs about
``width × height × 8 / 3`` bytes. WinRM caps a reply at MaxEnvelopeSizekb (500 KB unless raised),
which a 640×480 frame already passes: :func:`fit_reply` picks the largest size of the screen's
shape that fits. The resolution comes from the enabled video head (generation 1 VMs have two:
the S3 head while booting, the synthetic one after), as libvirt finds it.

Keys go to the VM's Msvm_Keyboard: PressKey / ReleaseKey / TypeKey (virtual-key codes), TypeText and
TypeCtrlAltDel. Every Invoke is sent once; a chord whose press fails releases what it pressed.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hvtui.hyperv import queries
from hvtui.hyperv.errors import ActionFailed, ActionRefused, HyperVError, Problem
from hvtui.hyperv.keys import CTRL_ALT_DEL, key_name
from hvtui.hyperv.lenient import as_int, as_text
from hvtui.hyperv.models import VM
from hvtui.hyperv.session import Session

#: WinRM's MaxEnvelopeSizekb unless an administrator raised it (500 KB).
DEFAULT_HOST_ENVELOPE = 500 * 1024
#: The SOAP around ImageData in a reply (headers, the ReturnValue), with room to spare.
_REPLY_OVERHEAD = 2048
#: Characters per TypeText: its limit is 512 ASCII or 256 to 512 other characters.
TEXT_CHUNK = 256
_FALLBACK = (640, 480)  # libvirt's resolution when no head says otherwise

RETURN_OK = 0
_NOT_TRANSLATABLE = 1
_INVALID_PARAMETER = 32773
_INVALID_STATE = 32775


def reply_bytes(width: int, height: int) -> int:
    """What a thumbnail of that size costs on the wire: base64 of 2 bytes a pixel, and the SOAP."""
    return 4 * math.ceil(width * height * 2 / 3) + _REPLY_OVERHEAD


def fit(resolution: tuple[int, int], max_width: int, max_height: int) -> tuple[int, int]:
    """The largest size of the screen's shape within ``max_width`` × ``max_height`` (never larger
    than the screen itself)."""
    width, height = resolution
    factor = min(1.0, max_width / width, max_height / height)
    return max(1, int(width * factor)), max(1, int(height * factor))


def fit_reply(resolution: tuple[int, int], limit: int) -> tuple[int, int]:
    """The largest size of the screen's shape whose reply fits in ``limit`` bytes."""
    width, height = resolution
    pixels = max(1, (limit - _REPLY_OVERHEAD) * 3 // 8)
    return fit(resolution, math.isqrt(pixels * width // height), math.isqrt(pixels * height // width))


@dataclass(frozen=True)
class Frame:
    """One look at the screen: ``rgb565`` is little-endian, ``width × height × 2`` bytes."""

    width: int
    height: int
    rgb565: bytes
    reply_bytes: int  # what it cost on the wire
    seconds: float  # how long the round trip took


class VMConsole:
    """The screen and keyboard of one VM, through its host's session."""

    def __init__(self, session: Session, vm: VM) -> None:
        self.session = session
        self.vm = vm
        self._keyboard: str | None = None

    @property
    def _host(self) -> str:
        return self.session.uri.display_host

    # -- the screen -----------------------------------------------------------------------------

    async def resolution(self) -> tuple[int, int]:
        """The enabled head's resolution; with none enabled (an off VM), the largest head's."""
        heads = await self.session.query(queries.video_heads_of(self.vm.guid))
        sizes = [
            (
                as_int(h.get("EnabledState")),
                as_int(h.get("CurrentHorizontalResolution")),
                as_int(h.get("CurrentVerticalResolution")),
            )
            for h in heads
        ]
        usable = [(state, w, h) for state, w, h in sizes if w and h]
        enabled = [(w, h) for state, w, h in usable if state == 2]
        if enabled:
            return enabled[-1]  # generation 1: the synthetic head, once it has taken over
        if usable:
            return max(((w, h) for _, w, h in usable), key=lambda s: s[0] * s[1])
        return _FALLBACK

    async def frame(self, width: int, height: int) -> Frame:
        """The screen at ``width`` × ``height`` (one Invoke; a read, which changes nothing)."""
        started = time.monotonic()
        try:
            code, image, size = await self.session.thumbnail_image(f"Microsoft:{self.vm.guid}", width, height)
        except HyperVError as exc:
            if self.session.is_envelope_limit(exc):
                raise HyperVError(_too_large(width, height), problem=Problem.HOST, cause=exc.cause) from None
            raise
        if code != RETURN_OK or image is None:
            reason = (
                f"a {width}x{height} picture is larger than its screen or the VM has none"
                if code == _INVALID_PARAMETER
                else f"GetVirtualSystemThumbnailImage returned {code}"
            )
            raise ActionFailed(f"{self.vm.name}: the host gave no screenshot: {reason}")
        if len(image) != width * height * 2:
            raise HyperVError(
                f"{self._host}: the screenshot of {self.vm.name} holds {len(image)} bytes, not the "
                f"{width * height * 2} of a {width}x{height} RGB565 picture",
                problem=Problem.PROTOCOL,
            )
        return Frame(width, height, image, size, time.monotonic() - started)

    # -- the keyboard ---------------------------------------------------------------------------

    async def _device(self) -> str:
        if self._keyboard is None:
            row = await self.session.first(queries.keyboard_of(self.vm.guid))
            device = as_text(row.get("DeviceID")) if row else ""
            if not device:
                raise ActionFailed(f"{self.vm.name} has no keyboard on {self._host}")
            self._keyboard = device
        return self._keyboard

    async def _call(self, method: str, params: list[tuple[str, Any]], what: str) -> None:
        code = await self.session.keyboard(self.vm.guid, await self._device(), method, params)
        if code == RETURN_OK:
            return
        if code == _INVALID_STATE:
            raise ActionRefused(f"{self.vm.name} is not running: its keyboard takes no keys ({what} refused)")
        if code == _NOT_TRANSLATABLE:
            raise ActionFailed(f"{self.vm.name}: the keyboard cannot type some of those characters")
        if code == _INVALID_PARAMETER:
            raise ActionFailed(
                f"{self.vm.name}: the host refused {what} as invalid ({method} returned {code})"
            )
        raise ActionFailed(f"{self.vm.name}: {what} failed ({method} returned {code})")

    async def send_keys(self, codes: Sequence[int], *, hold: float = 0.0) -> None:
        """Press the keys in order, hold them ``hold`` seconds, release them in reverse: a chord.

        One key and no hold is a single TypeKey.
        """
        if not codes:
            return
        if len(codes) == 1 and hold <= 0:
            await self._call("TypeKey", [("keyCode", codes[0])], key_name(codes[0]))
            return
        pressed: list[int] = []
        try:
            for vk in codes:
                await self._call("PressKey", [("keyCode", vk)], f"pressing {key_name(vk)}")
                pressed.append(vk)
            if hold > 0:
                await asyncio.sleep(hold)
        finally:
            for vk in reversed(pressed):  # never leave a key held down in the guest
                await self._call("ReleaseKey", [("keyCode", vk)], f"releasing {key_name(vk)}")

    async def type_text(self, text: str) -> None:
        """Type text as the keyboard would (TypeText, in chunks it accepts)."""
        bad = sorted({c for c in text if (ord(c) < 0x20 and c not in "\n\t") or c == "\x7f"})
        if bad:
            codes = ", ".join(hex(ord(c)) for c in bad)
            raise ActionFailed(
                f"the text holds control characters a keyboard cannot type ({codes})", problem=Problem.USAGE
            )
        for start in range(0, len(text), TEXT_CHUNK):
            await self._call("TypeText", [("asciiText", text[start : start + TEXT_CHUNK])], "typing text")

    async def ctrl_alt_del(self) -> None:
        await self._call("TypeCtrlAltDel", [], "Ctrl+Alt+Del")


def _too_large(width: int, height: int) -> str:
    need = math.ceil(reply_bytes(width, height) / 1024)
    return (
        f"a {width}x{height} screenshot is {need} KB on the wire, more than the host's WinRM allows in "
        "one reply: ask for a smaller size, or raise the limit on the host: "
        f'winrm set winrm/config @{{MaxEnvelopeSizekb="{need}"}}'
    )


__all__ = ["CTRL_ALT_DEL", "DEFAULT_HOST_ENVELOPE", "Frame", "VMConsole", "fit", "fit_reply", "reply_bytes"]
