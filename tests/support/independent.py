"""pypsrp's WS-Man client pointed at a simulated host, made one way for every fidelity test.

pypsrp is a client nobody here wrote: what it reads from the simulator is what any other
WinRM client would read.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SIM_PASSWORD, SIM_USER

ENUM = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
WSMAN = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"


def pypsrp_client(host: Any, auth: str = "ntlm") -> Any:
    """A ``pypsrp.wsman.WSMan`` for ``host`` over HTTP; Basic goes unencrypted, as WinRM allows it."""
    wsman = pytest.importorskip("pypsrp.wsman")
    return wsman.WSMan(
        "127.0.0.1",
        port=host.port,
        username=SIM_USER,
        password=SIM_PASSWORD,
        ssl=False,
        auth=auth,
        encryption="never" if auth == "basic" else "auto",
        cert_validation=False,
        connection_timeout=10,
        read_timeout=30,
    )
