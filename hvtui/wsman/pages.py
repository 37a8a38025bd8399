"""One page of an enumeration: the instances of an EnumerateResponse or PullResponse, the
context to pull the next page with, and whether the sequence has ended.

WinRM puts the items of an optimized EnumerateResponse in ``w:Items`` and ends with
``w:EndOfSequence``; PullResponses use ``n:Items`` and ``n:EndOfSequence``; both forms are
read. The last PullResponse carries no context at all.
"""

from __future__ import annotations

from lxml import etree

from hvtui import namespaces as ns
from hvtui.wsman.decode import decode_item
from hvtui.wsman.errors import ProtocolError
from hvtui.wsman.instance import CimInstance
from hvtui.wsman.replies import Reply
from hvtui.wsman.schema import ClassSchema

N = f"{{{ns.ENUMERATION}}}"
W = f"{{{ns.WSMAN}}}"
N_CONTEXT = f"{N}EnumerationContext"
ITEMS = frozenset({f"{W}Items", f"{N}Items"})
END_OF_SEQUENCE = frozenset({f"{W}EndOfSequence", f"{N}EndOfSequence"})


def read_page(
    reply: Reply,
    expected: str,
    schema: ClassSchema | None = None,
    fragment_class: str = "",
    fragment_uri: str = "",
    host: str | None = None,
) -> tuple[list[CimInstance], str | None, bool]:
    """(instances, next context or None, ended) of an ``EnumerateResponse``/``PullResponse``."""
    payload = reply.payload
    if payload is None or payload.tag != f"{N}{expected}":
        found = "nothing" if payload is None else f"<{etree.QName(payload).localname}>"
        raise ProtocolError(
            f"{host or 'the host'} answered with {found} where {expected} was expected", host=host
        )
    context: str | None = None
    has_context = False
    end = False
    items: list[CimInstance] = []
    for child in payload:
        tag = child.tag
        if tag == N_CONTEXT:
            has_context = True
            context = (child.text or "").strip() or None
        elif tag in ITEMS:
            for item in child:
                instance = decode_item(item, schema, fragment_class, fragment_uri)
                if instance is not None:
                    items.append(instance)
        elif tag in END_OF_SEQUENCE:
            end = True
    if not end and context is None:
        # Neither a context to pull with nor an end marker: nothing more can be asked for.
        if expected == "EnumerateResponse" and not has_context:
            raise ProtocolError(
                f"the EnumerateResponse from {host or 'the host'} has no EnumerationContext: refused",
                host=host,
            )
        end = True
    return items, context, end
