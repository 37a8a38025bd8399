"""Checkpoints through HyperVHost against the simulator over real sockets: the tree with Now,
counts, creating, applying from every state, deleting one or a subtree, renaming, refusals,
failing and slow jobs, and every request sent once."""

from __future__ import annotations

import pytest

from hvtui.hyperv.checkpoints import Checkpoints
from hvtui.hyperv.errors import ActionRefused, HyperVError, Problem
from hvtui.hyperv.jobs import JobWatcher
from hvtui.hyperv.queries import VSSD
from hvtui.sim import SimOptions, Simulator
from hvtui.sim.inventory import OFF, PAUSED, RUNNING, SAVED
from hvtui.wsman import EPR
from tests.conftest import SIM_DEFAULTS
from tests.hyperv.test_host import host_for
from tests.support.checkpoint_scenario import write_checkpoint_scenario


@pytest.fixture
def ckpt_sim(tmp_path):
    options = {**SIM_DEFAULTS, "scenario": str(write_checkpoint_scenario(tmp_path)), "time_scale": 100.0}
    with Simulator(SimOptions(**options)) as sim:
        yield sim.hosts[0]


def shape(tree) -> list[tuple[int, str]]:
    return [(e.depth, e.checkpoint.name if e.checkpoint else "Now") for e in tree.entries()]


async def test_the_tree_has_branches_and_now_under_the_current_checkpoint(ckpt_sim):
    async with host_for(ckpt_sim) as host:
        tree = await Checkpoints(host).tree("web")
        costs = []
        for vm in ("web", "app"):  # four checkpoints, and none
            found = await host.find_vm(vm)
            ckpt_sim.reset_counters()
            await Checkpoints(host).tree(found)
            costs.append(ckpt_sim.counters.total)
    assert max(costs) <= 2  # one enumeration: an Enumerate, and a Pull once the first batch is full
    assert shape(tree) == [
        (0, "Baseline"),
        (1, "Patched"),
        (2, "Patched again"),
        (3, "Now"),
        (1, "Experiment"),
    ]
    assert tree.current is not None and tree.current.name == "Patched again"
    assert [c.kind for c in tree.checkpoints] == ["Standard"] * 4
    assert all(c.saved_state for c in tree.checkpoints)  # standard checkpoints of a running VM


async def test_counts_come_with_the_inventory_in_a_fixed_number_of_reads(ckpt_sim):
    async with host_for(ckpt_sim) as host:
        snapshot = await host.snapshot()
        counts = {vm.name: vm.checkpoints for vm in snapshot.vms}
        ckpt_sim.reset_counters()
        by_guid = await Checkpoints(host).counts()
        assert ckpt_sim.counters.total <= 2  # one enumeration for the whole host
    assert counts == {"web": 4, "db": 3, "app": 0, "lab": 0, "frozen": 0, "dup": 2, "paused": 0}
    assert {snapshot.by_guid[g].name: n for g, n in by_guid.items()} == {"web": 4, "db": 3, "dup": 2}


async def test_create_names_it_and_makes_it_current(ckpt_sim):
    async with host_for(ckpt_sim) as host:
        ops = Checkpoints(host)
        outcome = await (await ops.create("db", "Before patching")).wait(timeout=30)
        assert outcome.ok, outcome.message
        assert outcome.message == "db: checkpoint 'Before patching' created"
        default = await (await ops.create("db")).wait(timeout=30)
        assert default.ok
        tree = await ops.tree("db")
    assert shape(tree)[-3:] == [(3, "Before patching"), (4, tree.current.name), (5, "Now")]
    assert tree.current.name.startswith("db - (") and tree.current.name.endswith("M)")
    assert default.message == f"db: checkpoint {tree.current.name!r} created"


async def test_deleting_a_middle_checkpoint_gives_its_children_to_its_parent(ckpt_sim):
    async with host_for(ckpt_sim) as host:
        ops = Checkpoints(host)
        outcome = await (await ops.delete("web", "Patched")).wait(timeout=30)
        tree = await ops.tree("web")
    assert outcome.ok and outcome.message == "web: checkpoint 'Patched' deleted"
    assert shape(tree) == [(0, "Baseline"), (1, "Experiment"), (1, "Patched again"), (2, "Now")]
    baseline = tree.find("Baseline")
    assert tree.find("Patched again").parent_id == baseline.id


async def test_deleting_a_subtree_that_holds_now_moves_now_to_its_parent(ckpt_sim):
    async with host_for(ckpt_sim) as host:
        ops = Checkpoints(host)
        outcome = await (await ops.delete("web", "Patched", subtree=True)).wait(timeout=30)
        tree = await ops.tree("web")
    assert outcome.message == "web: checkpoint 'Patched' and the 1 below it deleted"
    assert shape(tree) == [(0, "Baseline"), (1, "Experiment"), (1, "Now")]


