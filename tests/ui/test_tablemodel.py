"""The VM table's rules without a screen: diffing by identity, sort, filter, cursor, marks, widths."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hvtui.hyperv.actions import VERBS, Verb
from hvtui.hyperv.models import VM, HostFacts, HostSnapshot
from hvtui.hyperv.states import Heartbeat, decode_enabled_state
from hvtui.present.formats import uptime_cell
from hvtui.ui.columns import BY_KEY, COLUMN_INDEX, COLUMNS
from hvtui.ui.flows.verbs import question
from hvtui.ui.rows import HISTORY, RowBuilder, host_label
from hvtui.ui.tablemodel import TableModel
from hvtui.ui.vmfilter import VMFilter
from hvtui.version import identify_release

A = "hyperv://administrator@hv-a/"
B = "hyperv://administrator@hv-b/"


def vm(host: str, n: int, state: int = 2, cpu: int | None = 10, name: str | None = None) -> VM:
    running = state == 2
    return VM(
        host=host,
        guid=f"{n:08X}-0000-4000-8000-{n:012X}",
        name=name or f"vm-{n:02}",
        power=decode_enabled_state(state),
        vcpus=2,
        memory_mib=2048 if running else 0,
        uptime=timedelta(seconds=3600 + n) if running else None,
        cpu_load=cpu if running else None,
        heartbeat=Heartbeat.OK if running else None,
        generation=2,
        version="9.0",
    )


def snapshot(host: str, vms: list[VM]) -> HostSnapshot:
    name = host.split("@")[1].strip("/") + ".example"
    facts = HostFacts(hostname=name, release=identify_release("10.0.17763"))
    return HostSnapshot(host, facts, tuple(vms), datetime.now(UTC))


class Host:
    """One host's refreshes, built as the scheduler builds them."""

    def __init__(self, uri: str, vms: list[VM]) -> None:
        self.uri = uri
        self.vms = vms
        self.builder = RowBuilder(uri)

    def rows(self):
        snap = snapshot(self.uri, self.vms)
        return self.builder.build(snap, snap.facts.hostname.split(".")[0])


@pytest.fixture
def two_hosts():
    a = Host(A, [vm(A, i, cpu=i * 10) for i in range(1, 6)])
    b = Host(B, [vm(B, i, state=3) for i in range(10, 13)])
    model = TableModel()
    model.apply(A, a.rows())
    model.apply(B, b.rows())
    model.set_scope(None)
    return model, a, b


def names(model: TableModel) -> list[str]:
    return [model.rows[k].vm.name for k in model.order]


def test_unchanged_vms_keep_their_row_objects():
    a = Host(A, [vm(A, 1), vm(A, 2)])
    first = a.rows()
    second = a.rows()
    assert all(second.rows[k] is first.rows[k] for k in first.rows)
    assert second.fresh == []
    a.vms[1] = replace(a.vms[1], cpu_load=99)
    third = a.rows()
    assert third.rows[a.vms[0].key] is first.rows[a.vms[0].key]
    assert third.fresh == [a.vms[1].key]
    assert third.generation == 3
    gone = a.vms.pop(0).key
    assert a.rows().removed == {gone}


def test_a_running_vm_keeps_its_last_samples_oldest_first_and_a_removed_one_none():
    a = Host(A, [vm(A, 1), vm(A, 2, state=3)])
    for n in range(HISTORY + 5):
        a.vms[0] = replace(a.vms[0], cpu_load=n % 101, memory_mib=4096 + n)
        a.rows()
    samples = a.builder.samples(a.vms[0].key)
    assert samples == [(n % 101, 4096 + n) for n in range(5, HISTORY + 5)]
    assert a.builder.samples(a.vms[1].key) == []  # an off VM has no load to keep
    gone = a.vms.pop(0).key
    a.rows()
    assert a.builder.samples(gone) == []


def test_a_refresh_dropped_from_the_queue_is_caught_up_by_identity(two_hosts):
    model, a, _ = two_hosts
    a.vms[0] = replace(a.vms[0], cpu_load=55)
    a.rows()  # never applied: a newer refresh replaced it in the queue
    a.vms[1] = replace(a.vms[1], name="renamed")
    change = model.apply(A, a.rows())
    assert change.dirty == {a.vms[0].key, a.vms[1].key}
    assert model.rows[a.vms[0].key].vm.cpu_load == 55


