"""Soak: the terminal UI's refresh against 20 simulated hosts with random faults, for minutes on end.

Two processes, so that what is measured is the UI alone: this one runs the simulator (20
hosts over real sockets, NTLM with message encryption) and every ``--fault-period`` seconds
gives each host a new random fault rule, or none, from the simulator's repertoire: latency,
resets, hosts that stop answering, HTTP 500/503, every WinRM fault, truncated, malformed and
dripping replies, expired enumerations and restarts. (Not a changed password: hvtui never
tries a refused password again on its own, so that one waits for a person, by design.) The
other process runs the real app, headless, refreshing every host, and reports on itself:

* memory: its RSS every few seconds (after a garbage collection); growth is measured from
  the end of the warm-up to the last minute's median and to the highest sample -- at most
  10 % is the target;
* refresh tasks: the tasks alive on the scheduler's loop, by name, at every sample: exactly
  one per host, never two (a duplicate would refresh a host twice as often), never none;
* overlapping refreshes: ``HyperVHost.snapshot`` is wrapped to count calls in flight per
  host; more than one at once would be a duplicated refresh;
* stuck hosts: the longest any host went without finishing a refresh attempt (with a
  snapshot or an error); beyond the backoff cap plus a few exchange deadlines, a task would
  be stuck;
* recovery: once the faults stop, how long until every host shows "ok" again.

Run ``python -m benchmarks.soak`` (10 minutes, 20 hosts) or ``--minutes 1`` for a quick look;
``run(...)`` returns the figures as a dict. The figures of a real run are in the "Soak"
section of ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Any

from benchmarks.machine import current_rss_bytes
from hvtui.sim.injection import WINRM_FAULT_CODES

#: One is drawn per host and period, with the probability that each request is hit.
RULES = (
    "latency:ms=800:jitter_ms=600",
    "reset",
    "reset:at=mid",
    "no-answer",
    "http500",
    "http503",
    *(f"fault:code={code}" for code in WINRM_FAULT_CODES),
    "truncate",
    "malformed",
    "drip:bytes_per_s=4000",
    "expire-contexts:op=Pull",
)
PASSWORD = "Soak-Passw0rd!"


# -- the app's side (a process of its own) ----------------------------------------------------


def rss_kib() -> int:
    return (current_rss_bytes() or 0) // 1024


async def app_side(
    uris: list[str], *, refresh: float, host_timeout: float, backoff_cap: float, trace: float | None = None
) -> None:
    """Run the app on ``uris``; one JSON line per sample on stdout; 'stop' on stdin ends the faults.

    With ``trace`` (seconds), allocations are traced and the biggest growth between that
    moment and the end is reported: where memory goes, when it goes somewhere.
    """
    import tracemalloc

    if trace is not None:
        tracemalloc.start(1)
    baseline: list[Any] = []

    def object_counts() -> Counter[str]:
        return Counter(repr(type(o)) for o in gc.get_objects())

    from hvtui.hyperv.host import HyperVHost
    from hvtui.secrets import CredentialStore
    from hvtui.ui.app import build_app
    from hvtui.ui.hoststatus import HostStatus
    from hvtui.ui.launch import HostSpec, TuiOptions
    from hvtui.uri import parse_uri
    from tests.support.tui import wait_for

    password = sys.stdin.readline().rstrip("\n")
    in_flight: Counter[str] = Counter()
    peak = {"in_flight": 0}
    finished: dict[str, float] = {}
    silence = {"longest": 0.0}
    original = HyperVHost.snapshot

    async def counted(self: HyperVHost) -> Any:
        key = self.key
        in_flight[key] += 1
        peak["in_flight"] = max(peak["in_flight"], in_flight[key])
        try:
            return await original(self)
        finally:
            in_flight[key] -= 1
            now = time.monotonic()
            if key in finished:
                silence["longest"] = max(silence["longest"], now - finished[key])
            finished[key] = now

    HyperVHost.snapshot = counted  # type: ignore[method-assign]

    statuses: Counter[str] = Counter()
    snapshots = {"count": 0}
    app = build_app(
        TuiOptions(hosts=[HostSpec(parse_uri(u), password) for u in uris], persist=False, refresh=refresh),
        credentials=CredentialStore(use_keyring=False),
        host_timeout=host_timeout,
        backoff_cap=backoff_cap,
        environ={"TERM": "xterm-256color", "COLORTERM": "truecolor"},
    )
    report_status, report_snapshot = app.feed.host_status, app.feed.host_snapshot

    def host_status(key: str, report: Any) -> None:
        statuses[report.status.value] += 1
        report_status(key, report)

    def host_snapshot(key: str, snapshot: Any, connection: Any) -> None:
        snapshots["count"] += 1
        report_snapshot(key, snapshot, connection)

    app.feed.host_status = host_status  # type: ignore[method-assign]
    app.feed.host_snapshot = host_snapshot  # type: ignore[method-assign]

    async def refresh_tasks() -> dict[str, int]:
        return dict(Counter(t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("refresh ")))

    def all_ok() -> bool:
        return len(app.hosts) == len(uris) and all(
            v.status is HostStatus.OK and v.snapshot is not None for v in app.hosts.values()
        )

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    threading.Thread(
        target=lambda: (sys.stdin.readline(), loop.call_soon_threadsafe(stop.set)), daemon=True
    ).start()

    def emit(**record: Any) -> None:
        print(json.dumps(record), flush=True)

    async with app.run_test(headless=True, size=(160, 50)):
        started = time.monotonic()
        await wait_for(app, all_ok, 120)
        emit(kind="connected", seconds=round(time.monotonic() - started, 1))
        while not stop.is_set():
            gc.collect()
            if trace is not None and not baseline and time.monotonic() - started >= trace:
                baseline.extend([tracemalloc.take_snapshot(), object_counts()])
            emit(
                kind="sample",
                t=round(time.monotonic() - started, 1),
                rss_kib=rss_kib(),
                tasks=await app.scheduler.run(refresh_tasks()),
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 5.0)
        stopped = time.monotonic()
        recovery: float | None
        try:
            await wait_for(app, all_ok, backoff_cap + 6 * host_timeout + 120)
            recovery = round(time.monotonic() - stopped, 1)
        except TimeoutError:
            recovery = None
        gc.collect()
        growth: list[Any] = []
        if baseline:
            stats = tracemalloc.take_snapshot().compare_to(baseline[0], "lineno")
            growth += [
                f"{stat.size_diff // 1024} KiB {stat.count_diff:+} at {stat.traceback}" for stat in stats[:15]
            ]
            counts = object_counts()
            counts.subtract(baseline[1])
            growth += [f"{n:+} {name}" for name, n in counts.most_common(15)]
        emit(
            kind="end",
            growth=growth,
            t=round(time.monotonic() - started, 1),
            rss_kib=rss_kib(),
            recovery_s=recovery,
            not_ok={v.key: v.report.text() for v in app.hosts.values() if v.status is not HostStatus.OK},
            max_in_flight=peak["in_flight"],
            longest_silence_s=round(silence["longest"], 1),
            snapshots=snapshots["count"],
            statuses=dict(statuses),
        )


# -- the simulator's side (this process) -------------------------------------------------------


def draw_faults(sim: Any, rng: random.Random, drawn: Counter[str]) -> None:
    for host in sim.hosts:
        host.faults.clear()
        roll = rng.random()
        if roll < 0.4:
            continue  # a healthy period
        if roll < 0.45:
            host.restart()
            drawn["restart"] += 1
            continue
        rule = rng.choice(RULES)
        host.faults.add(f"{rule}:p={rng.choice((0.05, 0.2, 0.5, 1.0))}")
        drawn[rule if rule.startswith("fault") else rule.split(":")[0]] += 1


def run(
    *,
    minutes: float = 10.0,
    hosts: int = 20,
    warmup: float = 120.0,
    fault_period: float = 30.0,
    seed: int = 1,
    host_timeout: float = 5.0,
    backoff_cap: float = 30.0,
    refresh: float = 2.0,
    trace: bool = False,
) -> dict[str, Any]:
    from hvtui.sim import SimOptions, Simulator

    rng = random.Random(seed)
    drawn: Counter[str] = Counter()
    samples: list[dict[str, Any]] = []
    options = SimOptions(
        hosts=hosts,
        vms="20-60",
        release="2019,2022,2012r2,2016,2025",
        seed=seed,
        password=PASSWORD,
        time_scale=20.0,
    )
    with Simulator(options) as sim:
        args = [
            *(h.uri for h in sim.hosts),
            "--app",
            f"--refresh={refresh}",
            f"--host-timeout={host_timeout}",
            f"--backoff-cap={backoff_cap}",
            *([f"--trace={warmup}"] if trace else []),
        ]
        child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.soak", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None
        assert child.stdout is not None
        child.stdin.write(PASSWORD + "\n")
        child.stdin.flush()
        connected = json.loads(child.stdout.readline())
        end = time.monotonic() + minutes * 60
        next_faults = 0.0
        for line in child.stdout:
            record = json.loads(line)
            samples.append(record)
            now = time.monotonic()
            if now >= end:
                break
            if now >= next_faults:
                draw_faults(sim, rng, drawn)
                next_faults = now + fault_period
        for host in sim.hosts:
            host.faults.clear()
        child.stdin.write("stop\n")
        child.stdin.flush()
        last = None
        for line in child.stdout:
            record = json.loads(line)
            if record["kind"] == "end":
                last = record
            else:
                samples.append(record)
        child.wait(60)
        requests = sum(h.counters.total for h in sim.hosts)
    assert last is not None, "the app's process ended without its report"

    series = [(s["t"], s["rss_kib"]) for s in samples if s["kind"] == "sample"]
    after = [kib for t, kib in series if t >= warmup]
    at_warmup = after[0]
    last_minute = [kib for t, kib in series if t >= series[-1][0] - 60]
    tasks = [s["tasks"] for s in samples if s["kind"] == "sample"]
    return {
        "hosts": hosts,
        "minutes": minutes,
        "refresh_s": refresh,
        "host_timeout_s": host_timeout,
        "backoff_cap_s": backoff_cap,
        "connected_s": connected["seconds"],
        "samples": len(series),
        "rss_mib_first": round(series[0][1] / 1024, 1),
        "rss_mib_at_warmup": round(at_warmup / 1024, 1),
        "rss_mib_max_after_warmup": round(max(after) / 1024, 1),
        "rss_mib_last_minute_median": round(statistics.median(last_minute) / 1024, 1),
        "rss_mib_after_recovery": round(last["rss_kib"] / 1024, 1),
        "growth_pct_end": round(100 * (statistics.median(last_minute) - at_warmup) / at_warmup, 1),
        "growth_pct_max": round(100 * (max(after) - at_warmup) / at_warmup, 1),
        "refresh_tasks_per_host": sorted({n for sample in tasks for n in sample.values()}),
        "refresh_task_count_min_max": [min(len(s) for s in tasks), max(len(s) for s in tasks)],
        "max_refreshes_in_flight_per_host": last["max_in_flight"],
        "longest_silence_s": last["longest_silence_s"],
        "snapshots": last["snapshots"],
        "requests_served": requests,
        "status_reports": last["statuses"],
        "faults_drawn": dict(drawn),
        "all_ok_after_faults_s": last["recovery_s"],
        "not_ok_at_the_end": last["not_ok"],
        **({"allocation_growth": last["growth"]} if last["growth"] else {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("uris", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--app", action="store_true", help=argparse.SUPPRESS)  # the app's process
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--warmup", type=float, default=120.0, help="seconds before memory is compared")
    parser.add_argument("--fault-period", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--refresh", type=float, default=2.0)
    parser.add_argument("--host-timeout", type=float, default=5.0)
    parser.add_argument("--backoff-cap", type=float, default=30.0)
    parser.add_argument("--trace", nargs="?", const=-1.0, type=float, help="trace allocations (slower)")
    args = parser.parse_args()
    if args.app:
        asyncio.run(
            app_side(
                args.uris,
                refresh=args.refresh,
                host_timeout=args.host_timeout,
                backoff_cap=args.backoff_cap,
                trace=args.trace,
            )
        )
        return
    figures = run(
        minutes=args.minutes,
        hosts=args.hosts,
        warmup=min(args.warmup, args.minutes * 30),
        fault_period=args.fault_period,
        seed=args.seed,
        host_timeout=args.host_timeout,
        backoff_cap=args.backoff_cap,
        refresh=args.refresh,
        trace=args.trace is not None,
    )
    print(json.dumps(figures, indent=2))
    checks = {
        "memory within 10 % after warm-up": max(figures["growth_pct_end"], figures["growth_pct_max"]) <= 10,
        "one refresh task per host, always": figures["refresh_tasks_per_host"] == [1]
        and figures["refresh_task_count_min_max"] == [args.hosts, args.hosts],
        "no overlapping refresh": figures["max_refreshes_in_flight_per_host"] == 1,
        "every host ok after the faults": figures["all_ok_after_faults_s"] is not None,
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'} {name}")


if __name__ == "__main__":
    main()
