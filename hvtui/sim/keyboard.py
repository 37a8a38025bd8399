"""Msvm_Keyboard's methods, with Hyper-V's return codes: what is typed shows on the VM's screen.

``PressKey``, ``ReleaseKey``, ``TypeKey`` and ``IsKeyPressed`` take a Windows virtual-key code
(``keyCode``); ``TypeText`` takes ``asciiText`` (at most 512 characters: 32773 beyond, and 1
for a character it cannot type); ``TypeScancodes`` takes set-1 scan codes (``Scancodes``);
``TypeCtrlAltDel`` takes nothing. A VM that is not running has no keyboard to type on: every
method answers 32775, "Invalid state for this operation".

The guest on the simulated screen is simple: printable keys add to the current line (Shift
and Caps Lock as a US layout has them), Enter starts a new one, Backspace removes a character,
Escape clears the line, and Ctrl+Alt+Del brings up the sign-in prompt.
"""

from __future__ import annotations

import base64
import binascii

from lxml import etree

from hvtui.sim import soap_faults as faults
from hvtui.sim.instances import Instance
from hvtui.sim.inventory import RUNNING
from hvtui.sim.methods import Output
from hvtui.sim.model import INVALID_PARAMETER, INVALID_STATE, OK, HostModel
from hvtui.sim.soap_request import child_any_ns, text_of
from hvtui.sim.vm_screen import VMScreen, screen_of

MAX_TEXT = 512
NOT_TRANSLATABLE = 1

SHIFT, CONTROL, MENU = (
    frozenset({0x10, 0xA0, 0xA1}),
    frozenset({0x11, 0xA2, 0xA3}),
    frozenset({0x12, 0xA4, 0xA5}),
)
VK_BACK, VK_TAB, VK_RETURN, VK_ESCAPE, VK_SPACE, VK_DELETE, VK_CAPITAL = (
    0x08,
    0x09,
    0x0D,
    0x1B,
    0x20,
    0x2E,
    0x14,
)
DECIMAL_DELETE = 0x6E

# Keys that type a character: VK -> (plain, with Shift), US layout.
_CHARS: dict[int, tuple[str, str]] = {
    **{0x30 + i: (str(i), ")!@#$%^&*("[i]) for i in range(10)},
    **{0x41 + i: (chr(0x61 + i), chr(0x41 + i)) for i in range(26)},
    **{0x60 + i: (str(i), str(i)) for i in range(10)},
    VK_SPACE: (" ", " "),
    VK_TAB: ("\t", "\t"),
    0x6A: ("*", "*"),
    0x6B: ("+", "+"),
    0x6D: ("-", "-"),
    DECIMAL_DELETE: (".", "."),
    0x6F: ("/", "/"),
    0xBA: (";", ":"),
    0xBB: ("=", "+"),
    0xBC: (",", "<"),
    0xBD: ("-", "_"),
    0xBE: (".", ">"),
    0xBF: ("/", "?"),
    0xC0: ("`", "~"),
    0xDB: ("[", "{"),
    0xDC: ("\\", "|"),
    0xDD: ("]", "}"),
    0xDE: ("'", '"'),
    0xE2: ("\\", "|"),
}

# Set-1 make codes -> VK (a break code is the make code | 0x80; 0xE0 prefixes extended keys).
_SCANCODES: dict[int, int] = {
    0x01: VK_ESCAPE, **{0x02 + i: 0x31 + i for i in range(9)}, 0x0B: 0x30, 0x0C: 0xBD, 0x0D: 0xBB,
    0x0E: VK_BACK, 0x0F: VK_TAB, 0x1A: 0xDB, 0x1B: 0xDD, 0x1C: VK_RETURN, 0x1D: 0xA2,
    0x27: 0xBA, 0x28: 0xDE, 0x29: 0xC0, 0x2A: 0xA0, 0x2B: 0xDC, 0x33: 0xBC, 0x34: 0xBE, 0x35: 0xBF,
    0x36: 0xA1, 0x38: 0xA4, 0x39: VK_SPACE, 0x3A: VK_CAPITAL, 0x53: DECIMAL_DELETE,
    **{code: ord(ch.upper()) for code, ch in zip(range(0x10, 0x1A), "qwertyuiop", strict=True)},
    **{code: ord(ch.upper()) for code, ch in zip(range(0x1E, 0x27), "asdfghjkl", strict=True)},
    **{code: ord(ch.upper()) for code, ch in zip(range(0x2C, 0x33), "zxcvbnm", strict=True)},
}  # fmt: skip
_EXTENDED: dict[int, int] = {0x1D: 0xA3, 0x38: 0xA5, 0x53: VK_DELETE, 0x1C: VK_RETURN}


