"""Which VM a user means: a reference resolved in a snapshot the way virsh resolves a domain.

Apart from :class:`~hvtui.hyperv.host.HyperVHost` because it needs no host, only a snapshot: the
CLI resolves against one it already holds, and the rule (GUID, then exact name, then ID, then
name in any case; two matches are an error, never a guess) reads in one place.
"""

from __future__ import annotations

from hvtui.hyperv.errors import AmbiguousName, VMNotFound
from hvtui.hyperv.lenient import as_guid
from hvtui.hyperv.models import VM, HostSnapshot


def find_in(snapshot: HostSnapshot, ref: str) -> VM:
    """Resolve ``ref`` in a snapshot: GUID first, then name (ambiguity is an error), then ID."""
    text = ref.strip()
    guid = as_guid(text)
    if guid and guid in snapshot.by_guid:
        return snapshot.by_guid[guid]
    named = [vm for vm in snapshot.vms if vm.name == text]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise AmbiguousName(text, [vm.guid for vm in named])
    if text.isdigit():
        with_id = [vm for vm in snapshot.vms if vm.id == int(text)]
        if with_id:
            return with_id[0]
    folded = [vm for vm in snapshot.vms if vm.name.casefold() == text.casefold()]
    if len(folded) == 1:
        return folded[0]
    if len(folded) > 1:
        raise AmbiguousName(text, [vm.guid for vm in folded])
    raise VMNotFound(f"no VM named {text!r} (nor with that GUID or ID) on {snapshot.facts.hostname}")
