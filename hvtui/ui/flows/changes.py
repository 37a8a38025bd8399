"""Creating, changing and deleting VMs from the TUI: a form or dialog, then the change, sent once.

Each entry point refuses in read-only mode, asks what it needs of the host first (the VM's
devices, the host's switches and disk folder), opens its screen, and runs what the screen
returns on the scheduler's loop: one record in the task log, the VM's Status cell while it
runs, one notification when it ends, and a refresh of the host at once. A change of several
requests that fails half-way is taken back by the domain, whose message says what is left.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial

from hvtui.hyperv.device_changes import DeviceChange, apply_device_change
from hvtui.hyperv.device_layout import Layout, read_layout
from hvtui.hyperv.devices_edit import DeviceEditor
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.lifecycle import create_vm, default_folders, delete_vm, switch_names
from hvtui.hyperv.states import VMState
from hvtui.hyperv.vm_settings import SettingsChange, apply_settings
from hvtui.present.changes import DEVICE_VERBS, settings_report
from hvtui.ui.flows.context import FlowContext
from hvtui.ui.flows.jobcell import show_job
from hvtui.ui.rows import Row
from hvtui.ui.screens.delete_vm import DeleteRequest, DeleteVMScreen
from hvtui.ui.screens.device_dialogs import DeviceDialog, DiskDialog, MediaDialog, NicDialog
from hvtui.ui.screens.new_vm import HostChoices, NewVMRequest, NewVMScreen
from hvtui.ui.screens.vm_detail import VMDetailScreen
from hvtui.ui.screens.vm_settings import SettingsScreen
from hvtui.ui.tasklog import DONE, FAILED, TaskLog, TaskRecord

_log = logging.getLogger(__name__)

READ_ONLY = "Read-only mode (--read-only): creating, changing and deleting VMs is disabled"
DELETABLE = (VMState.OFF, VMState.SAVED, VMState.FAST_SAVED)
DIALOGS: dict[str, type[DeviceDialog]] = {"media": MediaDialog, "disk": DiskDialog, "nic": NicDialog}

# What runs on the scheduler's loop: given the host and the task's record, one line and whether it all went.
Work = Callable[[HyperVHost, TaskRecord], Awaitable[tuple[str, bool]]]


class ChangeFlow:
    def __init__(self, app: FlowContext, log: TaskLog) -> None:
        self.app = app
        self.log = log
        self.acting: set[str] = set()  # VMs with a change of ours in flight

    # -- asking -------------------------------------------------------------------------------

    def _host_name(self, host: str) -> str:
        view = self.app.hosts.get(host)
        return view.short_name if view else host

    def _row(self, key: str | None) -> Row | None:
        """The VM to change, or None having said why not (read-only, none, one already changing)."""
        app = self.app
        if app.read_only:
            app.note(READ_ONLY, "warning")
            return None
        row = app.model.rows.get(key) if key is not None else None
        if row is None:
            app.note("No VM selected", "warning")
            return None
        if row.key in self.acting:
            app.note(f"{row.vm.name} already has a change running: wait for it to end", "warning")
            return None
        return row

    def edit_settings(self, key: str | None) -> None:
        row = self._row(key)
        if row is not None:
            screen = SettingsScreen(row.vm, self._host_name(row.host))
            self.app.push_screen(screen, partial(self._settings_chosen, row))

    def change_devices(self, key: str | None, kind: str) -> None:
        row = self._row(key)
        if row is not None:
            self.app.run_worker(self._open_devices(row, kind), group=f"read:{row.key}", exit_on_error=False)

    def new_vm(self, host: str | None) -> None:
        app = self.app
        if app.read_only:
            app.note(READ_ONLY, "warning")
        elif host is None or host not in app.hosts:
            app.note("Choose the host for the new VM first (in the hosts pane)", "warning")
        else:
            app.run_worker(self._open_new(host), group=f"read:{host}", exit_on_error=False)

    def delete(self, key: str | None) -> None:
        row = self._row(key)
        if row is None:
            return
        power = row.vm.power
        if power.state not in DELETABLE:
            self.app.note(
                f"Cannot delete {row.vm.name}: it is {power.label}; turn it off (or save it) first",
                "warning",
            )
            return
        where = self._host_name(row.host)
        detail = f"{row.vm.name} ({row.vm.guid}) is {power.label}."
        self.app.push_screen(DeleteVMScreen(row.vm.name, where, detail), partial(self._delete_chosen, row))

    # -- what the host says first -------------------------------------------------------------

    async def _read(self, host: str, call: Callable[[HyperVHost], Awaitable[object]], what: str) -> object:
        scheduler = self.app.scheduler
        try:
            return await scheduler.run(scheduler.with_host(host, call))
        except HyperVError as exc:
            self.app.note(f"{self._host_name(host)}: could not read {what}: {exc}", "error")
            return None

    async def _open_devices(self, row: Row, kind: str) -> None:
        async def layout_of(host: HyperVHost) -> Layout:
            return await read_layout(host.session, row.vm.guid)

        layout = await self._read(row.host, layout_of, f"{row.vm.name}'s devices")
        if isinstance(layout, Layout):
            self.app.push_screen(DIALOGS[kind](row.vm.name, layout), partial(self._device_chosen, row))

    async def _open_new(self, key: str) -> None:
        name = self._host_name(key)

        async def choices(host: HyperVHost) -> HostChoices:
            facts = await host.host_facts()
            _, vhd_folder = await default_folders(host)
            return HostChoices(key, name, tuple(await switch_names(host)), vhd_folder, facts.max_vcpus)

        found = await self._read(key, choices, "its switches and folders")
        if isinstance(found, HostChoices):
            self.app.push_screen(NewVMScreen(found), partial(self._create_chosen, key))

    # -- the changes --------------------------------------------------------------------------

    def _settings_chosen(self, row: Row, change: SettingsChange | None) -> None:
        if change is None:
            return

        async def work(host: HyperVHost, _: TaskRecord) -> tuple[str, bool]:
            return settings_report(row.vm.name, await apply_settings(host, row.vm, change))

        self._run(row.host, row.vm.name, "Settings", work, row, "Changing settings")

    def _device_chosen(self, row: Row, change: DeviceChange | None) -> None:
        if change is None:
            return
        title, progressive = DEVICE_VERBS[(change.kind, change.verb)]

        async def work(host: HyperVHost, _: TaskRecord) -> tuple[str, bool]:
            facts = await host.host_facts()
            editor = DeviceEditor(host.session, facts.hostname.split(".")[0], row.vm)
            try:
                return await apply_device_change(host, editor, change), True
            finally:
                host.invalidate_inventory()

        self._run(row.host, row.vm.name, title, work, row, progressive)

    def _create_chosen(self, key: str, request: NewVMRequest | None) -> None:
        if request is None:
            return
        plan, where = request.plan, self._host_name(key)

        async def work(host: HyperVHost, record: TaskRecord) -> tuple[str, bool]:
            def step(text: str) -> None:
                record.detail = text  # read by the task log screen; a str swap is safe across threads

            vm = await create_vm(host, plan, step)
            made = f"{vm.name} created on {where}"
            if not request.start:
                return made, True
            step(f"starting {vm.name}")
            outcome = await (await host.request(vm.guid, "start")).wait(timeout=300)
            if not outcome.ok:
                return f"{made}, but not started: {outcome.message}", False
            return f"{made} and started", True

        self.app.note(f"Creating {plan.name} on {where}…")
        self._run(key, plan.name, "Create", work)

    def _delete_chosen(self, row: Row, request: DeleteRequest | None) -> None:
        if request is None:
            return

        where = self._host_name(row.host)

        async def work(host: HyperVHost, _: TaskRecord) -> tuple[str, bool]:
            return await delete_vm(host, row.vm, delete_disks=request.delete_disks, where=where), True

        self._run(row.host, row.vm.name, "Delete", work, row, "Deleting")

    # -- running ------------------------------------------------------------------------------

    def _run(
        self, host: str, vm_name: str, title: str, work: Work, row: Row | None = None, progressive: str = ""
    ) -> None:
        record = self.log.begin(self._host_name(host), vm_name, title)
        if row is not None:
            self.acting.add(row.key)
            show_job(self.app, row.key, f"{progressive}…")
        self.app.run_worker(
            self._follow(host, record, work, row),
            name=f"{title} {vm_name}",
            group=f"change:{host}",
            exit_on_error=False,
        )

    async def _follow(self, key: str, record: TaskRecord, work: Work, row: Row | None) -> None:
        scheduler = self.app.scheduler

        async def there(host: HyperVHost) -> tuple[str, bool]:
            try:
                return await work(host, record)
            finally:
                scheduler.refresh(key)  # the change shows at once, whatever became of it

        try:
            text, ok = await scheduler.run(scheduler.with_host(key, there))
        except HyperVError as exc:
            text, ok = str(exc), False
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback on screen
            _log.exception("%s of %s failed", record.verb, record.vm)
            text, ok = f"{record.vm}: {record.verb.lower()} failed: {type(exc).__name__}: {exc}", False
        finally:
            if row is not None:
                self.acting.discard(row.key)
                show_job(self.app, row.key, None)
        self.log.end(record, DONE if ok else FAILED, text)
        self.app.note(text, "information" if ok else "error", timeout=None if ok else 12)
        top = self.app.top
        deleted = ok and record.verb == "Delete" and row is not None
        if deleted and isinstance(top, VMDetailScreen) and row is not None and top.key == row.key:
            self.app.pop_screen()  # the VM it showed is gone

