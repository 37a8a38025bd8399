"""A tiny raw WS-Man client for the simulator's tests: http.client plus lxml, nothing from hvtui."""

from __future__ import annotations

import base64
import http.client
import ssl
import uuid
from dataclasses import dataclass
from typing import Any

from lxml import etree

from tests.conftest import SIM_PASSWORD, SIM_USER

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "n": "http://schemas.xmlsoap.org/ws/2004/09/enumeration",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "cim": "http://schemas.dmtf.org/wbem/wscim/1/common",
    "wsmid": "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd",
}
V2 = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2"
CIMV2 = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2"
WQL = "http://schemas.microsoft.com/wbem/wsman/1/WQL"
ENUMERATE = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate"
PULL = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull"
RELEASE = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Release"
GET = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get"
SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def xml(self) -> Any:
        return etree.fromstring(self.body, SAFE)

    def xpath(self, path: str) -> list[Any]:
        return self.xml.xpath(path, namespaces=NS)

    def text(self, path: str) -> str | None:
        found = self.xpath(path)
        return found[0] if found and isinstance(found[0], str) else (found[0].text if found else None)

    def header_all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def fault_code(self) -> str | None:
        return self.text("//f:WSManFault/@Code")

    @property
    def subcode(self) -> str | None:
        return self.text("//s:Fault/s:Code/s:Subcode/s:Value")


def basic(user: str = SIM_USER, password: str = SIM_PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def connect(host: Any, timeout: float = 30, ca_file: str | None = None) -> http.client.HTTPConnection:
    if host.https:
        ctx = ssl.create_default_context(cafile=ca_file) if ca_file else ssl._create_unverified_context()  # noqa: S323
        return http.client.HTTPSConnection("127.0.0.1", host.port, timeout=timeout, context=ctx)
    return http.client.HTTPConnection("127.0.0.1", host.port, timeout=timeout)


def post(
    host: Any,
    body: str | bytes,
    *,
    auth: str | None = "basic",
    headers: dict[str, str] | None = None,
    conn: http.client.HTTPConnection | None = None,
    method: str = "POST",
    path: str = "/wsman",
) -> Reply:
    own = conn is None
    c = conn or connect(host)
    hdrs = {"Content-Type": "application/soap+xml;charset=UTF-8"}
    if auth == "basic":
        hdrs["Authorization"] = basic()
    elif auth:
        hdrs["Authorization"] = auth
    hdrs.update(headers or {})
    data = body.encode("utf-8") if isinstance(body, str) else body
    c.request(method, path, data, hdrs)
    r = c.getresponse()
    reply = Reply(r.status, r.getheaders(), r.read())
    if own:
        c.close()
    return reply


def envelope(
    action: str,
    uri: str | None,
    body: str = "",
    *,
    selectors: dict[str, str] | None = None,
    message_id: str | None = None,
    max_envelope: int | None = 512000,
    timeout: str | None = "PT60S",
) -> str:
    mid = message_id if message_id is not None else f"uuid:{uuid.uuid4()}"
    sels = ""
    if selectors:
        sels = (
            "<w:SelectorSet>"
            + "".join(f'<w:Selector Name="{k}">{v}</w:Selector>' for k, v in selectors.items())
            + "</w:SelectorSet>"
        )
    size = (
        f'<w:MaxEnvelopeSize s:mustUnderstand="true">{max_envelope}</w:MaxEnvelopeSize>'
        if max_envelope
        else ""
    )
    to = f"<w:OperationTimeout>{timeout}</w:OperationTimeout>" if timeout else ""
    res = f'<w:ResourceURI s:mustUnderstand="true">{uri}</w:ResourceURI>' if uri else ""
    return (
        f'<s:Envelope xmlns:s="{NS["s"]}" xmlns:a="{NS["a"]}" xmlns:n="{NS["n"]}" xmlns:w="{NS["w"]}">'
        f'<s:Header><a:To>http://127.0.0.1/wsman</a:To>{res}<a:ReplyTo><a:Address s:mustUnderstand="true">'
        "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>"
        f'<a:Action s:mustUnderstand="true">{action}</a:Action>{size}<a:MessageID>{mid}</a:MessageID>'
        f"{to}{sels}</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )


def enumerate_body(
    wql: str | None = None,
    *,
    optimize: bool = False,
    max_elements: int | None = None,
    mode: str | None = None,
) -> str:
    parts = []
    if optimize:
        parts.append("<w:OptimizeEnumeration/>")
    if max_elements is not None:
        parts.append(f"<w:MaxElements>{max_elements}</w:MaxElements>")
    if mode:
        parts.append(f"<w:EnumerationMode>{mode}</w:EnumerationMode>")
    if wql is not None:
        parts.append(f'<w:Filter Dialect="{WQL}">{wql.replace("&", "&amp;").replace("<", "&lt;")}</w:Filter>')
    return "<n:Enumerate>" + "".join(parts) + "</n:Enumerate>"


def pull_body(context: str, max_elements: int | None = None) -> str:
    me = f"<n:MaxElements>{max_elements}</n:MaxElements>" if max_elements else ""
    return f"<n:Pull><n:EnumerationContext>{context}</n:EnumerationContext>{me}</n:Pull>"


def items_of(reply: Reply) -> list[Any]:
    return reply.xpath("//w:Items/* | //n:Items/*")


def context_of(reply: Reply) -> str | None:
    found = reply.xpath("//n:EnumerationContext")
    return (found[0].text or "") if found else None


def enumerate_all(
    host: Any,
    uri: str,
    wql: str | None = None,
    *,
    optimize: bool = True,
    max_elements: int | None = 100,
    pull_max: int | None = 100,
    mode: str | None = None,
    max_envelope: int | None = 512000,
) -> tuple[list[Any], list[Reply]]:
    """Every item of an enumeration, and every reply (Enumerate first)."""
    conn = connect(host)
    try:
        first = post(
            host,
            envelope(
                ENUMERATE,
                uri,
                enumerate_body(wql, optimize=optimize, max_elements=max_elements, mode=mode),
                max_envelope=max_envelope,
            ),
            conn=conn,
        )
        assert first.status == 200, first.body[:2000]
        replies = [first]
        items = items_of(first)
        ctx = context_of(first)
        while ctx:
            r = post(
                host, envelope(PULL, uri, pull_body(ctx, pull_max), max_envelope=max_envelope), conn=conn
            )
            assert r.status == 200, r.body[:2000]
            replies.append(r)
            items.extend(items_of(r))
            ctx = context_of(r)
        return items, replies
    finally:
        conn.close()


def get(host: Any, uri: str, selectors: dict[str, str]) -> Reply:
    return post(host, envelope(GET, uri, selectors=selectors))


def invoke(host: Any, cls_uri: str, method: str, selectors: dict[str, str], params: str) -> Reply:
    prefix_ns = cls_uri
    body = f'<p:{method}_INPUT xmlns:p="{prefix_ns}">{params}</p:{method}_INPUT>'
    return post(host, envelope(f"{cls_uri}/{method}", cls_uri, body, selectors=selectors))


def prop(item: Any, name: str) -> str | None:
    """Text of a property child of an instance item, by local name."""
    for child in item:
        if etree.QName(child).localname == name:
            if child.get(f"{{{NS['xsi']}}}nil") == "true":
                return None
            return "".join(child.itertext())
    raise KeyError(name)


def props(item: Any, name: str) -> list[Any]:
    return [c for c in item if etree.QName(c).localname == name]
