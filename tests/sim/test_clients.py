"""Independent WS-Man clients get correct data from the simulator over real sockets.

pypsrp's WSMan (Basic; NTLM with message encryption over HTTP), pywinrm's Protocol (Basic and
NTLM-encrypted send_message) and Debian's ``wsl`` shell (curl + xmllint) for enumerate and get.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import SIM_PASSWORD, SIM_USER
from tests.sim.wire import V2, WQL
from tests.support.independent import ENUM, WSMAN, pypsrp_client

pypsrp_wsman = pytest.importorskip("pypsrp.wsman")
winrm_protocol = pytest.importorskip("winrm.protocol")

CS = f"{V2}/Msvm_ComputerSystem"



def _enumerate_body(wql: str | None = None, optimize: bool = False) -> ET.Element:
    el = ET.Element(f"{{{ENUM}}}Enumerate")
    if optimize:
        ET.SubElement(el, f"{{{WSMAN}}}OptimizeEnumeration")
        ET.SubElement(el, f"{{{WSMAN}}}MaxElements").text = "5"
    if wql:
        f = ET.SubElement(el, f"{{{WSMAN}}}Filter", Dialect=WQL)
        f.text = wql
    return el


def _psrp_enumerate(w, uri: str, wql: str | None = None, optimize: bool = False) -> list[ET.Element]:
    body = w.enumerate(uri, _enumerate_body(wql, optimize))
    resp = body.find(f"{{{ENUM}}}EnumerateResponse")
    items = list(resp.find(f"{{{WSMAN}}}Items") or []) if resp.find(f"{{{WSMAN}}}Items") is not None else []
    ctx = resp.find(f"{{{ENUM}}}EnumerationContext")
    ctx_text = ctx.text if ctx is not None else None
    while ctx_text:
        pull = ET.Element(f"{{{ENUM}}}Pull")
        ET.SubElement(pull, f"{{{ENUM}}}EnumerationContext").text = ctx_text
        ET.SubElement(pull, f"{{{ENUM}}}MaxElements").text = "7"
        presp = w.pull(uri, pull).find(f"{{{ENUM}}}PullResponse")
        items.extend(list(presp.find(f"{{{ENUM}}}Items")))
        ctx = presp.find(f"{{{ENUM}}}EnumerationContext")
        ctx_text = ctx.text if ctx is not None else None
    return items


def _value(item: ET.Element, name: str) -> str | None:
    for child in item:
        if child.tag.rsplit("}", 1)[-1] == name:
            return child.text
    raise KeyError(name)


@pytest.mark.parametrize("auth", ["basic", "ntlm"])
def test_pypsrp_enumerate_wql_and_get(sim_host, auth):
    w = pypsrp_client(sim_host, auth)
    plain = _psrp_enumerate(w, CS)
    optimized = _psrp_enumerate(w, CS, optimize=True)
    assert len(plain) == len(optimized) == 21
    vms = _psrp_enumerate(w, f"{V2}/*", 'SELECT * FROM Msvm_ComputerSystem WHERE Caption = "Virtual Machine"')
    assert len(vms) == 20
    expected = {v.guid: v.name for v in sim_host.model.vms}
    assert {_value(i, "Name"): _value(i, "ElementName") for i in vms} == expected
    guid = next(iter(expected))
    sel = pypsrp_wsman.SelectorSet()
    sel.add_option("CreationClassName", "Msvm_ComputerSystem")
    sel.add_option("Name", guid.lower())
    got = w.get(CS, selector_set=sel)
    inst = got.find(f"{{{CS}}}Msvm_ComputerSystem")
    assert _value(inst, "Name") == guid
    w.update_max_payload_size()  # reads MaxEnvelopeSizekb through a Get on wsman/1/config
    assert w.max_envelope_size == 512000


@pytest.mark.parametrize("auth", ["basic", "ntlm"])
def test_pypsrp_invoke_and_follow_the_job(make_sim, auth):
    host = make_sim(vms=4, allow_unencrypted=auth == "basic", time_scale=100).hosts[0]
    vm = next(v for v in host.model.vms if v.enabled_state == 3)
    w = pypsrp_client(host, auth)
    sel = pypsrp_wsman.SelectorSet()
    sel.add_option("CreationClassName", "Msvm_ComputerSystem")
    sel.add_option("Name", vm.guid)
    body = ET.Element(f"{{{CS}}}RequestStateChange_INPUT")
    ET.SubElement(body, f"{{{CS}}}RequestedState").text = "2"
    out = w.invoke(f"{CS}/RequestStateChange", CS, body, selector_set=sel)
    output = out.find(f".//{{{CS}}}RequestStateChange_OUTPUT")
    assert output.find(f"{{{CS}}}ReturnValue").text == "4096"
    job_id = output.find(f".//{{{WSMAN}}}Selector[@Name='InstanceID']").text
    job_uri = f"{V2}/Msvm_ConcreteJob"
    states = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        jsel = pypsrp_wsman.SelectorSet()
        jsel.add_option("InstanceID", job_id)
        job = w.get(job_uri, selector_set=jsel).find(f"{{{job_uri}}}Msvm_ConcreteJob")
        states.append(int(_value(job, "JobState")))
        if states[-1] == 7:
            break
        time.sleep(0.01)
    assert states[-1] == 7
    assert int(_value(job, "PercentComplete")) == 100
    assert host.model.vm(vm.guid).enabled_state == 2


def _winrm_message(resource: str, action: str, body: str, selectors: str = "") -> str:
    return (
        '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        f'xmlns:w="{WSMAN}" xmlns:n="{ENUM}"><env:Header><a:To>x</a:To>'
        f"<a:MessageID>uuid:{uuid.uuid4()}</a:MessageID>"
        f'<w:ResourceURI mustUnderstand="true">{resource}</w:ResourceURI>'
        f'<a:Action mustUnderstand="true">{action}</a:Action>{selectors}</env:Header>'
        f"<env:Body>{body}</env:Body></env:Envelope>"
    )


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_pywinrm_send_message(make_sim, transport):
    host = make_sim(vms=3, allow_unencrypted=transport == "basic").hosts[0]
    p = winrm_protocol.Protocol(
        host.endpoint,
        transport=transport,
        username=SIM_USER,
        password=SIM_PASSWORD,
        message_encryption="auto",
    )
    enum = _winrm_message(
        f"{V2}/*",
        f"{ENUM}/Enumerate",
        f'<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>32000</w:MaxElements><w:Filter Dialect="{WQL}">'
        "SELECT * FROM Msvm_ComputerSystem WHERE Caption = 'Virtual Machine'</w:Filter></n:Enumerate>",
    )
    root = ET.fromstring(p.send_message(enum))
    items = root.findall(f".//{{{WSMAN}}}Items/*")
    assert len(items) == 1  # an optimized Enumerate carries one item, like real 2008 R2/2012 hosts
    ctx = root.find(f".//{{{ENUM}}}EnumerationContext").text
    pull = _winrm_message(
        CS,
        f"{ENUM}/Pull",
        f"<n:Pull><n:EnumerationContext>{ctx}</n:EnumerationContext>"
        "<n:MaxElements>10</n:MaxElements></n:Pull>",
    )
    root = ET.fromstring(p.send_message(pull))
    items += root.findall(f".//{{{ENUM}}}Items/*")
    assert root.find(f".//{{{ENUM}}}EndOfSequence") is not None
    assert sorted(_value(i, "Name") for i in items) == sorted(v.guid for v in host.model.vms)
    assert host.counters["Enumerate"] == 1
    assert host.counters["Pull"] == 1


def _wsl_env(host, home) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "WSENDPOINT": f"127.0.0.1:{host.port}",
        "WSUSER": SIM_USER,
        "WSPASS": SIM_PASSWORD,
        "WSNOSSL": "true",
        "IPINTERACTIVE": "0",
        "KEEPHISTORY": "0",
        "OUTLEVEL": "1",
    }


@pytest.fixture
def wsl_tool():
    path = shutil.which("wsl")
    if path is None:
        if os.environ.get("CI") or os.environ.get("HVTUI_REQUIRE_WSL") == "1":
            pytest.fail("Debian's wsl is required here (apt-get install wsl) but is not installed")
        pytest.skip("Debian's wsl is not installed (apt-get install wsl); CI installs and requires it")
    return path


def test_wsl_enumerate_and_get(sim_host, wsl_tool, tmp_path):
    env = _wsl_env(sim_host, tmp_path)
    r = subprocess.run([wsl_tool, "enum", CS], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=120, check=False)  # fmt: skip
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    guids = {v.guid for v in sim_host.model.vms}
    found = {g for g in guids if f"<p:Name>{g}</p:Name>" in r.stdout}
    assert found == guids
    vm = sim_host.model.vms[3]
    r = subprocess.run(
        [wsl_tool, "get", CS, "CreationClassName=Msvm_ComputerSystem", f"Name={vm.guid.lower()}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert f"<p:ElementName>{vm.name}</p:ElementName>" in r.stdout