def _down(screen: VMScreen, vk: int) -> None:
    """A key goes down: it types, or changes what the next keys type."""
    held = screen.pressed
    held.add(vk)
    ctrl, alt = bool(held & CONTROL), bool(held & MENU)
    if vk in (VK_DELETE, DECIMAL_DELETE) and ctrl and alt:
        _ctrl_alt_del(screen)
    elif vk == VK_CAPITAL:
        screen.caps_lock = not screen.caps_lock
    elif ctrl or alt:
        return  # a chord the simple guest has no use for
    elif vk == VK_RETURN:
        screen.type("\n")
    elif vk == VK_BACK:
        screen.type("\b")
    elif vk == VK_ESCAPE:
        screen.lines[-1] = ""
    elif vk in _CHARS:
        plain, shifted = _CHARS[vk]
        upper = bool(held & SHIFT) != (screen.caps_lock and plain.isalpha())
        screen.type(shifted if upper else plain)


def _ctrl_alt_del(screen: VMScreen) -> None:
    screen.signing_in = True


def _key_code(body: etree._Element | None, machine: str) -> int | None:
    els = child_any_ns(body, "keyCode")
    if not els:
        raise faults.invalid_parameter(machine, "keyCode is missing")
    try:
        code = int(text_of(els[0]) or "")
    except ValueError:
        raise faults.invalid_parameter(machine, "keyCode must be a number") from None
    return code if 1 <= code <= 0xFE else None


def _scancodes(body: etree._Element | None) -> list[int] | None:
    """The Scancodes array: one element per byte, or one base64 element (as octet strings go)."""
    els = child_any_ns(body, "Scancodes")
    texts = [(text_of(el) or "").strip() for el in els]
    try:
        return [int(t) for t in texts]
    except ValueError:
        pass
    if len(texts) == 1:
        try:
            return list(base64.b64decode(texts[0], validate=True))
        except (binascii.Error, ValueError):
            return None
    return None


def invoke(
    model: HostModel, target: Instance, method: str, body: etree._Element | None, machine: str
) -> Output:
    vm = model.vms.get(str(target.values.get("SystemName", "")).upper())
    if vm is None:
        raise faults.not_found(machine)
    name = method.lower()
    if vm.state != RUNNING or vm.transition is not None:
        return Output(INVALID_STATE)
    screen = screen_of(model, vm)
    if name in ("presskey", "releasekey", "typekey", "iskeypressed"):
        vk = _key_code(body, machine)
        if vk is None:
            return Output(INVALID_PARAMETER)
        if name == "iskeypressed":
            state = "true" if vk in screen.pressed else "false"
            return Output(OK, [("KeyState", f"<p:KeyState>{state}</p:KeyState>")])
        if name != "releasekey":
            _down(screen, vk)
        if name != "presskey":
            screen.pressed.discard(vk)
        return Output(OK)
    if name == "typetext":
        els = child_any_ns(body, "asciiText")
        text = "".join(str(t) for t in els[0].itertext()) if els else ""  # as sent: spaces are keys too
        if len(text) > MAX_TEXT:
            return Output(INVALID_PARAMETER)
        if any((ord(c) < 0x20 and c not in "\n\r\t\b") or c == "\x7f" for c in text):
            return Output(NOT_TRANSLATABLE)
        screen.type(text.replace("\r\n", "\n").replace("\r", "\n"))
        return Output(OK)
    if name == "typectrlaltdel":
        _ctrl_alt_del(screen)
        return Output(OK)
    if name == "typescancodes":
        codes = _scancodes(body)
        if not codes or len(codes) > MAX_TEXT or any(not 0 <= c <= 0xFF for c in codes):
            return Output(INVALID_PARAMETER)
        _type_scancodes(screen, codes)
        return Output(OK)
    raise faults.action_not_supported(method)


METHODS = frozenset(
    {"presskey", "releasekey", "typekey", "iskeypressed", "typetext", "typectrlaltdel", "typescancodes"}
)


def _type_scancodes(screen: VMScreen, codes: list[int]) -> None:
    extended = False
    for code in codes:
        if code == 0xE0:
            extended = True
            continue
        make = code & 0x7F
        vk = (_EXTENDED if extended else _SCANCODES).get(make) or _SCANCODES.get(make)
        extended = False
        if vk is None:
            continue
        if code & 0x80:
            screen.pressed.discard(vk)
        else:
            _down(screen, vk)
