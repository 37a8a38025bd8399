"""A user name and a password that never shows itself -- or no password, for a Kerberos ticket.

The password lives in one private slot. ``repr``/``str`` hide it, pickling is refused (so it
cannot end up in a cache or a file by accident), and the only way to read it is the
deliberately named :meth:`Credentials.reveal`, called inline where a header or an NTLM
context is built so that no local variable of ours ever holds it. ``None`` instead of a
password means "use the Kerberos ticket in the user's credential cache" (after ``kinit``).
"""

from __future__ import annotations

from typing import NoReturn

from hvtui import redaction


class Credentials:
    """``Credentials("administrator", "pw")``; user forms: ``user``, ``DOMAIN\\user``, ``user@domain``.

    ``Credentials("alice@CORP.EXAMPLE", None)``: no password, Kerberos with the user's ticket.
    """

    __slots__ = ("__password", "_user")

    def __init__(self, user: str, password: str | None) -> None:
        if not isinstance(user, str) or not user:
            raise ValueError("the user name is empty: name a user, e.g. administrator")
        if password is not None and not isinstance(password, str):
            raise TypeError("the password must be a string")
        self._user = user
        self.__password = password
        if password is not None:
            redaction.remember(password, user)

    @property
    def user(self) -> str:
        return self._user

    @property
    def has_password(self) -> bool:
        return self.__password is not None

    def reveal(self) -> str | None:
        """The password itself (None: none was given): call it where it is used, never store the result."""
        return self.__password

    def __repr__(self) -> str:
        shown = "<hidden>" if self.__password is not None else "None"
        return f"Credentials(user={self._user!r}, password={shown})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("credentials cannot be pickled or copied to storage")

    def __copy__(self) -> Credentials:
        return self

    def __deepcopy__(self, memo: object) -> Credentials:
        return self
