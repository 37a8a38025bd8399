"""The VM table's ``/`` filter: words that must all match, a ``~`` regex, a ``!`` to invert.

Its own module because its syntax is a small language of its own, documented under ``?``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from hvtui.ui.rows import Row


@dataclass(frozen=True)
class VMFilter:
    """``/`` filter text, matched case-insensitively against a row's :data:`SEARCH_FIELDS`.

    Words must all match (in any field, in any order); text starting with ``~`` is one regular
    expression instead; a leading ``!`` inverts either. A regex that does not compile matches
    every row and says why in :attr:`error`, for the table's title: typing ``~[a-`` on the way
    to ``~[a-f]`` must not blank the table or fail.
    """

    text: str = ""
    error: str | None = field(init=False, default=None, compare=False)
    _test: Callable[[str], bool] | None = field(init=False, default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        needle = self.needle
        if not needle:
            return
        test: Callable[[str], bool]
        if needle.startswith("~"):
            try:
                search = re.compile(needle[1:], re.IGNORECASE).search
            except re.error as exc:
                object.__setattr__(self, "error", f"invalid regex: {exc}")
                return
            test = lambda text: search(text) is not None  # noqa: E731 - one expression, bound once
        else:
            words = needle.split()
            test = lambda text: all(word in text for word in words)  # noqa: E731
        object.__setattr__(self, "_test", test)

    @property
    def inverted(self) -> bool:
        return self.text.startswith("!")

    @property
    def needle(self) -> str:
        text = (self.text[1:] if self.inverted else self.text).strip()
        return text if text.startswith("~") else text.lower()

    @property
    def active(self) -> bool:
        return bool(self.needle)

    def matches(self, row: Row) -> bool:
        test = self._test
        if test is None:
            return True
        return test(row.search) != self.inverted