def test_apply_reports_only_changed_visible_rows(two_hosts):
    model, a, _ = two_hosts
    change = model.apply(A, a.rows())
    assert not change.anything
    a.vms[2] = replace(a.vms[2], cpu_load=77)
    change = model.apply(A, a.rows())
    assert change.dirty == {a.vms[2].key}
    assert not change.order_changed  # sorted by name: CPU does not move rows


def test_fields_the_table_does_not_show_repaint_nothing_but_are_kept(two_hosts):
    model, a, _ = two_hosts
    a.vms[0] = replace(a.vms[0], notes="moved to rack 4")
    change = model.apply(A, a.rows())
    assert not change.anything
    assert model.rows[a.vms[0].key].vm.notes == "moved to rack 4"


def test_all_hosts_view_lists_every_vm_with_a_host_column(two_hosts):
    model, _, _ = two_hosts
    assert len(model.order) == 8
    assert model.columns[:2] == ("name", "host")
    host_cells = {model.rows[k].cells[COLUMN_INDEX["host"]] for k in model.order}
    assert host_cells == {"hv-a", "hv-b"}
    model.set_scope(B)
    assert "host" not in model.columns
    assert names(model) == ["vm-10", "vm-11", "vm-12"]


def test_sort_by_cpu_descending_puts_blanks_last_and_follows_changes(two_hosts):
    model, a, _ = two_hosts
    model.set_sort("cpu", reverse=True)
    assert names(model)[:5] == ["vm-05", "vm-04", "vm-03", "vm-02", "vm-01"]
    assert names(model)[5:] == ["vm-10", "vm-11", "vm-12"]  # off: no CPU, by name
    a.vms[0] = replace(a.vms[0], cpu_load=95)
    change = model.apply(A, a.rows())
    assert change.order_changed
    assert names(model)[0] == "vm-01"


def test_cursor_stays_on_its_vm_across_refreshes_sorts_and_filters(two_hosts):
    model, a, _ = two_hosts
    target = a.vms[2].key  # vm-03
    assert model.focus_key(target)
    model.set_sort("cpu", reverse=True)
    assert model.cursor_key == target
    a.vms[2] = replace(a.vms[2], cpu_load=1)
    model.apply(A, a.rows())
    assert model.cursor_key == target
    model.set_filter("vm-0")
    assert model.cursor_key == target
    model.set_filter("vm-1")  # filtered out: the cursor moves to a row that is there ...
    assert model.cursor_key != target
    model.set_filter("")  # ... and comes back when the VM is shown again
    assert model.cursor_key == target


def test_removed_vm_moves_the_cursor_to_its_neighbour_and_drops_its_mark(two_hosts):
    model, a, _ = two_hosts
    gone = a.vms[1].key
    model.focus_key(gone)
    model.toggle_mark(gone)
    del a.vms[1]
    change = model.apply(A, a.rows())
    assert change.order_changed
    assert gone not in model.rows
    assert gone not in model.marks
    assert model.cursor_key is not None


def test_new_vm_appears_in_order(two_hosts):
    model, a, _ = two_hosts
    a.vms.append(vm(A, 0, name="aaa-first"))
    model.apply(A, a.rows())
    assert names(model)[0] == "aaa-first"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vm-1", ["vm-10", "vm-11", "vm-12"]),
        ("OFF", ["vm-10", "vm-11", "vm-12"]),
        ("!off", ["vm-01", "vm-02", "vm-03", "vm-04", "vm-05"]),
        ("0000000B", ["vm-11"]),  # part of a GUID, any case
        ("!", [f"vm-0{i}" for i in range(1, 6)] + ["vm-10", "vm-11", "vm-12"]),
    ],
)
def test_filter_matches_name_state_guid_and_inverts(two_hosts, text, expected):
    model, _, _ = two_hosts
    model.set_filter(text)
    assert names(model) == expected


