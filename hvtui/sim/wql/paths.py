"""WMI object paths: ``\\\\SERVER\\root\\virtualization\\v2:Class.Key="v",Key2="w"``.

"Describing a Class Object Path" and "Describing an Instance Object Path": an optional server
(``.`` for this one) and namespace (``\\`` or ``/`` between parts) end with a colon; then the class,
and for an instance its keys after a dot (``Class="v"`` names the one key without its name,
``Class=@`` is a singleton). Key values are quoted (``\\"`` and ``\\\\`` escaped inside) or numbers.
WMI compares paths by meaning, not by text: names and string values without regard to case, keys
in any order, and server or namespace only when both paths carry one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from hvtui.sim.render import Ref
from hvtui.sim.wql.errors import WQLError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BARE_VALUE = re.compile(r"[-+]?[\w.]+")  # numbers and TRUE/FALSE go unquoted


@dataclass(frozen=True, slots=True)
class ObjectPath:
    class_name: str
    keys: tuple[tuple[str, str], ...] = ()  # as written; ("", v) for Class="v"
    server: str | None = None
    namespace: str | None = None  # parts joined by backslashes
    singleton: bool = False

    @property
    def is_class(self) -> bool:
        return not self.keys and not self.singleton

    def relative(self) -> str:
        """``__RELPATH``: the class and keys."""
        if self.singleton:
            return f"{self.class_name}=@"
        if not self.keys:
            return self.class_name
        if len(self.keys) == 1 and not self.keys[0][0]:
            return f'{self.class_name}="{_escape(self.keys[0][1])}"'
        return self.class_name + "." + ",".join(f'{k}="{_escape(v)}"' for k, v in self.keys)

    def text(self) -> str:
        """``__PATH`` when the path has a server and namespace, else as much as it has."""
        prefix = ""
        if self.namespace:
            prefix = f"{self.namespace}:"
            if self.server:
                prefix = f"\\\\{self.server}\\{prefix}"
        return prefix + self.relative()

    def same(self, other: ObjectPath) -> bool:
        """Whether two paths name the same object, as WMI compares them."""
        if self.class_name.lower() != other.class_name.lower() or self.singleton != other.singleton:
            return False
        if (
            self.server
            and other.server
            and "." not in (self.server, other.server)
            and self.server.lower() != other.server.lower()
        ):
            return False
        if self.namespace and other.namespace and self.namespace.lower() != other.namespace.lower():
            return False
        return _key_set(self.keys) == _key_set(other.keys) or _anonymous_match(self.keys, other.keys)


def _key_set(keys: tuple[tuple[str, str], ...]) -> frozenset[tuple[str, str]]:
    return frozenset((k.lower(), v.lower()) for k, v in keys)


def _anonymous_match(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> bool:
    if len(a) != 1 or len(b) != 1 or (a[0][0] and b[0][0]):
        return False
    return a[0][1].lower() == b[0][1].lower()


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def from_ref(ref: Ref, server: str | None = None) -> ObjectPath:
    """The path of a CIM reference (the simulator's instances carry their keys as a Ref)."""
    return ObjectPath(ref.class_name, ref.selectors, server, namespace_of(ref.uri))


def namespace_of(uri: str) -> str:
    """``root\\virtualization\\v2`` from a WMI resource URI."""
    marker = "/wmi/"
    tail = uri.split(marker, 1)[1] if marker in uri else uri
    return tail.rsplit("/", 1)[0].replace("/", "\\")


@lru_cache(maxsize=1024)
def parse_object_path(text: str) -> ObjectPath:
    """Read an object path, or raise :class:`WQLError` (WBEM_E_INVALID_QUERY) for a malformed one."""
    text = text.strip()
    server = namespace = None
    if text[:2] in ("\\\\", "//") or ":" in re.split(r"[.=]", text, maxsplit=1)[0]:
        prefix, colon, text = text.partition(":")
        if not colon:
            raise WQLError(f"the object path {prefix!r} has no colon after its namespace")
        prefix = prefix.replace("/", "\\")
        if prefix.startswith("\\\\"):
            server, _, prefix = prefix[2:].partition("\\")
            if not server or not prefix:
                raise WQLError(f"the object path {server!r} names a server but no namespace")
        namespace = prefix.strip("\\")
    m = _NAME.match(text)
    if m is None:
        raise WQLError(f"the object path {text!r} does not start with a class name")
    cls, rest = m.group(), text[m.end() :]
    if not rest:
        return ObjectPath(cls, (), server, namespace)
    if rest == "=@":
        return ObjectPath(cls, (), server, namespace, singleton=True)
    if rest[0] == "=":
        value, pos = _key_value(rest, 1)
        if pos != len(rest):
            raise WQLError(f"unexpected text after the key of the object path {text!r}")
        return ObjectPath(cls, (("", value),), server, namespace)
    if rest[0] != ".":
        raise WQLError(f"bad object path {text!r}")
    keys: list[tuple[str, str]] = []
    pos = 1
    while True:
        km = _NAME.match(rest, pos)
        if km is None or rest[km.end() : km.end() + 1] != "=":
            raise WQLError(f"bad key list in the object path {text!r}")
        value, pos = _key_value(rest, km.end() + 1)
        keys.append((km.group(), value))
        if pos == len(rest):
            return ObjectPath(cls, tuple(keys), server, namespace)
        if rest[pos] != ",":
            raise WQLError(f"bad key list in the object path {text!r}")
        pos += 1


def _key_value(text: str, pos: int) -> tuple[str, int]:
    if pos < len(text) and text[pos] in "'\"":
        quote, out, i = text[pos], [], pos + 1
        while i < len(text):
            c = text[i]
            if c == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 2
                continue
            if c == quote:
                return "".join(out), i + 1
            out.append(c)
            i += 1
        raise WQLError("a key value in an object path has no closing quote")
    m = _BARE_VALUE.match(text, pos)
    if m is None:
        raise WQLError("a key in an object path has no value")
    return m.group(), m.end()
