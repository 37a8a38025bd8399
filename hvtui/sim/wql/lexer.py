"""WQL tokens: names, string and number literals, operators, punctuation and ``{object path}``.

"WHERE Clause (WMI)": strings are quoted with ``'`` or ``"``, and a backslash escapes the next
character (``\\\\``, ``\\"``, ``\\'``). Numbers are decimal or ``0x`` hexadecimal integers, or reals.
The braces of ``ASSOCIATORS OF {path}`` hold an object path verbatim, quotes and all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hvtui.sim.wql.errors import WQLError

NAME = "name"
STRING = "string"
NUMBER = "number"
OP = "op"
PUNCT = "punct"
PATH = "path"

_TOKEN = re.compile(
    r"""
      (?P<number>[-+]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?![A-Za-z_0-9]))
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op><>|!=|<=|>=|=|<|>)
    | (?P<punct>[(),*])
    """,
    re.VERBOSE,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str  # as written (strings: unescaped, without quotes)
    value: Any = None  # numbers: int or float

    def is_word(self, *words: str) -> bool:
        return self.kind == NAME and self.text.lower() in words


def tokenize(text: str) -> list[Token]:
    """Split a query into tokens, or raise :class:`WQLError` at the first character that fits none."""
    tokens: list[Token] = []
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos >= end:
            return tokens
        c = text[pos]
        if c in "'\"":
            close = _string_end(text, pos)
            tokens.append(Token(STRING, _ESCAPE.sub(r"\1", text[pos + 1 : close])))
            pos = close + 1
        elif c == "{":
            close = _brace_end(text, pos)
            tokens.append(Token(PATH, text[pos + 1 : close].strip()))
            pos = close + 1
        else:
            m = _TOKEN.match(text, pos)
            if m is None:
                raise WQLError(f"unexpected character {c!r} at position {pos + 1} of the query")
            kind = m.lastgroup or ""
            word = m.group(kind)
            tokens.append(Token(kind, word, _number(word) if kind == NUMBER else None))
            pos = m.end()


def _string_end(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    raise WQLError("a string literal in the query has no closing quote")


def _brace_end(text: str, start: int) -> int:
    quote: str | None = None
    i = start + 1
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "}":
            return i
        i += 1
    raise WQLError("an object path in the query has no closing brace")


def _number(word: str) -> int | float:
    body = word.lstrip("+-")
    sign = -1 if word.startswith("-") else 1
    if body[:2].lower() == "0x":
        return sign * int(body, 16)
    if any(c in body for c in ".eE"):
        return float(word)
    return int(word)
