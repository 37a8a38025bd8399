"""A scenario host whose VMs have the checkpoint trees and settings the checkpoint tests need."""

from __future__ import annotations

from pathlib import Path

SCENARIO = """
[[host]]
name = "HV-CKPT01"
release = "2022"

[[host.vm]]
name = "web"
state = "running"
vcpus = 4
memory = 4096
checkpoint_type = "standard"
  [[host.vm.checkpoint]]
  name = "Baseline"
  vcpus = 2
  memory = 2048
  [[host.vm.checkpoint]]
  name = "Patched"
  [[host.vm.checkpoint]]
  name = "Experiment"
  parent = "Baseline"
  [[host.vm.checkpoint]]
  name = "Patched again"
  parent = "Patched"
  current = true

[[host.vm]]
name = "db"
state = "off"
vcpus = 2
memory = 2048
  [[host.vm.checkpoint]]
  name = "One"
  [[host.vm.checkpoint]]
  name = "Two"
  [[host.vm.checkpoint]]
  name = "Three"

[[host.vm]]
name = "app"
state = "saved"

[[host.vm]]
name = "lab"
state = "running"
checkpoint_type = "production-only"
backup_service = false

[[host.vm]]
name = "frozen"
state = "off"
checkpoint_type = "disabled"

[[host.vm]]
name = "dup"
state = "off"
  [[host.vm.checkpoint]]
  name = "Same"
  [[host.vm.checkpoint]]
  name = "Same"

[[host.vm]]
name = "paused"
state = "paused"
checkpoint_type = "production"
backup_service = true
"""


def write_checkpoint_scenario(directory: Path) -> Path:
    path = directory / "checkpoints.toml"
    path.write_text(SCENARIO)
    return path
