"""Make file permissions bite in a test even when the suite runs as root.

Root passes every permission check through two capabilities, CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH. :func:`enforced` takes them out of the *effective* set of the calling
thread (and of threads it starts meanwhile) and puts them back afterwards, so a mode-000
file is really unreadable and a mode-555 directory really unwritable -- for hvtui's code
running in this thread, exactly as for an ordinary user. Without root it does nothing:
permissions already apply. Where the capabilities cannot be changed it skips the test,
saying why.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Iterator

import pytest

_VERSION_3 = 0x20080522
_DAC_OVERRIDE = 1
_DAC_READ_SEARCH = 2


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _call(name: str, data: ctypes.Array[_Data]) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if getattr(libc, name)(ctypes.byref(_Header(_VERSION_3, 0)), data) != 0:
        raise OSError(ctypes.get_errno(), name)


@contextlib.contextmanager
def enforced() -> Iterator[None]:
    if os.geteuid() != 0:
        yield
        return
    data = (_Data * 2)()
    try:
        _call("capget", data)
        saved = data[0].effective
        data[0].effective &= ~((1 << _DAC_OVERRIDE) | (1 << _DAC_READ_SEARCH))
        _call("capset", data)
    except (OSError, AttributeError) as exc:
        pytest.skip(
            f"running as root without a way to drop CAP_DAC_OVERRIDE ({exc}): permissions cannot bite"
        )
    try:
        yield
    finally:
        data[0].effective = saved
        _call("capset", data)
