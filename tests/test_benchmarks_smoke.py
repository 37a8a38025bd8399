"""The benchmarks still run: ``python -m benchmarks --quick`` as a process, its JSON read back.

Speed is not judged here (that is what the full run is for); this keeps the benchmark
code from rotting as the code it measures changes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_quick_benchmarks_run_and_report(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Median" in done.stdout
    report = json.loads(out.read_text())
    assert report["mode"] == "quick"
    assert report["machine"]["cpu"]
    cases = {row["case"] for row in report["rows"]}
    assert {"1 refresh", "2 naive", "3 many hosts", "4 parse", "5 UI", "6 memory", "9 fleet"} <= cases
    for row in report["rows"]:
        assert row["runs"] == len(row["values"]) >= 1
        assert row["min"] <= row["median"] <= row["max"]
    trips = [r for r in report["rows"] if r["metric"] == "steady: round trips"]
    assert trips and all(r["met"] for r in trips)
    naive = [r for r in report["rows"] if r["metric"] == "naive: round trips"]
    # virsh list --all: one Pull per VM plus an Enumerate, and two requests per VM after it.
    sizes = {r["size"]: r["median"] for r in naive}
    assert sizes["1 host x 10 VMs"] == 3 * 10 + 1
