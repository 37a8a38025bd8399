"""Scenario files for the simulator: a host with exactly the VMs and states a test needs."""

from __future__ import annotations

import tempfile
from pathlib import Path


def write_scenario(vms, *, tmp=None, name="HV-TEST01", release="2022"):
    """Write a scenario TOML; ``vms`` is a list of (name, state[, options dict])."""
    lines = ["[[host]]", f'name = "{name}"', f'release = "{release}"']
    for entry in vms:
        vm_name, state, *rest = entry
        options = rest[0] if rest else {}
        lines += ["[[host.vm]]", f'name = "{vm_name}"', f'state = "{state}"']
        for key, value in options.items():
            rendered = (
                str(value).lower()
                if isinstance(value, bool)
                else (f'"{value}"' if isinstance(value, str) else str(value))
            )
            lines.append(f"{key} = {rendered}")
    directory = Path(tmp) if tmp is not None else Path(tempfile.mkdtemp())
    path = directory / f"scenario-{abs(hash(tuple(map(str, vms))))}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path
