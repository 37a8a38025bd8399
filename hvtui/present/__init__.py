"""How hvtui words what it shows, the same for the CLI and the TUI.

Textual-free (an import contract says so): the TUI's cells and panes and the CLI's tables,
detail rows and JSON/CSV records are all made from these functions.
"""