async def test_applying_restores_settings_and_state_from_each_state(ckpt_sim):
    model = ckpt_sim.model
    async with host_for(ckpt_sim) as host:
        ops = Checkpoints(host)
        # A running VM: refused before anything is sent, as it would lose its state unasked.
        ckpt_sim.reset_counters()
        with pytest.raises(ActionRefused, match="web is running: turn it off or save it"):
            await ops.apply("web", "Baseline")
        assert ckpt_sim.counters["Invoke:ApplySnapshot"] == 0
        # Saved: a standard checkpoint taken running comes back saved, with its 2 vCPUs and 2 GB.
        await (await host.request("web", "save")).wait(timeout=30)
        outcome = await (await ops.apply("web", "Baseline")).wait(timeout=30)
        assert outcome.ok, outcome.message
        assert (model.vm("web").state, model.vm("web").vcpus, model.vm("web").memory_mb) == (SAVED, 2, 2048)
        assert (await ops.tree("web")).current.name == "Baseline"
        # Off: a checkpoint without memory leaves the VM off.
        outcome = await (await ops.apply("db", "One")).wait(timeout=30)
        assert outcome.ok and model.vm("db").state == OFF
        # Paused: refused like running.
        with pytest.raises(ActionRefused, match="paused is paused"):
            await ops.apply("paused", "anything")


async def test_the_host_refuses_to_apply_to_a_running_vm_in_its_job(ckpt_sim):
    # Past hvtui's own check (the VM started meanwhile): Windows' refusal comes as the job's error.
    async with host_for(ckpt_sim) as host:
        tree = await Checkpoints(host).tree("web")
        snapshot = EPR(VSSD, {"InstanceID": tree.find("Baseline").settings_id})
        code, job_id = await host.session.snapshot_service("ApplySnapshot", [("Snapshot", snapshot)])
        assert code == 4096 and job_id
        watcher = [j async for j in JobWatcher(host.session, job_id).follow(timeout=30)]
    assert watcher[-1].error_code == 32775
    assert "cannot apply a checkpoint while it is running" in watcher[-1].error_description
    assert ckpt_sim.model.vm("web").state == RUNNING


async def test_refusals_windows_gives_for_checkpoint_types(ckpt_sim):
    async with host_for(ckpt_sim) as host:
        ops = Checkpoints(host)
        disabled = await (await ops.create("frozen")).wait(timeout=30)
        production_only = await (await ops.create("lab")).wait(timeout=30)
        fallback = await (await ops.create("paused")).wait(timeout=30)  # production falls back
        tree = await ops.tree("paused")
    assert disabled.status == "failed" and "Checkpoints are disabled for 'frozen'" in disabled.message
    assert production_only.status == "failed"
    assert "Production checkpoints cannot be created for 'lab'" in production_only.message
    assert fallback.ok and tree.checkpoints[0].saved_state  # a standard one, with the paused memory
    assert ckpt_sim.model.vm("paused").state == PAUSED


async def test_an_ambiguous_name_is_refused_with_both_ids(ckpt_sim):
    async with host_for(ckpt_sim) as host:
        ops = Checkpoints(host)
        tree = await ops.tree("dup")
        with pytest.raises(HyperVError) as caught:
            await ops.delete("dup", "Same")
        outcome = await (await ops.delete("dup", tree.checkpoints[1].id)).wait(timeout=30)
    assert caught.value.problem is Problem.AMBIGUOUS
    assert all(c.id in str(caught.value) for c in tree.checkpoints)
    assert outcome.ok


async def test_rename_goes_through_modify_system_settings(ckpt_sim):
    async with host_for(ckpt_sim) as host:
        ops = Checkpoints(host)
        ckpt_sim.reset_counters()
        outcome = await ops.rename("db", "Two", "Deux")
        assert ckpt_sim.counters["Invoke:ModifySystemSettings"] == 1
        names = [c.name for c in (await ops.tree("db")).checkpoints]
    assert outcome.message == "db: checkpoint 'Two' renamed 'Deux'"
    assert names == ["One", "Deux", "Three"]


async def test_failing_and_slow_jobs_are_reported_and_never_resent(tmp_path):
    scenario = str(write_checkpoint_scenario(tmp_path))
    options = {**SIM_DEFAULTS, "scenario": scenario, "time_scale": 100.0, "faults": "fail-jobs:p=1"}
    with Simulator(SimOptions(**options)) as sim:
        h = sim.hosts[0]
        async with host_for(h) as host:
            ops = Checkpoints(host)
            h.reset_counters()
            outcome = await (await ops.delete("db", "Two")).wait(timeout=30)
            assert h.counters["Invoke:DestroySnapshot"] == 1
            assert [c.name for c in (await ops.tree("db")).checkpoints] == ["One", "Two", "Three"]
    assert outcome.status == "failed" and "error 32768" in outcome.message
    options = {**SIM_DEFAULTS, "scenario": scenario, "time_scale": 1.0, "faults": "slow-jobs:factor=50"}
    with Simulator(SimOptions(**options)) as sim:
        async with host_for(sim.hosts[0]) as host:
            job = await Checkpoints(host).create("db")
            seen = []
            outcome = await job.wait(timeout=1.0, on_progress=seen.append)
    assert outcome.status == "running" and "still running on the host" in outcome.message
    assert seen and not seen[-1].finished
