"""The CLI's subcommands: ``ls``, ``info``, ``vm``, the power verbs, ``login`` and ``logout``.

Each talks to hosts only through :class:`~hvtui.hyperv.host.HyperVHost`, prints tables for
people (Rich, already installed with Textual, imported without it) or JSON/CSV for scripts,
and turns every failure into one line on stderr and an exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from hvtui.cli import EXIT_CONNECTION, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError
from hvtui.hyperv.actions import spec_for
from hvtui.hyperv.errors import HyperVError, Problem
from hvtui.hyperv.host import Action, ActionOutcome, HyperVHost, find_in
from hvtui.hyperv.models import VM, JobProgress
from hvtui.hyperv.states import VMState
from hvtui.passwords import PasswordSource, PasswordUnavailable
from hvtui.present import host as present_host
from hvtui.present import vm as present_vm
from hvtui.present.formats import count, memory_cell, percent, uptime
from hvtui.present.records import VM_FIELDS, facts_record, vm_record
from hvtui.secrets import CredentialStore
from hvtui.uri import ConnectionURI

_CONNECTION_PROBLEMS = {Problem.AUTH, Problem.UNREACHABLE, Problem.TLS, Problem.PROTOCOL, Problem.HOST}
STATE_ALIASES = {"shutoff": "off", "shut-off": "off", "suspended": "saved", "stopped": "off"}


def exit_code_for(error: HyperVError) -> int:
    if error.problem is Problem.USAGE:
        return EXIT_USAGE
    return EXIT_CONNECTION if error.problem in _CONNECTION_PROBLEMS else EXIT_FAILED


def run_command(command: str, parsed: argparse.Namespace, uris: list[ConnectionURI]) -> int:
    states = _parse_states(parsed.state) if command == "ls" and parsed.state else None
    source = PasswordSource(
        file=getattr(parsed, "password_file", None),
        stdin=getattr(parsed, "password_stdin", False),
        use_keyring=not getattr(parsed, "no_keyring", False),
    )
    if command == "logout":
        return _logout(uris[0])
    store = CredentialStore(use_keyring=source.use_keyring)
    try:
        passwords = [source.resolve(uri, store) for uri in uris]
    except PasswordUnavailable as exc:
        _err(command, str(exc))
        return EXIT_CONNECTION
    try:
        hosts = [
            HyperVHost(uri, pw, ca_file=parsed.ca_file, timeout=parsed.host_timeout)
            for uri, (pw, _) in zip(uris, passwords, strict=True)
        ]
    except HyperVError as exc:  # options that cannot work, such as an unusable --ca-file
        _err(command, str(exc))
        return exit_code_for(exc)
    try:
        return asyncio.run(_dispatch(command, parsed, hosts, states, store, passwords))
    except KeyboardInterrupt:
        _err(command, "interrupted; any action already sent is not undone")
        return 130


async def _dispatch(
    command: str,
    parsed: argparse.Namespace,
    hosts: list[HyperVHost],
    states: set[VMState] | None,
    store: CredentialStore,
    passwords: list[tuple[str, str]],
) -> int:
    try:
        if command == "ls":
            return await _ls(hosts, parsed, states)
        host = hosts[0]
        if command == "info":
            return await _info(host, parsed)
        if command == "vm":
            return await _vm(host, parsed)
        if command == "login":
            return await _login(host, store, passwords[0][0])
        return await _act(host, command, parsed)
    finally:
        await asyncio.gather(*(h.aclose() for h in hosts), return_exceptions=True)


# -- ls ------------------------------------------------------------------------------------------


async def _ls(hosts: list[HyperVHost], parsed: argparse.Namespace, states: set[VMState] | None) -> int:
    results = await asyncio.gather(*(h.snapshot() for h in hosts), return_exceptions=True)
    vms: list[VM] = []
    code = EXIT_OK
    for host, result in zip(hosts, results, strict=True):
        if isinstance(result, HyperVError):
            _host_err("ls", host, result)
            code = max(code, exit_code_for(result))
            continue
        if isinstance(result, BaseException):
            raise result
        vms += [vm for vm in result.vms if states is None or vm.state in states]
    vms.sort(key=lambda vm: (vm.host, vm.name.casefold(), vm.guid))
    if parsed.json:
        json.dump([vm_record(vm) for vm in vms], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif parsed.csv:
        _write_csv(sys.stdout, vms)
    else:
        labels = {h.key: h.uri.display_host for h in hosts} if len(hosts) > 1 else None
        _print_vm_table(vms, labels)
    return code


def _write_csv(out: TextIO, vms: Sequence[VM]) -> None:
    # The same header whether or not any VM matched, so a script can always read it.
    writer = csv.DictWriter(out, fieldnames=VM_FIELDS, lineterminator="\n")
    writer.writeheader()
    for vm in vms:
        writer.writerow({k: "" if v is None else v for k, v in vm_record(vm).items()})


def _print_vm_table(vms: Sequence[VM], host_labels: Mapping[str, str] | None) -> None:
    """A table for people; ``host_labels`` (host key -> name) adds a HOST column."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    rows = []
    for vm in vms:
        row = [
            count(vm.id) if vm.id is not None else "-",
            vm.name,
            present_vm.state(vm),
            percent(vm.cpu_load),
            memory_cell(vm.memory_mib),
            uptime(vm.uptime),
            count(vm.vcpus),
            present_vm.status(vm).long,
        ]
        if host_labels is not None:
            row.insert(0, host_labels.get(vm.host, vm.host))
        rows.append(row)
    headers = (["HOST"] if host_labels is not None else []) + [
        "ID",
        "NAME",
        "STATE",
        "CPU",
        "MEMORY",
        "UPTIME",
        "VCPUS",
        "STATUS",
    ]
    right = {"ID", "CPU", "MEMORY", "UPTIME", "VCPUS"}
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for index, header in enumerate(headers):
        widest = max([len(header)] + [len(row[index]) for row in rows])
        if header == "STATUS":  # the one column that gives way on a narrow terminal
            table.add_column(header, no_wrap=True, overflow="ellipsis")
        elif header in ("NAME", "HOST"):
            table.add_column(header, no_wrap=True, overflow="ellipsis", min_width=min(widest, 20))
        else:
            table.add_column(
                header, no_wrap=True, min_width=widest, justify="right" if header in right else "left"
            )
    for row in rows:
        table.add_row(*row)
    # On a terminal, fit its width; in a pipe, never cut a name to fit an imagined 80 columns.
    width = None if sys.stdout.isatty() else 250
    Console(highlight=False, soft_wrap=False, width=width).print(table)


