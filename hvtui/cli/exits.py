"""The exit codes, part of the interface scripts rely on.

0 success; 1 the operation failed or was refused; 2 usage error (a malformed URI among
them, reported before any password is asked for); 3 connection or authentication failure.
"""

from __future__ import annotations

from hvtui.hyperv.errors import HyperVError, Problem

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CONNECTION = 3
EXIT_INTERRUPTED = 130

_CONNECTION_PROBLEMS = {Problem.AUTH, Problem.UNREACHABLE, Problem.TLS, Problem.PROTOCOL, Problem.HOST}


class UsageError(Exception):
    """Bad command-line input; exits 2."""


def exit_code_for(error: HyperVError) -> int:
    if error.problem is Problem.USAGE:
        return EXIT_USAGE
    return EXIT_CONNECTION if error.problem in _CONNECTION_PROBLEMS else EXIT_FAILED
