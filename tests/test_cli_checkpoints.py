"""``hvtui checkpoint …`` as a real process against the simulator: the tree, JSON, every action,
refusals and exit codes; nothing on stdout when nothing was read."""

from __future__ import annotations

import json

import pytest

from hvtui.sim import SimOptions, Simulator
from tests.conftest import SIM_DEFAULTS
from tests.support.checkpoint_scenario import write_checkpoint_scenario
from tests.test_cli_commands import hvtui, pwfile  # noqa: F401 - pwfile is a fixture


@pytest.fixture
def ckpt_host(tmp_path):
    options = {**SIM_DEFAULTS, "scenario": str(write_checkpoint_scenario(tmp_path)), "time_scale": 100.0}
    with Simulator(SimOptions(**options)) as sim:
        yield sim.hosts[0]


def test_list_draws_the_tree_with_now(ckpt_host, pwfile):  # noqa: F811
    result = hvtui("checkpoint", "list", ckpt_host.uri, "web", password_file=pwfile)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Name", "Created", "Type"]
    width = lines[0].index("Created")
    names = [line[:width].rstrip() for line in lines[1:]]
    assert names == ["Baseline", "├─ Patched", "│  └─ Patched again", "│     └─ ▸ Now", "└─ Experiment"]
    assert lines[1].rstrip().endswith("Standard")


def test_list_json_for_scripts(ckpt_host, pwfile):  # noqa: F811
    result = hvtui("checkpoint", "list", ckpt_host.uri, "web", "--json", password_file=pwfile)
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert [set(i) for i in items] == [{"name", "id", "parent", "created", "type", "current"}] * 4
    by_name = {i["name"]: i for i in items}
    assert by_name["Baseline"]["parent"] is None
    assert by_name["Patched"]["parent"] == by_name["Baseline"]["id"]
    assert [i["name"] for i in items if i["current"]] == ["Patched again"]
    assert by_name["Baseline"]["created"].startswith("20")


def test_create_apply_rename_delete(ckpt_host, pwfile):  # noqa: F811
    uri = ckpt_host.uri
    created = hvtui("checkpoint", "create", uri, "db", "Before patching", password_file=pwfile)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "db: checkpoint 'Before patching' created"
    started = hvtui("checkpoint", "create", uri, "db", password_file=pwfile)
    assert started.returncode == 0 and started.stdout.startswith("db: checkpointing (job ")
    applied = hvtui("checkpoint", "apply", uri, "db", "One", "--wait", password_file=pwfile)
    assert applied.returncode == 0 and applied.stdout.strip() == "db: checkpoint 'One' applied"
    renamed = hvtui("checkpoint", "rename", uri, "db", "One", "Uno", password_file=pwfile)
    assert renamed.stdout.strip() == "db: checkpoint 'One' renamed 'Uno'"
    deleted = hvtui("checkpoint", "delete", uri, "db", "Two", "--subtree", "--wait", password_file=pwfile)
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.strip() == "db: checkpoint 'Two' and the 3 below it deleted"
    listed = json.loads(hvtui("checkpoint", "list", uri, "db", "--json", password_file=pwfile).stdout)
    assert [i["name"] for i in listed] == ["Uno"]  # Two, Three and the two made here were below Two


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("apply", "web", "Baseline"), 1, "web is running: turn it off or save it"),
        (("delete", "dup", "Same"), 1, "2 checkpoints are named 'Same': name one by ID"),
        (("delete", "db", "Nope"), 1, "db has no checkpoint named 'Nope'"),
        (("create", "frozen", "--wait"), 1, "Checkpoints are disabled for 'frozen'"),
        (("list", "nosuchvm"), 1, "no VM named 'nosuchvm'"),
    ],
)
def test_refusals_are_one_line_on_stderr_and_nothing_on_stdout(ckpt_host, pwfile, args, code, words):  # noqa: F811
    action, vm, *rest = args
    result = hvtui("checkpoint", action, ckpt_host.uri, vm, *rest, password_file=pwfile)
    assert result.returncode == code
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and words in result.stderr
    assert result.stderr.startswith(f"hvtui checkpoint {action}: ")


def test_usage_errors_exit_2():
    assert hvtui("checkpoint").returncode == 2
    result = hvtui("checkpoint", "revert", "hyperv://h/", "vm")
    assert result.returncode == 2 and "invalid choice: 'revert'" in result.stderr


def test_virsh_snapshot_verbs_are_aliases(ckpt_host, pwfile):  # noqa: F811
    listed = hvtui("snapshot-list", ckpt_host.uri, "db", "--json", password_file=pwfile)
    assert listed.returncode == 0, listed.stderr
    assert [i["name"] for i in json.loads(listed.stdout)] == ["One", "Two", "Three"]
    deleted = hvtui(
        "snapshot-delete", ckpt_host.uri, "db", "Two", "--children", "--wait", password_file=pwfile
    )
    assert deleted.stdout.strip() == "db: checkpoint 'Two' and the 1 below it deleted"
    assert "snapshot-list (checkpoint list)" in hvtui("--help").stdout
