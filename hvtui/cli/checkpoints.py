"""``hvtui checkpoint list|create|apply|delete|rename URI VM …``: a VM's checkpoints from a script.

Each request is sent once and never again on its own. ``--wait`` follows the job, with a
self-overwriting progress line when stderr is a terminal; ``create`` with a NAME always waits,
since the checkpoint can only be named once it exists. Exit codes are the power verbs'.
"""

from __future__ import annotations

import argparse
import sys

from hvtui.cli.exits import EXIT_FAILED, EXIT_OK, exit_code_for
from hvtui.cli.output import err, host_err, print_json
from hvtui.hyperv.checkpoints import CheckpointJob, Checkpoints
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.models import JobProgress
from hvtui.present.checkpoints import checkpoint_records, tree_text

ACTIONS = ("list", "create", "apply", "delete", "rename")


async def checkpoint(host: HyperVHost, parsed: argparse.Namespace) -> int:
    action = parsed.action
    command = f"checkpoint {action}"
    ops = Checkpoints(host)
    try:
        vm = await host.find_vm(parsed.vm)
        if action == "list":
            tree = await ops.tree(vm)
            if parsed.json:
                print_json(checkpoint_records(tree))
            else:
                print(tree_text(tree))
            return EXIT_OK
        if action == "rename":
            print((await ops.rename(vm, parsed.name, parsed.new)).message)
            return EXIT_OK
        if action == "create":
            job = await ops.create(vm, parsed.name)
        elif action == "apply":
            job = await ops.apply(vm, parsed.name)
        else:
            job = await ops.delete(vm, parsed.name, subtree=parsed.subtree)
    except HyperVError as exc:
        host_err(command, host, exc)
        return exit_code_for(exc)
    if not (parsed.wait or (action == "create" and parsed.name is not None)):
        started = f"{job.progressive.lower()} (job {job.job_id})" if job.job_id else job.done
        print(f"{vm.name}: {started}")
        return EXIT_OK
    return await _follow(command, job, parsed.timeout)


async def _follow(command: str, job: CheckpointJob, timeout: float) -> int:
    tty = sys.stderr.isatty()

    def show(progress: JobProgress) -> None:
        percent = f" {progress.percent}%" if progress.percent is not None else ""
        sys.stderr.write(f"\r\x1b[2K{job.vm.name} {job.progressive}{percent}"[:200])
        sys.stderr.flush()

    try:
        outcome = await job.wait(timeout=timeout, on_progress=show if tty else None)
    except HyperVError as exc:
        err(command, f"{job.vm.name}: lost track of the job: {exc}")
        return exit_code_for(exc)
    finally:
        if tty:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
    if outcome.ok:
        print(outcome.message)
        return EXIT_OK
    err(command, outcome.message)
    return EXIT_FAILED
