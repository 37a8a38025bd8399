"""What can go wrong with a Hyper-V host, in the terms a UI needs to react to.

Every error carries a one-line message that says what happened and what to do, and a
:class:`Problem` kind so the TUI can choose a status ("auth needed", "unreachable", "TLS not
trusted") and the CLI an exit code, without parsing text.
"""

from __future__ import annotations

from enum import Enum

from hvtui.wsman.certificate import CertificateInfo
from hvtui.wsman.errors import TLSError, WSManError


class Problem(Enum):
    AUTH = "auth"  # credentials missing or refused: ask again
    UNREACHABLE = "unreachable"  # refused, DNS, timeout, reset: retry with backoff
    TLS = "tls"  # certificate not trusted: the user must trust it or set no_verify=1
    PROTOCOL = "protocol"  # the host answered, but not as a WinRM/Hyper-V host would
    HOST = "host"  # the host reported an error (a WS-Man fault) for a read
    NOT_FOUND = "not-found"
    AMBIGUOUS = "ambiguous"
    REFUSED = "refused"  # an action the VM's state does not allow
    FAILED = "failed"  # an action the host tried and failed
    USAGE = "usage"


class HyperVError(Exception):
    """Base of every error the domain layer raises; ``str()`` is one line for a person.

    ``cause`` is the protocol error it was translated from, if any: kept so the domain can
    tell one fault from another (a reply too large, an instance not found) by its codes
    rather than by its text, and left out of the traceback's chain, which a person reads.
    """

    problem = Problem.HOST

    def __init__(
        self, message: str, *, problem: Problem | None = None, cause: WSManError | None = None
    ) -> None:
        super().__init__(" ".join(message.split()))
        if problem is not None:
            self.problem = problem
        self.cause = cause


class ConnectionFailed(HyperVError):
    problem = Problem.UNREACHABLE


class AuthenticationFailed(HyperVError):
    problem = Problem.AUTH


class CertificateNotTrusted(HyperVError):
    problem = Problem.TLS

    @property
    def certificate(self) -> CertificateInfo | None:
        """The certificate the host showed, when it is known: for a person to check and pin."""
        return self.cause.certificate if isinstance(self.cause, TLSError) else None

    @property
    def pinned(self) -> bool:
        """True when the host's pin (not the CA chain) refused it: its certificate changed."""
        return isinstance(self.cause, TLSError) and self.cause.pinned


class HostProtocolError(HyperVError):
    problem = Problem.PROTOCOL


class HostFault(HyperVError):
    problem = Problem.HOST


class VMNotFound(HyperVError):
    problem = Problem.NOT_FOUND


class AmbiguousName(HyperVError):
    problem = Problem.AMBIGUOUS

    def __init__(self, name: str, guids: list[str]) -> None:
        super().__init__(
            f"{len(guids)} VMs are named {name!r}: name one by GUID ({', '.join(sorted(guids))})"
        )
        self.guids = sorted(guids)


class ActionRefused(HyperVError):
    problem = Problem.REFUSED


class ActionFailed(HyperVError):
    problem = Problem.FAILED