# -- info and vm ---------------------------------------------------------------------------------


async def _info(host: HyperVHost, parsed: argparse.Namespace) -> int:
    try:
        snapshot = await host.snapshot()
    except HyperVError as exc:
        _host_err("info", host, exc)
        return exit_code_for(exc)
    record = facts_record(host.key, snapshot.facts, snapshot, host.connection)
    if parsed.json:
        json.dump(record, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    _print_rows(present_host.info_rows(snapshot.facts, snapshot.counts(), _connection_line(host)))
    return EXIT_OK


def _connection_line(host: HyperVHost) -> str:
    info = host.connection
    protected = present_host.protection(
        https=info["transport"] == "https",
        tls_verified=bool(info["tls_verified"]),
        encrypted=bool(info["encrypted"]),
    )
    return present_host.connection_long(str(info["endpoint"]), str(info["auth"]), protected)


async def _vm(host: HyperVHost, parsed: argparse.Namespace) -> int:
    try:
        snapshot = await host.snapshot()
        vm = find_in(snapshot, parsed.vm)
    except HyperVError as exc:
        _host_err("vm", host, exc)
        return exit_code_for(exc)
    if parsed.json:
        json.dump(vm_record(vm), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    _print_rows(present_vm.vm_rows(vm, host.uri.display_host))
    return EXIT_OK


def _print_rows(rows: Sequence[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        lines = str(value).splitlines() or [""]
        print(f"{label + ':':<{width}}{lines[0]}")
        for line in lines[1:]:
            print(" " * width + line)


# -- actions -------------------------------------------------------------------------------------


async def _act(host: HyperVHost, command: str, parsed: argparse.Namespace) -> int:
    spec = spec_for(command)
    try:
        snapshot = await host.snapshot()
        targets: list[VM] = []
        for ref in parsed.vms:
            vm = find_in(snapshot, ref)
            if vm.guid not in {t.guid for t in targets}:
                targets.append(vm)
    except HyperVError as exc:
        _host_err(command, host, exc)
        return exit_code_for(exc)

    code = EXIT_OK
    accepted: list[Action] = []
    for vm in targets:  # each request is sent exactly once, in order
        try:
            action = await host.request(vm, spec.verb)
        except HyperVError as exc:
            message = str(exc)  # with several VMs, each error must say which one it is about
            _err(command, message if vm.name in message else f"{vm.name}: {message}")
            code = max(code, exit_code_for(exc))
            continue
        accepted.append(action)
        if not parsed.wait:
            if action.job_id is None:
                print(f"{vm.name}: {spec.done}")
            else:
                print(f"{vm.name}: {spec.progressive.lower()} (job {action.job_id})")
    if not parsed.wait or not accepted:
        return code
    progress = _Progress(sys.stderr) if sys.stderr.isatty() else None
    outcomes = await asyncio.gather(
        *(
            a.wait(timeout=parsed.timeout, on_progress=progress.callback(a) if progress else None)
            for a in accepted
        ),
        return_exceptions=True,
    )
    if progress:
        progress.clear()
    for action, outcome in zip(accepted, outcomes, strict=True):
        if isinstance(outcome, HyperVError):
            _err(command, f"{action.vm.name}: lost track of the job: {outcome}")
            code = max(code, exit_code_for(outcome))
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            code = max(code, _report(command, outcome))
    return code


def _report(command: str, outcome: ActionOutcome) -> int:
    if outcome.status == "completed":
        print(outcome.message)
        return EXIT_OK
    _err(command, outcome.message)
    return EXIT_FAILED


class _Progress:
    """One self-overwriting status line on a terminal: "web-01 Saving 35% · db-02 Saving 10%"."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.parts: dict[str, str] = {}

    def callback(self, action: Action) -> Any:
        def update(job: JobProgress) -> None:
            percent = f" {job.percent}%" if job.percent is not None else ""
            self.parts[action.vm.name] = f"{action.vm.name} {action.spec.progressive}{percent}"
            line = " · ".join(self.parts.values())
            self.out.write("\r\x1b[2K" + line[:200])
            self.out.flush()

        return update

    def clear(self) -> None:
        self.out.write("\r\x1b[2K")
        self.out.flush()


# -- login / logout ------------------------------------------------------------------------------


async def _login(host: HyperVHost, store: CredentialStore, password: str) -> int:
    try:
        facts = await host.connect()
    except HyperVError as exc:
        _host_err("login", host, exc)
        return exit_code_for(exc)
    warning = store.remember(host.key, password, persist=True)
    if warning:
        _err("login", f"the password works for {facts.hostname}, but was not stored: {warning}")
        return EXIT_FAILED
    print(f"password for {host.uri.user} on {host.uri.display_host} stored in the keyring")
    return EXIT_OK


def _logout(uri: ConnectionURI) -> int:
    store = CredentialStore()
    warning = store.forget(uri.canonical)
    if warning:
        _err("logout", warning)
        return EXIT_FAILED
    print(f"password for {uri.user} on {uri.display_host} forgotten")
    return EXIT_OK


# -- helpers -------------------------------------------------------------------------------------


def _parse_states(text: str) -> set[VMState]:
    states: set[VMState] = set()
    for typed in filter(None, (w.strip().lower() for w in text.split(","))):
        word = STATE_ALIASES.get(typed, typed)
        try:
            states.add(VMState(word))
        except ValueError:
            known = ", ".join(s.value for s in VMState)
            raise UsageError(f"hvtui ls: unknown state '{word}': use {known}") from None
    return states


def _host_err(command: str, host: HyperVHost, error: HyperVError) -> None:
    """One line naming the host, unless the message already does."""
    message = str(error)
    name = host.uri.display_host
    if error.problem is Problem.TLS:
        # The protocol layer names the settings; say how to give them on this command line.
        message += "; here: --ca-file FILE with the host's CA certificate, or add no_verify=1 to the URI"
    _err(command, message if name in message else f"{name}: {message}")


def _err(command: str, message: str) -> None:
    print(f"hvtui {command}: {' '.join(message.split())}", file=sys.stderr)


__all__ = ["EXIT_USAGE", "exit_code_for", "run_command"]
