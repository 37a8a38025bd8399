"""The exit codes, part of the interface scripts rely on.

0 success; 1 the operation failed or was refused; 2 usage error (a malformed URI among
them, reported before any password is asked for); 3 connection or authentication failure;
141 the reader of stdout went away (``| head``): 128 + SIGPIPE, what the shell reports for a
tool that signal ends, so a script tells it apart from a failed operation.
"""

from __future__ import annotations

from hvtui.hyperv.errors import HyperVError, Problem

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CONNECTION = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

_CONNECTION_PROBLEMS = {Problem.AUTH, Problem.UNREACHABLE, Problem.TLS, Problem.PROTOCOL, Problem.HOST}


class UsageError(Exception):
    """Bad command-line input; exits 2."""


def exit_code_for(error: HyperVError) -> int:
    if error.problem is Problem.USAGE:
        return EXIT_USAGE
    return EXIT_CONNECTION if error.problem in _CONNECTION_PROBLEMS else EXIT_FAILED
