"""A user name and a password that never shows itself.

The password lives in one private slot. ``repr``/``str`` hide it, pickling is refused (so it
cannot end up in a cache or a file by accident), and the only way to read it is the
deliberately named :meth:`Credentials.reveal`, called inline where a header or an NTLM
context is built so that no local variable of ours ever holds it.
"""

from __future__ import annotations

from typing import NoReturn


class Credentials:
    """``Credentials("administrator", "pw")``; user forms: ``user``, ``DOMAIN\\user``, ``user@domain``."""

    __slots__ = ("__password", "_user")

    def __init__(self, user: str, password: str) -> None:
        if not isinstance(user, str) or not user:
            raise ValueError("the user name is empty: name a user, e.g. administrator")
        if not isinstance(password, str):
            raise TypeError("the password must be a string")
        self._user = user
        self.__password = password

    @property
    def user(self) -> str:
        return self._user

    def reveal(self) -> str:
        """The password itself: call it where it is used, never store the result."""
        return self.__password

    def __repr__(self) -> str:
        return f"Credentials(user={self._user!r}, password=<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("credentials cannot be pickled or copied to storage")

    def __copy__(self) -> Credentials:
        return self

    def __deepcopy__(self, memo: object) -> Credentials:
        return self
