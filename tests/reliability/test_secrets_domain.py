"""A password never shows in exception text, reprs or tracebacks -- even with every frame's locals.

Tracebacks with locals are not a theoretical worry: Textual prints one, locals included,
when an app crashes. Each test uses a password of its own, so a hit cannot be a coincidence.
"""

from __future__ import annotations

import base64
import traceback
import uuid
from pathlib import Path

import pytest

from hvtui.cli.passwords import PasswordSource
from hvtui.hyperv.actions import Verb
from hvtui.hyperv.errors import HyperVError, Problem
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.vm_lookup import find_in
from hvtui.secrets import CredentialStore
from hvtui.uri import parse_uri


def unique_password() -> str:
    return f"Pw-{uuid.uuid4().hex}"


def forms(password: str, user: str = "administrator") -> list[str]:
    """The password and the ways a Basic header would carry it."""
    return [password, base64.b64encode(f"{user}:{password}".encode()).decode()]


def rendered(error: BaseException) -> str:
    """str, repr and the traceback -- plain and with every frame's locals, this file's frames aside
    (their locals hold the password on purpose)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    plain = "".join(traceback.format_exception(type(error), error, tb))
    with_locals = "".join(traceback.TracebackException(type(error), error, tb, capture_locals=True).format())
    return "\n".join([str(error), repr(error), plain, with_locals])


def assert_absent(password: str, *texts: str) -> None:
    for text in texts:
        for form in forms(password):
            assert form not in text


def sim_with(make_sim, password: str, **fields):
    return make_sim(password=password, vms=3, **fields)


@pytest.mark.parametrize("auth", ["ntlm", "basic"])
async def test_wrong_password(make_sim, auth):
    right, wrong = unique_password(), unique_password()
    h = sim_with(make_sim, right).hosts[0]
    async with HyperVHost(parse_uri(f"{h.uri}&auth={auth}"), wrong, timeout=2) as host:
        with pytest.raises(HyperVError) as caught:
            await host.snapshot()
        texts = [rendered(caught.value), repr(host), repr(host.session), repr(host.session.client)]
    assert caught.value.problem is Problem.AUTH
    assert_absent(wrong, *texts)
    assert_absent(right, *texts)


async def test_errors_after_logging_in(make_sim):
    password = unique_password()
    h = sim_with(make_sim, password).hosts[0]
    texts = []
    async with HyperVHost(parse_uri(h.uri), password, timeout=0.5) as host:
        vm = find_in(await host.snapshot(), h.model.vms[0].name)
        texts += [repr(host), repr(vm), repr(host.connection), repr(host.session.client.options)]
        for rule in ("fault:code=AccessDenied", "malformed", "reset:at=mid", "no-answer", "http503"):
            h.faults.clear()
            h.faults.add(f"{rule}:op=Invoke")
            with pytest.raises(HyperVError) as caught:
                await host.request(vm, Verb.TURN_OFF if vm.power.is_active else Verb.START)
            texts.append(rendered(caught.value))
        h.faults.clear()
        h.set_password(unique_password())  # changed under us: 401 on the open session
        with pytest.raises(HyperVError) as caught:
            await host.snapshot()
        texts.append(rendered(caught.value))
    assert_absent(password, *texts)


async def test_unreachable_and_untrusted(make_sim):
    password = unique_password()
    texts = []
    async with HyperVHost(parse_uri("hyperv://127.0.0.1:9/?transport=http"), password, timeout=1) as host:
        with pytest.raises(HyperVError) as caught:
            await host.snapshot()
        texts.append(rendered(caught.value))
    h = make_sim(password=password, vms=1, https=True).hosts[0]  # self-signed
    async with HyperVHost(parse_uri(h.uri), password, timeout=2) as host:
        with pytest.raises(HyperVError) as caught:
            await host.snapshot()
        assert caught.value.problem is Problem.TLS
        texts.append(rendered(caught.value))
    assert_absent(password, *texts)


@pytest.mark.parametrize(
    "case", ["unusable CA file", "missing CA file", "bad timeout"], ids=lambda c: c.replace(" ", "-")
)
def test_a_host_that_cannot_be_set_up(tmp_path: Path, case: str):
    password = unique_password()
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("not a certificate")
    kwargs = {
        "unusable CA file": {"ca_file": str(not_pem)},
        "missing CA file": {"ca_file": str(tmp_path / "nowhere.pem")},
        "bad timeout": {"timeout": float("nan")},
    }[case]
    with pytest.raises(HyperVError) as caught:
        HyperVHost(parse_uri("hyperv://hv01.example.test/"), password, **kwargs)
    assert caught.value.problem is Problem.USAGE
    assert_absent(password, rendered(caught.value))


def test_password_holders_hide_it_in_their_repr(tmp_path: Path):
    password = unique_password()
    store = CredentialStore(use_keyring=False)
    store.remember("hyperv://administrator@hv01/", password, persist=False)
    source = PasswordSource(stdin=True, use_keyring=False)
    source._stdin_value = password  # what --password-stdin leaves behind once read
    assert_absent(password, repr(store), repr(source), str(source))
