"""iTerm2's inline images (also WezTerm's): one OSC 1337 with the PNG in base64, scaled by the
terminal to a box of cells."""

from __future__ import annotations

import base64


def place(png: bytes, columns: int, rows: int) -> str:
    """Show ``png`` over ``columns`` × ``rows`` cells at the cursor."""
    data = base64.standard_b64encode(png).decode("ascii")
    args = f"inline=1;size={len(png)};width={columns};height={rows};preserveAspectRatio=0"
    return f"\x1b]1337;File={args}:{data}\x07"
