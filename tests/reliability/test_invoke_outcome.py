"""What an action's error says about whether the host may have carried it out.

Every way an Invoke can end without a readable answer, from a scripted host: when the host
received the request (an unreadable reply, a cut mid-reply, WinRM's own timeout), the error
must warn that it may have run and must not advise sending it again; when the host refused
it before running anything (413, 503, a redirect), it must not cry wolf.
"""

from __future__ import annotations

import pytest
from support import wsman_replies as wr
from support.scripted_server import Reply, ScriptedServer

from hvtui.hyperv.errors import ConnectionFailed, HostFault, HostProtocolError, HyperVError
from hvtui.hyperv.session import Session
from hvtui.uri import parse_uri
from hvtui.wsman import Credentials

MAY_HAVE_RUN = "the request may have reached the host, so check the VM's state before asking again"
GUID = "2B7A6D9E-1111-4222-8333-444455556666"


def _timed_out(req):
    return wr.fault(
        req,
        "w:TimedOut",
        code="s:Receiver",
        wsman_code=2150858793,
        reason="The WS-Management service cannot complete the operation within the time specified in "
        "OperationTimeout.",
    )


CASES = [
    ("unreadable reply", lambda req: Reply(200, body=b"<s:Envelope><broken"), HostProtocolError, True),
    (
        "html error page",
        Reply(500, body=b"<html><title>oops</title></html>", content_type="text/html"),
        HostProtocolError,
        True,
    ),
    ("cut mid-reply", Reply(200, body=b"x" * 4000, close_after=300), ConnectionFailed, True),
    ("winrm timed out", _timed_out, HostFault, True),
    ("too large for the host", Reply(413, body=b"", content_type=None), HostProtocolError, False),
    (
        "service unavailable",
        Reply(503, body=b"<html>503</html>", content_type="text/html"),
        ConnectionFailed,
        False,
    ),
    (
        "redirect",
        Reply(307, body=b"", content_type=None, headers=[("Location", "http://elsewhere/wsman")]),
        HostProtocolError,
        False,
    ),
]


@pytest.mark.parametrize(
    ("reply", "error_type", "may_have_run"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_an_action_error_says_whether_it_may_have_run(reply, error_type, may_have_run):
    async with ScriptedServer() as server:
        server.script(reply)
        uri = parse_uri(f"hyperv://administrator@127.0.0.1:{server.port}/?transport=http&auth=basic")
        session = Session(uri, Credentials("administrator", "pw"), timeout=2)
        try:
            with pytest.raises(HyperVError) as caught:
                await session.request_state_change(GUID, 2)
        finally:
            await session.aclose()
    assert type(caught.value) is error_type, str(caught.value)
    assert len(server.processed) == 1  # sent once, never again
    text = str(caught.value)
    assert (MAY_HAVE_RUN in text) is may_have_run, text
    if may_have_run:
        assert not text.removesuffix("; " + MAY_HAVE_RUN).rstrip().endswith("retry"), text