def test_filter_membership_follows_state_changes(two_hosts):
    model, a, _ = two_hosts
    model.set_filter("running")
    assert len(model.order) == 5
    a.vms[0] = replace(a.vms[0], power=decode_enabled_state(3), cpu_load=None, uptime=None)
    change = model.apply(A, a.rows())
    assert change.order_changed
    assert len(model.order) == 4


def test_marks_span_hosts_and_targets_prefer_marks(two_hosts):
    model, a, _ = two_hosts
    model.focus_key(a.vms[0].key)
    assert [r.key for r in model.targets()] == [a.vms[0].key]
    model.toggle_mark(a.vms[3].key)
    b_key = next(k for k in model.rows if k.startswith(B))
    model.toggle_mark(b_key)
    assert {r.key for r in model.targets()} == {a.vms[3].key, b_key}
    model.set_scope(A)  # marks survive a change of view
    assert len(model.targets()) == 2
    assert model.clear_marks() == 2
    assert model.targets()[0].host == A


def test_jobs_override_the_status_cell_and_widen_it(two_hosts):
    model, a, _ = two_hosts
    key = a.vms[0].key
    status = COLUMN_INDEX["status"]
    before = model.width_of[status]
    assert model.set_job(key, "Saving a very long way 35%")
    assert model.cell(model.rows[key], status) == "Saving a very long way 35%"
    assert model.width_of[status] > before
    model.set_job(key, None)
    assert model.cell(model.rows[key], status) == ""  # the normal case is blank


def test_widths_grow_with_longer_cells(two_hosts):
    model, a, _ = two_hosts
    name = COLUMN_INDEX["name"]
    a.vms[0] = replace(a.vms[0], name="a-much-longer-name-than-before")
    change = model.apply(A, a.rows())
    assert change.widths_changed
    assert model.width_of[name] == len("a-much-longer-name-than-before")


def test_remove_host_drops_its_rows_marks_and_scope(two_hosts):
    model, a, _ = two_hosts
    model.set_scope(A)
    model.toggle_mark(a.vms[0].key)
    model.remove_host(A)
    assert model.scope is None
    assert all(not k.startswith(A) for k in model.rows)
    assert not model.marks


def test_next_sort_column_goes_round_the_shown_columns(two_hosts):
    model, _, _ = two_hosts
    assert model.next_sort_column() == "host"
    model.set_sort("version", reverse=True)
    assert model.next_sort_column() == "name"


def test_filter_object():
    assert not VMFilter("!").active
    assert VMFilter("!web").inverted
    assert VMFilter("!web").needle == "web"


def test_uptime_format():
    assert uptime_cell(timedelta(seconds=59)) == "00:00:59"
    assert uptime_cell(timedelta(days=3, hours=4, minutes=5, seconds=6)) == "3d 04:05"
    assert uptime_cell(None) == ""


def test_names_with_wide_characters_measure_by_cells():
    a = Host(A, [vm(A, 1, name="日本語のVM")])
    model = TableModel()
    model.apply(A, a.rows())
    model.set_scope(A)
    assert model.width_of[COLUMN_INDEX["name"]] == 10


def test_the_host_column_names_hosts_as_the_hosts_pane_does():
    uri = "hyperv://administrator@hv9.corp.example:5986/"
    known = HostFacts(hostname="HV9.corp.example", release=identify_release("10.0.17763"))
    unknown = HostFacts(hostname="?", release=identify_release("10.0.17763"))
    builder = RowBuilder(uri)
    assert host_label(HostSnapshot(uri, known, (), datetime.now(UTC)), builder.uri_host) == "HV9"
    assert host_label(HostSnapshot(uri, unknown, (), datetime.now(UTC)), builder.uri_host) == "hv9"
    ip = RowBuilder("hyperv://administrator@10.0.0.5/")
    assert host_label(HostSnapshot(uri, unknown, (), datetime.now(UTC)), ip.uri_host) == "10.0.0.5"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hv-b", ["vm-10", "vm-11", "vm-12"]),  # the host
        ("heartbeat", []),  # status text: every running VM here has an OK heartbeat (none shown)
        ("vm-1 off", ["vm-10", "vm-11", "vm-12"]),  # every word, anywhere
        ("off vm-0", []),
        ("~^vm-0[24]\t", ["vm-02", "vm-04"]),  # a regex, on the fields as they are joined
        ("!~^vm-0", ["vm-10", "vm-11", "vm-12"]),
    ],
)
def test_filter_matches_host_and_status_all_words_or_a_regex(two_hosts, text, expected):
    model, _, _ = two_hosts
    model.set_filter(text)
    assert names(model) == expected
    assert model.filter.error is None


