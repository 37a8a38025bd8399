"""Case 7: a VM's console — what one frame of its screen costs, and how many come a second.

A frame is one GetVirtualSystemThumbnailImage: RGB565, base64 on the wire, so its bytes grow
with its pixels (about 8/3 bytes a pixel). Measured for screens of 640×480 and 1920×1080, at
full resolution (on a host whose MaxEnvelopeSizekb is raised: WinRM's default 500 KB carries
no full 640×480 frame) and at what a 200×60-cell terminal shows in half blocks (200×120
pixels at most), the size the TUI asks for. Frames are fetched one after another.
"""

from __future__ import annotations

from benchmarks.figures import BYTES, RATE, SECONDS, Row
from benchmarks.measure import sample
from benchmarks.simproc import SimProcess
from hvtui.hyperv.console import VMConsole, fit
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.states import VMState
from hvtui.uri import parse_uri

CASE = "7 console"
SCREENS = ((640, 480), (1920, 1080))
TERMINAL = (200, 120)  # 200 columns × 60 rows of half blocks
VMS = 40  # enough seeded VMs that both resolutions are among the running ones
ENVELOPE_KB = 8192


def simulator(latency_ms: float) -> SimProcess:
    return SimProcess(vms=VMS, latency_ms=latency_ms, extra=("--max-envelope-kb", str(ENVELOPE_KB)))


async def measure(sim: SimProcess, frames: int) -> list[Row]:
    rows: list[Row] = []
    uri = parse_uri(sim.uris[0])
    async with HyperVHost(uri, sim.password, timeout=120, max_envelope_size=ENVELOPE_KB * 1024) as host:
        snapshot = await host.snapshot()
        consoles: dict[tuple[int, int], VMConsole] = {}
        for vm in snapshot.vms:
            if vm.power.state is VMState.RUNNING:
                console = VMConsole(host.session, vm)
                consoles.setdefault(await console.resolution(), console)
        for screen in SCREENS:
            console_of = consoles.get(screen)
            name = f"{screen[0]}x{screen[1]} screen"
            if console_of is None:
                rows.append(
                    Row(CASE, name, "skipped", "", [0.0], sim.latency_ms, note="no running VM has it")
                )
                continue
            for size in (screen, fit(screen, *TERMINAL)):
                samples = []
                for _ in range(frames):
                    measured, _ = await sample(lambda c=console_of, s=size: c.frame(*s), host.stats)
                    samples.append(measured)
                label = f"{name}, {size[0]}x{size[1]} frames"
                latency = sim.latency_ms
                rows += [
                    Row(
                        CASE, label, "bytes/frame", BYTES, [float(s.bytes_received) for s in samples], latency
                    ),
                    Row(CASE, label, "frames/s", RATE, [1 / s.wall for s in samples], latency),
                    Row(CASE, label, "client CPU/frame", SECONDS, [s.cpu for s in samples], latency),
                ]
    return rows
