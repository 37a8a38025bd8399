"""``HyperVHost``: the one object the TUI and the CLI talk to about a Hyper-V host.

A refresh (:meth:`HyperVHost.snapshot`) costs a fixed number of WS-Man round trips however
many VMs the host has: one ``GetSummaryInformation`` for every VM (in batches of VSSD
references only when one reply would pass the envelope size) plus one small read of the
host's free memory and clock. The slow-moving inventory (IDs, generation, configuration,
startup memory, the guests' addresses and names, the switches) is read on connect, every
``inventory_interval`` seconds, and whenever the summary shows it went stale (the guests'
names and OS are carried between inventories for a while: :mod:`hvtui.hyperv.guest`). libvirt's
``virsh list --all`` makes about three requests per VM.

Actions are sent once and never retried; a 4096 answer becomes an :class:`Action` whose
job can be followed.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hvtui.hyperv import queries
from hvtui.hyperv.actions import Verb, spec_for
from hvtui.hyperv.cold_read import read_cold
from hvtui.hyperv.errors import (
    ActionFailed,
    ActionRefused,
    VMNotFound,
)
from hvtui.hyperv.facts import build_facts, refresh_facts
from hvtui.hyperv.guest import with_names
from hvtui.hyperv.inventory import Inventory, VMConfig, merge
from hvtui.hyperv.jobs import JobWatcher, return_code_text
from hvtui.hyperv.lenient import as_int
from hvtui.hyperv.models import VM, Connection, HostFacts, HostSnapshot, ReadProgress
from hvtui.hyperv.outcomes import Action, ActionOutcome, follow, unfinished
from hvtui.hyperv.session import DEFAULT_TIMEOUT, Props, Session
from hvtui.hyperv.states import decode_enabled_state
from hvtui.hyperv.summaries import Summaries
from hvtui.hyperv.together import together
from hvtui.hyperv.vm_lookup import find_in
from hvtui.uri import ConnectionURI
from hvtui.wsman import ClientOptions, ClientStats, Credentials

if TYPE_CHECKING:
    from hvtui.hyperv.devices import VMDetails

RETURN_OK = 0
RETURN_JOB_STARTED = 4096
RETURN_INVALID_STATE = 32775
#: Connections a host's reads may use at once (a cold read: facts, inventory, summary batches).
COLD_CONNECTIONS = 4


#: Seconds a settings change is followed before it is reported as still running.
SETTINGS_TIMEOUT = 120.0


class HyperVHost:
    """A connection to one Hyper-V host and everything hvtui asks of it."""

    def __init__(
        self,
        uri: ConnectionURI,
        password: str | None,
        *,
        ca_file: str | None = None,
        tls_pin: str | None = None,
        inventory_interval: float = 30.0,
        timeout: float = DEFAULT_TIMEOUT,
        max_envelope_size: int = ClientOptions.max_envelope_size,
        connections: int = COLD_CONNECTIONS,
    ) -> None:
        self.uri = uri
        # None: Kerberos with the user's own ticket (kinit), no password at all.
        credentials = Credentials(uri.user, password)
        # From here on only Credentials (whose repr hides it) hold the password: a traceback
        # with every frame's locals -- Textual prints one when an app crashes -- shows nothing.
        del password
        self.session = Session(
            uri,
            credentials,
            ca_file=ca_file,
            tls_pin=tls_pin,
            timeout=timeout,
            max_envelope_size=max_envelope_size,
            connections=connections,
        )
        self.inventory_interval = inventory_interval
        # Read the host's free memory and clock with each refresh; a caller that shows them
        # nowhere for now (a fleet's host off screen) turns this off and keeps the last read.
        self.live_facts = True
        # A screen, unlike a listing, can show the guests' names a refresh after the VMs: the
        # first refresh then does not wait for every guest's KVP items (:mod:`hvtui.hyperv.guest`).
        self.guest_names_later = False
        self._facts: HostFacts | None = None
        self._inventory: Inventory | None = None
        self._inventory_stale = True
        self.summaries = Summaries(self.session)
        self._lock = asyncio.Lock()  # one refresh at a time; actions interleave between requests

    # -- connection ---------------------------------------------------------------------------

    @property
    def key(self) -> str:
        return self.uri.canonical

    @property
    def connection(self) -> Connection:
        """Transport, auth scheme and TLS verification, for the host detail pane."""
        return self.session.describe()

    async def connect(self) -> HostFacts:
        """Log in and read the host's facts; the first call a UI makes."""
        return await self.host_facts(refresh=True)

    async def aclose(self) -> None:
        await self.session.aclose()

    async def __aenter__(self) -> HyperVHost:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def stats(self) -> ClientStats:
        return self.session.stats

    @property
    def reading(self) -> ReadProgress | None:
        """The read in progress and how many items it has brought so far, updated page by
        page; None between reads. Safe to look at from another thread."""
        return self.session.reading

    # -- host facts ---------------------------------------------------------------------------

    async def host_facts(self, *, refresh: bool = False) -> HostFacts:
        if self._facts is not None and not refresh:
            return self._facts
        # The operating system first, alone: it shows whether the host answers at all (and
        # which release it runs), so a broken or hostile host costs one request, not five.
        return await self._facts_after(await self.session.first(queries.OS_FACTS))

    async def _facts_after(self, os_props: Props | None) -> HostFacts:
        s = self.session
        async with together() as group:  # the rest at once, over the session's connections
            computer_read, processors_read, product_read, maximum_read = (
                group.create_task(s.query(read))
                for read in (queries.COMPUTER, queries.PROCESSORS, queries.PRODUCT, queries.MAX_VCPUS)
            )
        computer = next(iter(computer_read.result()), None)
        product = next(iter(product_read.result()), None)
        processors, maximum = processors_read.result(), maximum_read.result()
        max_vcpus = max((as_int(m.get("VirtualQuantity")) or 0 for m in maximum), default=0) or None
        self._facts = build_facts(os_props or {}, computer or {}, processors, product, max_vcpus)
        return self._facts

    # -- inventory and refresh -----------------------------------------------------------------

    def invalidate_inventory(self) -> None:
        """Read the inventory again on the next refresh (after an action, for example)."""
        self._inventory_stale = True

    async def _read_inventory(self) -> Inventory:
        inventory, _ = await self._cold_read(full=True, summarise=False)
        return inventory

    async def _cold_read(self, *, full: bool, summarise: bool = True) -> tuple[Inventory, list[Props]]:
        """The inventory and the summaries, read at once (:func:`read_cold`); a full inventory
        is kept for later refreshes."""
        inventory, summaries = await read_cold(
            self.session,
            self.summaries,
            full=full,
            summarise=summarise,
            previous=self._inventory,
            guest_names=not self.guest_names_later or self._inventory is not None,
        )
        if full:
            self._inventory = inventory
            self._inventory_stale = False
        return inventory, summaries

    async def snapshot(self) -> HostSnapshot:
        """Every VM and the host's facts, in a fixed number of round trips."""
        async with self._lock:
            before = self.session.stats.round_trips
            facts_read = self._facts is None
            inventory_read = self._needs_inventory()
            if inventory_read:
                # As host_facts does, the operating system alone first; then everything at once.
                os_props = await self.session.first(queries.OS_FACTS) if facts_read else None
                async with together() as group:
                    if facts_read:
                        group.create_task(self._facts_after(os_props))
                    cold = group.create_task(self._cold_read(full=True))
                inventory, summaries = cold.result()
                await self.session.client.trim()  # the cold read's extra connections
            else:
                if facts_read:
                    await self.host_facts(refresh=True)
                assert self._inventory is not None
                inventory = self._inventory
                if inventory.guests.names_pending:
                    async with together() as group:  # neither waits for the other
                        named = group.create_task(with_names(self.session, inventory.guests))
                        steady = group.create_task(self._steady_summaries(inventory))
                    inventory.guests = named.result()
                    inventory.built.clear()  # every running VM is built again, with its guest's name
                    summaries = steady.result()
                else:
                    summaries = await self._steady_summaries(inventory)
            assert self._facts is not None
            facts = self._facts
            vms, stale = merge(self.key, inventory, summaries)
            if stale and not inventory_read:
                inventory = await self._read_inventory()
                inventory_read = True
                vms, _ = merge(self.key, inventory, summaries)
            if not facts_read and self.live_facts:  # facts read just now carry them already
                os_live = await self.session.first(queries.OS_LIVE)
                if os_live:
                    facts = self._facts = refresh_facts(facts, os_live)
            return HostSnapshot(
                uri=self.key,
                facts=facts,
                vms=vms,
                taken_at=datetime.now(UTC),
                round_trips=self.session.stats.round_trips - before,
                inventory_refreshed=inventory_read,
                switches=inventory.switches,
            )

    async def list_vms(self, *, full: bool) -> tuple[VM, ...]:
        """Every VM, reading only what a listing shows: the summary and the VMs' IDs, plus the
        rest of the inventory when ``full`` (a listing's JSON and CSV carry all of it). No host
        facts: a cold ``hvtui ls`` costs the handshake, the IDs' pages and the summary batches."""
        async with self._lock:
            if self._needs_inventory():
                inventory, summaries = await self._cold_read(full=full)
                await self.session.client.trim()  # the cold read's extra connections
            else:
                assert self._inventory is not None
                inventory = self._inventory
                summaries = await self._steady_summaries(inventory)
        vms, _ = merge(self.key, inventory, summaries)
        return vms

    def _needs_inventory(self) -> bool:
        return (
            self._inventory is None
            or self._inventory_stale
            or self._inventory.age() >= self.inventory_interval
        )

    async def _steady_summaries(self, inventory: Inventory) -> list[Props]:
        settings = [cfg.vssd_instance_id for cfg in inventory.vms.values() if cfg.vssd_instance_id]
        return await self.summaries.read(len(inventory.vms), settings)

    # -- inside one VM ------------------------------------------------------------------------

    async def details(self, vm: VM, *, disk_files: bool = True) -> VMDetails:
        """One VM's devices and guest: see :func:`~hvtui.hyperv.devices.read_details`."""
        from hvtui.hyperv.devices import read_details  # not on a listing's path: 5 ms of every start

        return await read_details(self.session, vm.guid, disk_files=disk_files)

    # -- lookups ------------------------------------------------------------------------------

    async def find_vm(self, ref: str) -> VM:
        """A VM by GUID (any case, braces optional), by name, or by ID, as virsh resolves them."""
        snapshot = await self.snapshot()
        return find_in(snapshot, ref)

    # -- actions ------------------------------------------------------------------------------

    async def request(self, vm: VM | str, verb: Verb | str) -> Action:
        """Ask for a power action once. Raises ActionRefused or ActionFailed; never retries."""
        spec = spec_for(verb)
        target = vm if isinstance(vm, VM) else await self.find_vm(vm)
        fresh = await self.session.computer_system(target.guid)
        if fresh is None:
            raise VMNotFound(f"{target.name} is no longer on {self.uri.display_host}")
        power = decode_enabled_state(as_int(fresh.get("EnabledState")))
        reason = spec.check(target.name, power)
        if reason:
            raise ActionRefused(reason)
        if spec.requested_state is None:
            code, job_id = await self._initiate_shutdown(target)
        else:
            code, job_id = await self.session.request_state_change(target.guid, spec.requested_state)
        self.invalidate_inventory()
        if code == RETURN_OK:
            return Action(self.session, target, spec, None, self.invalidate_inventory)
        if code == RETURN_JOB_STARTED:
            if job_id is None:
                return Action(self.session, target, spec, None, self.invalidate_inventory)
            return Action(self.session, target, spec, job_id, self.invalidate_inventory)
        if code == RETURN_INVALID_STATE:
            raise ActionRefused(
                f"{target.name}: the host refused to {spec.title.lower()} it: the VM's state does not "
                "allow this now (32775)"
            )
        raise ActionFailed(f"{target.name}: {spec.title.lower()} failed: {return_code_text(code)}")

    async def _initiate_shutdown(self, vm: VM) -> tuple[int, str | None]:
        device = await self.session.shutdown_component(vm.guid)
        if device is None:
            raise ActionRefused(
                f"{vm.name} cannot be shut down gracefully: its guest has no shutdown integration "
                "service (install or enable it in the guest, or turn the VM off)"
            )
        return await self.session.initiate_shutdown(vm.guid, device)

    async def set_autostart(self, vm: VM | str, enabled: bool) -> ActionOutcome:
        """AutomaticStartupAction 4 (always start) or 2 (none), as libvirt writes it."""
        target, cfg = await self.configured(vm)
        if not cfg.vssd_instance_id:
            raise ActionFailed(f"{target.name}: its settings could not be found on the host")
        code, job_id = await self.session.modify_system_settings(
            cfg.vssd_instance_id,
            {"AutomaticStartupAction": 4 if enabled else 2},
            {"AutomaticStartupAction": "uint16"},
        )
        return await self._settle(target, code, job_id, f"autostart {'on' if enabled else 'off'}")

    async def set_memory(self, vm: VM | str, mib: int) -> ActionOutcome:
        """Startup memory (VirtualQuantity), rounded up to an even number of MiB as Hyper-V wants."""
        target, cfg = await self.configured(vm)
        if mib < 32:
            raise ActionRefused(f"{target.name}: {mib} MiB is too little memory for a VM (32 MiB at least)")
        if not cfg.memory_instance_id:
            raise ActionFailed(f"{target.name}: its memory settings could not be found on the host")
        value = mib + (mib % 2)
        code, job_id = await self.session.modify_resource_settings(
            "Msvm_MemorySettingData",
            cfg.memory_instance_id,
            {"VirtualQuantity": value},
            {"VirtualQuantity": "uint64"},
        )
        return await self._settle(target, code, job_id, f"memory set to {value} MiB")

    async def set_vcpus(self, vm: VM | str, count: int) -> ActionOutcome:
        """Virtual processors; Hyper-V allows the change only while the VM is off."""
        target, cfg = await self.configured(vm)
        if count < 1:
            raise ActionRefused(f"{target.name}: a VM needs at least one virtual processor")
        facts = await self.host_facts()
        if facts.max_vcpus and count > facts.max_vcpus:
            raise ActionRefused(
                f"{target.name}: this host allows at most {facts.max_vcpus} virtual processors"
            )
        if not cfg.processor_instance_id:
            raise ActionFailed(f"{target.name}: its processor settings could not be found on the host")
        code, job_id = await self.session.modify_resource_settings(
            "Msvm_ProcessorSettingData",
            cfg.processor_instance_id,
            {"VirtualQuantity": count},
            {"VirtualQuantity": "uint64"},
        )
        return await self._settle(target, code, job_id, f"{count} virtual processors set")

    async def configured(self, vm: VM | str) -> tuple[VM, VMConfig]:
        target = vm if isinstance(vm, VM) else await self.find_vm(vm)
        if self._inventory is None or target.guid not in self._inventory.vms:
            async with self._lock:
                await self._read_inventory()
        assert self._inventory is not None
        cfg = self._inventory.vms.get(target.guid)
        if cfg is None:
            raise VMNotFound(f"{target.name} is no longer on {self.uri.display_host}")
        return target, cfg

    async def _settle(self, vm: VM, code: int, job_id: str | None, done: str) -> ActionOutcome:
        verb = None  # a settings change, not a power verb
        self.invalidate_inventory()
        if code == RETURN_INVALID_STATE:
            raise ActionRefused(f"{vm.name}: the VM's state does not allow this change now (32775)")
        if code not in (RETURN_OK, RETURN_JOB_STARTED):
            raise ActionFailed(f"{vm.name}: the change failed: {return_code_text(code)}")
        if job_id is None:
            return ActionOutcome(vm.name, verb, "completed", f"{vm.name}: {done}")
        last = await follow(JobWatcher(self.session, job_id).follow(timeout=SETTINGS_TIMEOUT), None)
        ended = unfinished(vm.name, verb, last, "the change")
        return ended or ActionOutcome(vm.name, verb, "completed", f"{vm.name}: {done}", last)