def test_filter_matches_the_status_text(two_hosts):
    model, a, _ = two_hosts
    a.vms[1] = replace(a.vms[1], heartbeat=Heartbeat.NO_CONTACT)
    model.apply(A, a.rows())
    model.set_filter("heartbeat")
    assert names(model) == ["vm-02"]


def test_an_invalid_regex_says_why_and_hides_nothing(two_hosts):
    model, _, _ = two_hosts
    model.set_filter("~vm-[0")
    assert model.filter.error is not None and model.filter.error.startswith("invalid regex: ")
    assert len(model.order) == 8


def test_one_key_marks_every_vm_shown_and_clears_them_when_all_are(two_hosts):
    model, a, _ = two_hosts
    model.set_filter("hv-a")
    assert model.toggle_marks_shown() == 5
    assert model.marks == {v.key for v in a.vms}
    model.set_filter("vm-0[1")  # not a regex without ~: matches nothing
    assert model.hidden_marks == 5  # kept, and counted for the title
    model.set_filter("hv-a")
    assert model.toggle_marks_shown() == -5
    assert not model.marks


def test_a_sort_keeps_the_cursor_on_its_vm_even_if_it_never_moved(two_hosts):
    model, _, _ = two_hosts
    first = model.cursor_key
    model.set_sort("cpu", reverse=True)
    assert model.cursor_key == first


def test_a_silent_hosts_rows_say_how_old_their_data_is(two_hosts):
    model, a, _ = two_hosts
    status = COLUMN_INDEX["status"]
    row = model.rows[a.vms[0].key]
    read = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert model.set_stale(A, read)
    assert model.cell(row, status, read + timedelta(seconds=42)) == "stale 42 s"
    assert model.cell(row, status, read + timedelta(minutes=5)) == "stale 5 min"
    assert model.width_of[status] >= len("stale 59 min")
    assert model.set_stale(A, None)
    assert model.cell(row, status) == ""


def test_numbers_sort_biggest_first_and_titles_leave_room_for_the_arrow(two_hosts):
    model, _, _ = two_hosts
    for key in ("cpu", "memory", "uptime", "vcpus"):
        assert BY_KEY[key].descending_first
    assert not BY_KEY["name"].descending_first
    for index, width in model.width_of.items():
        assert width >= len(COLUMNS[index].title) + 1


def test_the_saved_state_prompt_reads_as_a_sentence():
    discard = question(VERBS[Verb.DISCARD_SAVE], "3 VMs on 3 hosts")
    assert discard == "Delete the saved state of 3 VMs on 3 hosts?"
    assert question(VERBS[Verb.TURN_OFF], "web-01 on hv01") == "Turn off web-01 on hv01?"


@pytest.mark.parametrize("column", ["name", "cpu", "state", "uptime"])
@pytest.mark.parametrize("reverse", [False, True])
def test_hosts_arriving_one_by_one_are_merged_in_as_a_full_sort_orders_them(column, reverse):
    hosts = [f"hyperv://administrator@hv-{h:02}/" for h in range(12)]
    model = TableModel(sort_column=column, sort_reverse=reverse)
    model.set_scope(None)
    for h, uri in enumerate(hosts):
        vms = [
            vm(
                uri,
                h * 10 + i,
                state=(2, 3)[(h + i) % 2],
                cpu=None if i % 3 == 0 else (h * 7 + i * 13) % 50,
                name=f"{'web' if i % 2 else 'db'}-{(h * 5 + i) % 9}",
            )
            for i in range(6)
        ]
        model.apply(uri, Host(uri, vms).rows())
        merged = list(model.order)
        model.rebuild()
        assert merged == model.order
