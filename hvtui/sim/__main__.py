"""``python -m hvtui.sim``: the same as ``hvtui sim``."""

from hvtui.sim.cli import main

raise SystemExit(main())
