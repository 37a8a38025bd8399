"""How long the UI thread spends applying one refresh of a 10,000-VM host to the VM table.

    .venv/bin/python benchmarks/ui_table_apply.py [--vms 10000] [--changed 0.05] [--rounds 15]

A refresh is prepared off the UI thread (:class:`hvtui.ui.rows.RowBuilder`: compare each VM
with the previous refresh, format the cells of those that changed); the UI thread then runs
:meth:`hvtui.ui.tablemodel.TableModel.apply` and draws the lines on screen. "changed" is the
share of the table's cells that differ from the refresh before (CPU load and uptime of
running VMs, as in life). Sorting by name leaves rows in place; sorting by CPU re-sorts.
Prints min / median / max per step, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hvtui.hyperv.models import VM, HostFacts, HostSnapshot
from hvtui.hyperv.states import Heartbeat, decode_enabled_state
from hvtui.ui.columns import DEFAULT_VISIBLE
from hvtui.ui.rows import RowBuilder
from hvtui.ui.tablemodel import TableModel
from hvtui.version import identify_release

HOST = "hyperv://administrator@bench.example/"


def make_vms(count: int, rnd: random.Random) -> list[VM]:
    vms = []
    for i in range(count):
        running = rnd.random() < 0.7
        vms.append(
            VM(
                host=HOST,
                guid=f"{i:08X}-1111-4222-8333-{rnd.getrandbits(48):012X}",
                name=f"vm-{i:05}",
                power=decode_enabled_state(2 if running else 3),
                vcpus=rnd.choice((1, 2, 4, 8)),
                memory_mib=rnd.choice((2048, 4096, 8192)) if running else 0,
                uptime=timedelta(seconds=rnd.randint(60, 5_000_000)) if running else None,
                cpu_load=rnd.randint(0, 100) if running else None,
                heartbeat=Heartbeat.OK if running else None,
                generation=2,
                version="9.0",
            )
        )
    return vms


def mutate(vms: list[VM], cells: int, rnd: random.Random) -> None:
    """Change ``cells`` cells: CPU load of running VMs (one cell each)."""
    running = [i for i, vm in enumerate(vms) if vm.cpu_load is not None]
    for i in rnd.sample(running, min(cells, len(running))):
        vm = vms[i]
        vms[i] = replace(vm, cpu_load=((vm.cpu_load or 0) + rnd.randint(1, 50)) % 101)


def stats(samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return f"{min(ms):7.1f} {statistics.median(ms):7.1f} {max(ms):7.1f}"


async def render_cost(model: TableModel, rounds: int) -> list[float]:
    """Draw one 120×36 screen of the table, as the widget does after an update."""
    from textual.app import App, ComposeResult

    from hvtui.ui.widgets.vm_table import VMTable

    class Bench(App[None]):
        def compose(self) -> ComposeResult:
            yield VMTable(model)

    samples = []
    app = Bench()
    async with app.run_test(size=(120, 36)):
        table = app.query_one(VMTable)
        table.update_view()
        for _ in range(rounds):
            table._rich_style_cache.clear()
            start = time.perf_counter()
            for y in range(table.size.height):
                table.render_line(y)
            samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vms", type=int, default=10_000)
    parser.add_argument("--changed", type=float, default=0.05, help="share of cells changed per refresh")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    rnd = random.Random(42)
    vms = make_vms(args.vms, rnd)
    facts = HostFacts(hostname="bench.example", release=identify_release("10.0.20348"))
    cells = int(args.vms * len(DEFAULT_VISIBLE) * args.changed)
    print(f"{args.vms} VMs, {len(DEFAULT_VISIBLE)} columns, {cells} cells changed per refresh")
    print(f"{'step':34} {'min':>7} {'median':>7} {'max':>7}  (ms)")
    for sort in ("name", "cpu"):
        builder = RowBuilder(HOST)
        model = TableModel(sort_column=sort, sort_reverse=sort == "cpu")
        model.apply(HOST, builder.build(HostSnapshot(HOST, facts, tuple(vms), datetime.now(UTC)), "bench"))
        model.set_scope(HOST)
        build, apply = [], []
        for _ in range(args.rounds):
            mutate(vms, cells, rnd)
            snapshot = HostSnapshot(HOST, facts, tuple(vms), datetime.now(UTC))
            gc.collect()
            start = time.perf_counter()
            rows = builder.build(snapshot, "bench")
            build.append(time.perf_counter() - start)
            gc.collect()
            start = time.perf_counter()
            model.apply(HOST, rows)
            apply.append(time.perf_counter() - start)
        print(f"{'prepare rows (refresh thread), ' + sort:34} {stats(build)}")
        print(f"{'apply (UI thread), sorted by ' + sort:34} {stats(apply)}")
    print(f"{'draw one 120x36 screen (UI thread)':34} {stats(asyncio.run(render_cost(model, args.rounds)))}")


if __name__ == "__main__":
    main()
