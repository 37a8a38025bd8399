"""Text tables for people: columns padded to their widest cell, a rule under the header.

This is the layout Rich draws with ``box.SIMPLE_HEAD, pad_edge=False, show_edge=False``,
written directly: Rich takes about half a millisecond a row to lay a table out (0.4-0.8 s
for 1,000 VMs, longer than the listing's reads), while a table that fits its width needs
nothing but padding. Only a table wider than the terminal goes through Rich, which decides
how its columns give way. Cells are shown as the host wrote them: never read as markup or
emoji codes, and with control characters replaced, so a VM's name cannot drive the terminal.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

#: Width of a table written to a pipe or a file: never cut a name to fit an imagined 80 columns.
PIPE_WIDTH = 250
_GAP = "   "  # the right padding of one column, the (blank) divider, the left padding of the next
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


@dataclass(frozen=True)
class Column:
    header: str
    right: bool = False  # right-justified (numbers)
    min_width: int = 0
    ellipsis: bool = False  # cut with an ellipsis when the terminal is too narrow (else folded)


def clean(text: str) -> str:
    """A cell as a terminal may show it: control characters become ``?``."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else "?" for c in text)


def cell_width(text: str) -> int:
    """Columns the text takes on a terminal (wide East Asian characters take two)."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def write_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], out: TextIO | None = None) -> None:
    """Write the table to ``out`` (stdout): on a terminal fitted to its width, in a pipe at most 250."""
    out = sys.stdout if out is None else out
    terminal = out.isatty()
    rows = [[clean(cell) for cell in row] for row in rows]
    widths = [max(column.min_width, cell_width(column.header)) for column in columns]
    for row in rows:
        for index, cell in enumerate(row):
            width = cell_width(cell)
            widths[index] = max(widths[index], width)
    total = sum(widths) + len(_GAP) * (len(columns) - 1)
    width = shutil.get_terminal_size().columns if terminal else PIPE_WIDTH
    if total > width:
        out.write(_rich_table(columns, rows, None if terminal else width))
        return
    header = _line([column.header for column in columns], columns, widths)
    if terminal and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb":
        header = f"{_BOLD}{header}{_RESET}"
    lines = [header, "\u2500" * total]
    lines += [_line(row, columns, widths) for row in rows]
    out.write("\n".join(lines) + "\n")


def _line(cells: Sequence[str], columns: Sequence[Column], widths: Sequence[int]) -> str:
    parts = []
    for cell, column, width in zip(cells, columns, widths, strict=True):
        pad = " " * (width - cell_width(cell))
        parts.append(pad + cell if column.right else cell + pad)
    return _GAP.join(parts)


def _rich_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int | None) -> str:
    """The table as Rich lays it out when it is wider than ``width`` (None: the terminal's)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in columns:
        table.add_column(
            column.header,
            no_wrap=True,
            overflow="ellipsis" if column.ellipsis else "fold",
            min_width=column.min_width or None,
            justify="right" if column.right else "left",
        )
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console = Console(highlight=False, soft_wrap=False, width=width)
    # Rendered, then written by the caller: Rich would end the process itself when the reader goes away.
    with console.capture() as captured:
        console.print(table)
    return captured.get()
