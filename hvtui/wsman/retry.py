"""When an exchange may go out again: the one place these rules live.

* A connection that broke before any reply: sent again once, on a fresh connection, if
  the request is idempotent (Identify, Get, Enumerate, Release) or if nothing the host
  could run had left yet (the connection was never made, or only an authentication leg
  was lost). An Invoke that may have reached the host is never resent.
* A 401 on a connection we had authenticated: the host dropped the connection and its
  session with it, and ran nothing; authenticate again and send once more, whatever the
  request is.

Nothing else is resent. (The client restarting a broken enumeration from its Enumerate is
a separate, higher-level rule: see :mod:`hvtui.wsman.client`.)
"""

from __future__ import annotations

from hvtui.wsman.errors import AuthenticationError
from hvtui.wsman.http_errors import BrokenBeforeReply


class SessionLost(Exception):
    """A 401 on an authenticated connection; ``refusal`` is the error if no resend is left."""

    def __init__(self, refusal: AuthenticationError) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


class Resends:
    """The resends one exchange has left; ask it each time something went wrong."""

    def __init__(self, *, idempotent: bool) -> None:
        self.idempotent = idempotent
        self._after_break = False
        self._after_lost_session = False

    def after_break(self, broken: BrokenBeforeReply) -> bool:
        if self._after_break or (broken.request_sent and not self.idempotent):
            return False
        self._after_break = True
        return True

    def after_lost_session(self) -> bool:
        if self._after_lost_session:
            return False
        self._after_lost_session = True
        return True
