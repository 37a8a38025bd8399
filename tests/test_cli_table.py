"""The listing's table is laid out as Rich lays out the same table, without Rich's cost; cells are
shown literally (no markup, no emoji codes) and cannot carry control characters to the terminal."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hvtui.cli.table import PIPE_WIDTH, Column, write_table

COLUMNS = [
    Column("ID", right=True, min_width=5),
    Column("NAME", ellipsis=True, min_width=6),
    Column("STATE", min_width=7),
    Column("MEMORY", right=True, min_width=8),
    Column("STATUS", ellipsis=True),
]
ROWS = [
    ["1484", "app-01", "Running", "4.4 GiB", "OK"],
    ["-", "日本語-vm", "Off", "", ""],
    ["59828", "x", "Paused", "512 MiB", "No contact with the guest"],
]


def _as_rich_draws_it(columns, rows, width):
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for c in columns:
        table.add_column(
            c.header,
            no_wrap=True,
            overflow="ellipsis" if c.ellipsis else "fold",
            min_width=c.min_width or None,
            justify="right" if c.right else "left",
        )
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console = Console(highlight=False, soft_wrap=False, width=width)
    with console.capture() as captured:
        console.print(table)
    return captured.get()


def _written(columns, rows):
    out = io.StringIO()
    write_table(columns, rows, out)
    return out.getvalue()


def test_a_table_that_fits_is_laid_out_as_rich_does():
    assert _written(COLUMNS, ROWS) == _as_rich_draws_it(COLUMNS, ROWS, PIPE_WIDTH)
    assert _written(COLUMNS, []) == _as_rich_draws_it(COLUMNS, [], PIPE_WIDTH)


def test_a_table_too_wide_for_a_pipe_gives_way_as_rich_decides():
    rows = [[*ROWS[0][:4], "s" * 300]]
    written = _written(COLUMNS, rows)
    assert written == _as_rich_draws_it(COLUMNS, rows, PIPE_WIDTH)
    assert max(len(line) for line in written.splitlines()) <= PIPE_WIDTH


def test_cells_are_shown_literally_and_without_control_characters():
    rows = [["1", "web [prod] :smile:", "Off", "", "\x1b[31mred\x07"]]
    lines = _written(COLUMNS, rows).splitlines()
    assert "web [prod] :smile:" in lines[2]
    assert "\x1b" not in lines[2] and "\x07" not in lines[2]
    assert "?[31mred?" in lines[2]
