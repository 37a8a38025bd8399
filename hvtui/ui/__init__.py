"""The Textual terminal UI: renders hvtui.hyperv models and posts intents."""
