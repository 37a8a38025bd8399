"""The layer arrows of the house plan, enforced: import-linter contracts plus runtime checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_no_utils_module():
    names = {p.stem for p in (ROOT / "hvtui").rglob("*.py")}
    assert not names & {"utils", "util", "helpers", "misc", "common"}


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name(tool)), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_types_check():
    """mypy: the strict flags on the protocol and domain layers, its defaults elsewhere (pyproject.toml)."""
    result = _run("mypy", "hvtui")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_clean():
    result = _run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_import_cycles():
    """No two hvtui modules reach each other through imports, lazy ones included."""
    import grimp

    graph = grimp.build_graph("hvtui", cache_dir=None)
    modules = sorted(graph.modules)
    cycles = []
    for module in modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if module != imported and graph.chain_exists(imported, module):
                cycles.append((module, imported))
    assert cycles == []


# Data tables, long by nature: every class the simulator serves with its typed properties.
LONG_ON_PURPOSE = {"hvtui/sim/schema.py"}
MAX_LINES = 460


def test_modules_stay_small():
    """A module past ~450 lines holds more than one thing; split it by what it holds."""
    long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "hvtui").rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert {k: v for k, v in long.items() if k not in LONG_ON_PURPOSE} == {}
