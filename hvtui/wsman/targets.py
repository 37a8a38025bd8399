"""Which URIs an operation goes to: the class a resource URI names, and an enumeration's targets.

WinRM enumerates with a WQL filter only on the namespace wildcard (``…/v2/*``); given a
class URI and WQL, the Enumerate goes to the wildcard and the Pulls to the class URI (as
libvirt does); given the wildcard, both go to it (as other clients do).
"""

from __future__ import annotations

import re

from hvtui import namespaces as ns
from hvtui.wsman.errors import ConfigurationError

_WQL_CLASS = re.compile(r"\bFROM\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


def class_of(resource_uri: str) -> str:
    """The class a resource URI names: its last segment."""
    return resource_uri.rstrip("/").rsplit("/", 1)[-1]


def enumeration_target(resource_uri: str, wql: str | None) -> tuple[str, str, str, str]:
    """(Enumerate URI, Pull URI, fragment class, fragment class URI) for a request."""
    if not resource_uri:
        raise ConfigurationError("the resource URI is empty: name a class URI or a namespace wildcard")
    wildcard = resource_uri.endswith("/*")
    if wql is None:
        if wildcard:
            raise ConfigurationError(
                f"{resource_uri} is a namespace wildcard: WinRM enumerates it only with a WQL filter; pass "
                "wql=, or use a class URI"
            )
        return resource_uri, resource_uri, class_of(resource_uri), resource_uri
    match = _WQL_CLASS.search(wql)
    wql_class = match.group(1) if match else ""
    if wildcard:
        base = resource_uri[:-2]
        return resource_uri, resource_uri, wql_class, f"{base}/{wql_class}" if wql_class else base
    if resource_uri.startswith(ns.WMI_BASE):
        base = resource_uri.rsplit("/", 1)[0]
        # WinRM requires the wildcard with WQL; pulling on the class URI is accepted too.
        return f"{base}/*", resource_uri, wql_class or class_of(resource_uri), resource_uri
    return resource_uri, resource_uri, wql_class, resource_uri
