"""The small CIM values of this layer: references (EPR), date-times kept as text until read,
method results, and the Identify answer. Instances are in :mod:`hvtui.wsman.instance`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hvtui import namespaces as ns
from hvtui.wsman import xmlwrite
from hvtui.wsman.cimtime import decode as decode_time

_MISSING: Any = object()


class EPR:
    """A WS-Addressing endpoint reference to one CIM instance (a WMI REF).

    ``EPR(resource_uri, {"CreationClassName": "Msvm_ComputerSystem", "Name": guid})``. Selector
    lookups are case-insensitive, as WinRM treats them.
    """

    __slots__ = ("_selectors", "address", "resource_uri")

    def __init__(
        self,
        resource_uri: str,
        selectors: Mapping[str, str | EPR] | Iterable[tuple[str, str | EPR]] = (),
        address: str = ns.ANONYMOUS,
    ) -> None:
        self.resource_uri = resource_uri
        self.address = address
        items = selectors.items() if isinstance(selectors, Mapping) else selectors
        self._selectors: tuple[tuple[str, str | EPR], ...] = tuple(
            (str(k), v if isinstance(v, EPR) else str(v)) for k, v in items
        )

    @property
    def selectors(self) -> dict[str, str | EPR]:
        return dict(self._selectors)

    @property
    def class_name(self) -> str:
        """The class the reference points at: the last segment of its resource URI."""
        return self.resource_uri.rstrip("/").rsplit("/", 1)[-1]

    def selector(self, name: str, default: Any = None) -> Any:
        folded = name.lower()
        for key, value in self._selectors:
            if key.lower() == folded:
                return value
        return default

    def render(self, element: str, namespace_declarations: bool = True) -> str:
        """This reference as an Invoke parameter or property element named ``element``
        (e.g. ``p:AffectedSystem``), the way WinRM and libvirt write it."""
        decl = f' xmlns:a="{ns.ADDRESSING}" xmlns:w="{ns.WSMAN}"' if namespace_declarations else ""
        return f"<{element}{decl}>{self.render_body()}</{element}>"

    def render_body(self) -> str:
        """``<a:Address>…</a:Address><a:ReferenceParameters>…`` (prefixes a and w in scope)."""
        return (
            f"<a:Address>{xmlwrite.text(self.address, 'an EPR address')}</a:Address>"
            f"<a:ReferenceParameters><w:ResourceURI>{xmlwrite.text(self.resource_uri, 'a resource URI')}"
            f"</w:ResourceURI>{render_selector_set(self._selectors)}</a:ReferenceParameters>"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EPR):
            return NotImplemented
        return (
            self.resource_uri == other.resource_uri
            and self.address == other.address
            and {k.lower(): v for k, v in self._selectors} == {k.lower(): v for k, v in other._selectors}
        )

    def __hash__(self) -> int:
        return hash((self.resource_uri, frozenset((k.lower(), v) for k, v in self._selectors)))

    def __repr__(self) -> str:
        sel = ", ".join(f"{k}={v!r}" for k, v in self._selectors)
        return f"EPR({self.class_name}: {sel})"


def render_selector_set(selectors: Iterable[tuple[str, str | EPR]]) -> str:
    parts = []
    for name, value in selectors:
        body = (
            value.render("a:EndpointReference")
            if isinstance(value, EPR)
            else xmlwrite.text(value, "a selector")
        )
        parts.append(f'<w:Selector Name="{xmlwrite.attr(name, "a selector name")}">{body}</w:Selector>')
    return f"<w:SelectorSet>{''.join(parts)}</w:SelectorSet>" if parts else ""


class LazyValue:
    """A date-time or interval child element, kept as text until it is read."""

    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind
        self.text = text

    def value(self) -> Any:
        return decode_time(self.kind, self.text)

    def __repr__(self) -> str:
        return f"<{self.kind} {self.text!r}>"


@dataclass(frozen=True)
class InvokeResult:
    """What a method returned: ``return_value`` (an int for the usual uint32), the typed
    ``outputs`` (every ``_OUTPUT`` child, ReturnValue included) and ``job``, the Job
    reference a 4096 ("transition started") comes with. ``reply_bytes`` is the size of the
    SOAP reply it came in, measured on the reply itself, for callers that size batches."""

    return_value: Any
    outputs: Mapping[str, Any]
    job: EPR | None = None
    method: str = ""
    reply_bytes: int = 0


_PRODUCT_VERSION = re.compile(
    r"OS:\s*(?P<os>[\d.]+)(?:\s+SP:\s*(?P<sp>[\d.]+))?(?:\s+Stack:\s*(?P<stack>[\d.]+))?"
)


@dataclass(frozen=True)
class IdentifyResult:
    """The answer to ``wsmid:Identify``: protocol version, vendor, and the product version
    string WinRM sends, e.g. ``"OS: 10.0.20348 SP: 0.0 Stack: 3.0"``."""

    protocol_version: str = ""
    product_vendor: str = ""
    product_version: str = ""
    security_profiles: tuple[str, ...] = ()

    @property
    def os_version(self) -> str | None:
        """``"10.0.20348"`` from the product version, when it has that form."""
        match = _PRODUCT_VERSION.search(self.product_version)
        return match.group("os") if match else None

    @property
    def stack_version(self) -> str | None:
        match = _PRODUCT_VERSION.search(self.product_version)
        return match.group("stack") if match else None
