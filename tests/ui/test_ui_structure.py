"""The UI's modules import one another in one direction only, and the app is what its parts expect."""

from __future__ import annotations

import grimp

from hvtui.ui.app import HvtuiApp
from hvtui.ui.facade import AppFacade
from hvtui.ui.launch import TuiOptions
from tests.support.tui import TERMINAL


def test_no_import_cycle_among_ui_modules():
    graph = grimp.build_graph("hvtui", cache_dir=None)
    modules = sorted(m for m in graph.modules if m.startswith("hvtui.ui."))
    cycles = [
        (module, imported)
        for module in modules
        for imported in sorted(graph.find_modules_directly_imported_by(module))
        if imported.startswith("hvtui.ui.") and graph.chain_exists(importer=imported, imported=module)
    ]
    assert cycles == []


def test_the_app_is_what_screens_and_the_palette_expect():
    app = HvtuiApp(TuiOptions(persist=False), environ=TERMINAL)
    assert isinstance(app, AppFacade)
