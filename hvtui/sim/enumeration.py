"""WS-Enumeration contexts and paging, the way WinRM pages.

* An optimized Enumerate carries the first ``first_batch`` items (real hosts: one) in ``w:Items``;
  done → empty context + ``w:EndOfSequence``, else a ``uuid:`` context. Not optimized → context only.
* Each Pull gets a NEW context value; items in ``n:Items``; the last page has no context element and
  ends with ``n:EndOfSequence``. One item per Pull when MaxElements is absent; else
  min(MaxElements, 32000), and never past min(MaxEnvelopeSize, 153600) bytes counted as UTF-16
  (what real hosts do: about 76 KB of UTF-8 per page), at least one item per page.
* Contexts expire after EnumerationTimeoutms of idleness (real time, so time_scale does not shorten it).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from hvtui import namespaces as ns
from hvtui.sim import envelope as env
from hvtui.sim import soap_faults as faults

MAX_BATCH_ITEMS = 32_000
PAGE_UTF16_LIMIT = 153_600


@dataclass
class Context:
    items: list[Callable[[], str]]  # renderers, called when the item is sent
    pos: int
    last_used: float
    owner: str


class ContextStore:
    """Live enumeration contexts of one host, routed by context value only."""

    def __init__(self, timeout_ms: int, quota: int) -> None:
        self.timeout_s = timeout_ms / 1000
        self.quota = quota
        self._contexts: dict[str, Context] = {}

    def __len__(self) -> int:
        return len(self._contexts)

    def purge(self) -> None:
        now = time.monotonic()
        for key in [k for k, c in self._contexts.items() if now - c.last_used > self.timeout_s]:
            del self._contexts[key]

    def expire_all(self) -> None:
        self._contexts.clear()

    def new(self, items: list[Callable[[], str]], pos: int, owner: str) -> str:
        key = "uuid:" + str(uuid.uuid4()).upper()
        self._contexts[key] = Context(items, pos, time.monotonic(), owner)
        return key

    def check_quota(self, owner: str) -> None:
        self.purge()
        if sum(1 for c in self._contexts.values() if c.owner == owner) >= self.quota:
            raise faults.quota_internal(self.quota)

    def take(self, key: str) -> Context:
        self.purge()
        ctx = self._contexts.pop(key.strip(), None)
        if ctx is None:
            raise faults.invalid_enumeration_context()
        return ctx

    def release(self, key: str) -> None:
        self.take(key)


def page(
    items: list[Callable[[], str]],
    start: int,
    max_items: int,
    base_len: int,
    max_envelope: int,
) -> list[str]:
    """Render items from ``start``: at most ``max_items``, within the size limits, at least one."""
    limit = min(max_envelope, PAGE_UTF16_LIMIT)
    out: list[str] = []
    size = base_len
    for i in range(start, min(len(items), start + max_items)):
        text = items[i]()
        if not out:
            if len(text.encode("utf-8")) + base_len > max_envelope:
                raise faults.encoding_limit(
                    "MaxEnvelopeSize",
                    "The WS-Management service cannot process the request because the response would exceed "
                    f"the MaxEnvelopeSize of {max_envelope} bytes. ",
                )
        elif 2 * (size + len(text)) > limit:
            break
        out.append(text)
        size += len(text)
    return out


def enumerate_response(
    store: ContextStore,
    relates_to: str | None,
    items: list[Callable[[], str]],
    *,
    optimize: bool,
    first_batch: int,
    max_elements: int | None,
    max_envelope: int,
    owner: str,
) -> str:
    head = env.head(ns.ACTION_ENUMERATE_RESPONSE, relates_to, env.ENUMERATION_PREFIXES)
    if not optimize:
        store.check_quota(owner)
        ctx = store.new(items, 0, owner)
        return (
            head
            + f"<n:EnumerateResponse><n:EnumerationContext>{ctx}</n:EnumerationContext></n:EnumerateResponse>"
            + env.TAIL
        )
    batch = min(first_batch, max_elements or 1, MAX_BATCH_ITEMS)
    base = len(head) + 200
    sent = page(items, 0, batch, base, max_envelope)
    done = len(sent) >= len(items)
    if done:
        context = "<n:EnumerationContext></n:EnumerationContext>"
        end = "<w:EndOfSequence/>"
    else:
        store.check_quota(owner)
        context = f"<n:EnumerationContext>{store.new(items, len(sent), owner)}</n:EnumerationContext>"
        end = ""
    return (
        head
        + f"<n:EnumerateResponse>{context}<w:Items>{''.join(sent)}</w:Items>{end}</n:EnumerateResponse>"
        + env.TAIL
    )


def pull_response(
    store: ContextStore,
    relates_to: str | None,
    key: str,
    max_elements: int | None,
    max_envelope: int,
) -> str:
    ctx = store.take(key)
    head = env.head(ns.ACTION_PULL_RESPONSE, relates_to, env.ENUMERATION_PREFIXES)
    count = 1 if max_elements is None else max(1, min(max_elements, MAX_BATCH_ITEMS))
    try:
        sent = page(ctx.items, ctx.pos, count, len(head) + 150, max_envelope)
    except faults.SoapFault:
        ctx.last_used = time.monotonic()
        store._contexts[key.strip()] = ctx  # the context survives a page that cannot be sent
        raise
    pos = ctx.pos + len(sent)
    if pos >= len(ctx.items):
        body = f"<n:PullResponse><n:Items>{''.join(sent)}</n:Items><n:EndOfSequence/></n:PullResponse>"
    else:
        new_key = store.new(ctx.items, pos, ctx.owner)
        body = (
            f"<n:PullResponse><n:EnumerationContext>{new_key}</n:EnumerationContext>"
            f"<n:Items>{''.join(sent)}</n:Items></n:PullResponse>"
        )
    return head + body + env.TAIL
