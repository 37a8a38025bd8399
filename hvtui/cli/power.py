"""The power verbs (``start``, ``shutdown``, ``off``, ``save`` …) on one or more VMs of a host.

Each request is sent exactly once, in order, and never again on its own; ``--wait``
follows the jobs, with one self-overwriting progress line when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, TextIO

from hvtui.cli.exits import EXIT_FAILED, EXIT_OK, exit_code_for
from hvtui.cli.output import ambiguous_err, err, host_err
from hvtui.hyperv.actions import spec_for
from hvtui.hyperv.errors import AmbiguousName, HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.models import VM, JobProgress
from hvtui.hyperv.outcomes import Action, ActionOutcome
from hvtui.hyperv.vm_lookup import find_in


async def act(host: HyperVHost, command: str, parsed: argparse.Namespace) -> int:
    spec = spec_for(command)
    try:
        snapshot = await host.snapshot()
    except HyperVError as exc:
        host_err(command, host, exc)
        return exit_code_for(exc)
    targets: list[VM] = []
    try:
        for ref in parsed.vms:
            vm = find_in(snapshot, ref)
            if vm.guid not in {t.guid for t in targets}:
                targets.append(vm)
    except AmbiguousName as exc:
        ambiguous_err(command, host, snapshot, ref, exc)
        return exit_code_for(exc)
    except HyperVError as exc:
        host_err(command, host, exc)
        return exit_code_for(exc)

    code = EXIT_OK
    accepted: list[Action] = []
    for vm in targets:  # each request is sent exactly once, in order
        try:
            action = await host.request(vm, spec.verb)
        except HyperVError as exc:
            message = str(exc)  # with several VMs, each error must say which one it is about
            err(command, message if vm.name in message else f"{vm.name}: {message}")
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
            err(command, f"{action.vm.name}: lost track of the job: {outcome}")
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
    err(command, outcome.message)
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
