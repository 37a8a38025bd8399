"""Widgets of the main screen: the hosts pane, the VM table and the host detail pane."""
