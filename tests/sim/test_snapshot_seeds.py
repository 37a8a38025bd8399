"""Seeded checkpoint trees of every shape, scenario trees, and a scenario's mistakes in one line."""

from __future__ import annotations

import pytest

from hvtui.sim.inventory import generate_host, load_scenario
from hvtui.sim.releases import RELEASES
from hvtui.sim.sim_options import OptionsError

CP = "[[host.vm.checkpoint]]\n"


def _shape(vm) -> str:
    ids = {c.id for c in vm.checkpoints}
    roots = [c for c in vm.checkpoints if c.parent not in ids]
    parents = [c.parent for c in vm.checkpoints]
    if not vm.checkpoints:
        return "none"
    branched = any(parents.count(p) > 1 for p in parents if p)
    return "branches" if branched else "chain" if len(roots) == 1 else "forest"


def test_seeded_hosts_have_every_shape_and_the_same_vms_as_before():
    host = generate_host(0, RELEASES["2022"], 8, seed=7, unique_names=True)
    assert [_shape(vm) for vm in host.vms] == ["none", "chain", "branches", "none"] * 2
    assert all(sum(c.current for c in vm.checkpoints) == 1 for vm in host.vms if vm.checkpoints)
    again = generate_host(0, RELEASES["2022"], 8, seed=7, unique_names=True)
    assert [(v.name, v.guid, v.state) for v in host.vms] == [(v.name, v.guid, v.state) for v in again.vms]


def _scenario(tmp_path, body: str):
    path = tmp_path / "s.toml"
    path.write_text('[[host]]\nname = "H"\n[[host.vm]]\nname = "vm"\nstate = "off"\n' + body)
    return load_scenario(path, RELEASES["2022"], 1)


def test_a_scenario_tree(tmp_path):
    (host,) = _scenario(
        tmp_path,
        'checkpoint_type = "standard"\n'
        '[[host.vm.checkpoint]]\nname = "a"\n[[host.vm.checkpoint]]\nname = "b"\ncurrent = true\n'
        '[[host.vm.checkpoint]]\nname = "c"\nparent = "a"\ntype = "production"\n',
    )
    a, b, c = host.vms[0].checkpoints
    assert (a.parent, b.parent, c.parent) == (None, a.id, a.id)
    assert b.current and not c.current and c.production and host.vms[0].checkpoint_type == 5


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('checkpoint_type = "sometimes"\n', "checkpoint_type: choose disabled, production"),
        ('[[host.vm.checkpoint]]\nname = "a"\nparent = "zz"\n', "parent 'zz' is not a checkpoint listed"),
        ("[[host.vm.checkpoint]]\nvcpus = 2\n", "checkpoint #1: needs a name"),
        ('[[host.vm.checkpoint]]\nname = "a"\ncolour = 1\n', "unknown key 'colour'"),
        (f"{CP}name = 'a'\ncurrent = true\n{CP}name = 'b'\ncurrent = true\n", "only one can be current"),
    ],
)  # fmt: skip
def test_scenario_mistakes_are_one_line(tmp_path, body, words):
    with pytest.raises(OptionsError) as caught:
        _scenario(tmp_path, body)
    assert words in str(caught.value) and "\n" not in str(caught.value)
