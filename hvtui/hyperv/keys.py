"""Keys as people and scripts name them, turned into the Windows virtual-key codes Msvm_Keyboard
takes.

virsh's ``send-key`` spellings: Linux input names (``KEY_LEFTCTRL``, ``KEY_A``, ``KEY_F1``),
or numbers that are Linux keycodes unless the code set says ``win32`` (then they are virtual-key
codes themselves), in decimal or ``0x`` hex. The table follows libvirt's keymaps (the linux
and win32 columns of keymaps.csv) for the keys of a PC keyboard.
"""

from __future__ import annotations

import re

CODESETS = ("linux", "win32")

# Linux input name (without KEY_) -> (Linux keycode, Windows virtual-key code).
_KEYS: dict[str, tuple[int, int]] = {
    "ESC": (1, 0x1B),
    **{str((i + 1) % 10): (2 + i, 0x30 + (i + 1) % 10) for i in range(10)},
    "MINUS": (12, 0xBD),
    "EQUAL": (13, 0xBB),
    "BACKSPACE": (14, 0x08),
    "TAB": (15, 0x09),
    **{ch: (16 + i, ord(ch)) for i, ch in enumerate("QWERTYUIOP")},
    "LEFTBRACE": (26, 0xDB),
    "RIGHTBRACE": (27, 0xDD),
    "ENTER": (28, 0x0D),
    "LEFTCTRL": (29, 0xA2),
    **{ch: (30 + i, ord(ch)) for i, ch in enumerate("ASDFGHJKL")},
    "SEMICOLON": (39, 0xBA),
    "APOSTROPHE": (40, 0xDE),
    "GRAVE": (41, 0xC0),
    "LEFTSHIFT": (42, 0xA0),
    "BACKSLASH": (43, 0xDC),
    **{ch: (44 + i, ord(ch)) for i, ch in enumerate("ZXCVBNM")},
    "COMMA": (51, 0xBC),
    "DOT": (52, 0xBE),
    "SLASH": (53, 0xBF),
    "RIGHTSHIFT": (54, 0xA1),
    "KPASTERISK": (55, 0x6A),
    "LEFTALT": (56, 0xA4),
    "SPACE": (57, 0x20),
    "CAPSLOCK": (58, 0x14),
    **{f"F{i + 1}": (59 + i, 0x70 + i) for i in range(10)},
    "NUMLOCK": (69, 0x90),
    "SCROLLLOCK": (70, 0x91),
    "KP7": (71, 0x67),
    "KP8": (72, 0x68),
    "KP9": (73, 0x69),
    "KPMINUS": (74, 0x6D),
    "KP4": (75, 0x64),
    "KP5": (76, 0x65),
    "KP6": (77, 0x66),
    "KPPLUS": (78, 0x6B),
    "KP1": (79, 0x61),
    "KP2": (80, 0x62),
    "KP3": (81, 0x63),
    "KP0": (82, 0x60),
    "KPDOT": (83, 0x6E),
    "102ND": (86, 0xE2),
    "F11": (87, 0x7A),
    "F12": (88, 0x7B),
    "KPENTER": (96, 0x0D),
    "RIGHTCTRL": (97, 0xA3),
    "KPSLASH": (98, 0x6F),
    "SYSRQ": (99, 0x2C),
    "RIGHTALT": (100, 0xA5),
    "HOME": (102, 0x24),
    "UP": (103, 0x26),
    "PAGEUP": (104, 0x21),
    "LEFT": (105, 0x25),
    "RIGHT": (106, 0x27),
    "END": (107, 0x23),
    "DOWN": (108, 0x28),
    "PAGEDOWN": (109, 0x22),
    "INSERT": (110, 0x2D),
    "DELETE": (111, 0x2E),
    "PAUSE": (119, 0x13),
    "LEFTMETA": (125, 0x5B),
    "RIGHTMETA": (126, 0x5C),
    "COMPOSE": (127, 0x5D),
    **{f"F{13 + i}": (183 + i, 0x7C + i) for i in range(12)},
}
_ALIASES = {"PRINT": "SYSRQ", "ESCAPE": "ESC", "RETURN": "ENTER", "DEL": "DELETE"}
_BY_LINUX = {linux: vk for linux, vk in _KEYS.values()}
_NUMBER = re.compile(r"(0x[0-9a-f]+|\d+)", re.IGNORECASE)

VK_CONTROL, VK_MENU, VK_DELETE = 0xA2, 0xA4, 0x2E
CTRL_ALT_DEL = (VK_CONTROL, VK_MENU, VK_DELETE)


def key_code(text: str, codeset: str = "linux") -> int:
    """The virtual-key code of one key as virsh spells it; ValueError says what is wrong."""
    word = text.strip()
    if _NUMBER.fullmatch(word):
        number = int(word, 0)
        if codeset == "win32":
            if not 1 <= number <= 0xFE:
                raise ValueError(f"{word} is not a Windows virtual-key code (1 to 254)")
            return number
        vk = _BY_LINUX.get(number)
        if vk is None:
            raise ValueError(f"{word} is not a Linux keycode of a PC key (or give --codeset win32)")
        return vk
    name = word.upper().removeprefix("KEY_")
    name = _ALIASES.get(name, name)
    found = _KEYS.get(name)
    if found is None:
        raise ValueError(f"unknown key {word!r} (keys are named like KEY_A, KEY_ENTER, KEY_LEFTCTRL, KEY_F1)")
    return found[1]


def key_codes(words: list[str], codeset: str = "linux") -> list[int]:
    if codeset not in CODESETS:
        raise ValueError(f"unknown code set {codeset!r}: choose {' or '.join(CODESETS)}")
    return [key_code(word, codeset) for word in words]


def key_name(vk: int) -> str:
    """``KEY_A`` for 0x41: how a key is named back to a person (the first Linux name it has)."""
    for name, (_, code) in _KEYS.items():
        if code == vk:
            return f"KEY_{name}"
    return f"0x{vk:02X}"
