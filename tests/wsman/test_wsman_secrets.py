"""The password never shows: not in reprs, exceptions, tracebacks (even with locals) or DEBUG logs."""

from __future__ import annotations

import base64
import copy
import logging
import pickle
import traceback
import uuid

import pytest
from support import wsman_replies as wr
from support.scripted_server import AuthPolicy

from hvtui import namespaces as ns
from hvtui.wsman import ClientOptions, Credentials, WSManClient, WSManError

from .conftest import USER

CS = f"{ns.VIRTUALIZATION_V2}/Msvm_ComputerSystem"
KEYS = {"CreationClassName": "Msvm_ComputerSystem", "Name": "VM-1"}


def unique_password() -> str:
    return f"Pw-{uuid.uuid4().hex}"


def answer(req):
    if req.action == ns.ACTION_GET:
        return wr.get_response(req, wr.Instance("Msvm_ComputerSystem", {"Name": "VM-1"}))
    return wr.fault(req, "w:AccessDenied", code="s:Sender", wsman_code=5, reason="Access is denied. ")


def test_credentials_hide_the_password():
    password = unique_password()
    creds = Credentials("CORP\\admin", password)
    for text in (repr(creds), str(creds), f"{creds}", f"{creds!r}", repr([creds]), repr({"c": creds})):
        assert password not in text
        assert "CORP" in text
    assert creds.reveal() == password
    assert creds.user == "CORP\\admin"
    with pytest.raises(TypeError):
        pickle.dumps(creds)
    assert copy.copy(creds) is creds
    assert copy.deepcopy(creds) is creds
    assert not hasattr(creds, "__dict__")


def test_credentials_refuse_nonsense():
    with pytest.raises(ValueError, match="user name"):
        Credentials("", "x")
    with pytest.raises(TypeError):
        Credentials("u", b"x")  # type: ignore[arg-type]


def test_credentials_without_a_password_are_for_a_kerberos_ticket():
    creds = Credentials("alice@CORP.EXAMPLE", None)
    assert not creds.has_password
    assert creds.reveal() is None
    assert repr(creds) == "Credentials(user='alice@CORP.EXAMPLE', password=None)"


def assert_secret_free(password: str, *texts: str) -> None:
    token = base64.b64encode(f"{USER}:{password}".encode()).decode()
    for text in texts:
        assert password not in text
        assert token not in text


def formatted(error: BaseException) -> str:
    """The traceback, plain and with every frame's locals -- leaving out this test's own frames,
    whose locals legitimately hold the password."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    plain = "".join(traceback.format_exception(type(error), error, tb))
    with_locals = "".join(traceback.TracebackException(type(error), error, tb, capture_locals=True).format())
    assert "hvtui/wsman" in with_locals
    return plain + with_locals


@pytest.mark.parametrize(
    ("scheme", "tls", "right_password"),
    [
        ("ntlm", False, True),
        ("ntlm", False, False),
        ("ntlm", True, False),
        ("basic", True, True),
        ("basic", True, False),
    ],
)
async def test_nothing_leaks_into_debug_logs_errors_or_tracebacks(
    make_server, ca_file, caplog, scheme, tls, right_password
):
    password = unique_password()
    server = await make_server(
        tls=tls,
        auth=AuthPolicy(
            users={USER: password}, schemes=("Negotiate", "Basic") if scheme == "ntlm" else ("Basic",)
        ),
        handler=answer,
    )
    used = password if right_password else unique_password()
    client = WSManClient(
        server.url,
        Credentials(USER, used),
        ClientOptions(auth=scheme, ca_file=ca_file, operation_timeout=5, read_timeout=10),
    )
    texts = []
    with caplog.at_level(logging.DEBUG):  # every logger: ours, httpx, httpcore, asyncio
        try:
            async with client:
                texts.append(repr(client))
                await client.get(CS, KEYS)
                await client.invoke(CS, "RequestStateChange", KEYS, {"RequestedState": 2})
        except WSManError as error:
            texts += [str(error), repr(error), formatted(error)]
    assert texts
    if right_password:
        assert "Access is denied" in texts[-3]  # the fault, after a successful login
    else:
        assert "refused the user name or password" in texts[-3]
    headers = [r.header("Authorization") for r in server.requests if r.header("Authorization")]
    assert headers
    log_text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert_secret_free(password, log_text, *texts)
    assert_secret_free(used, log_text, *texts)
    for value in headers:
        assert value.split()[1] not in log_text  # no token of any leg is logged


async def test_logs_at_debug_do_describe_the_exchange(make_server, caplog):
    password = unique_password()
    server = await make_server(auth=AuthPolicy(users={USER: password}), handler=answer)
    with caplog.at_level(logging.DEBUG, logger="hvtui.wsman"):
        async with WSManClient(server.url, Credentials(USER, password), ClientOptions()) as client:
            await client.get(CS, KEYS)
    messages = [r.getMessage() for r in caplog.records if r.name == "hvtui.wsman"]
    assert any("authenticated administrator with NTLM and message encryption" in m for m in messages)
    assert any("Get Msvm_ComputerSystem: HTTP 200" in m for m in messages)
