"""hvtui: manage Microsoft Hyper-V hosts from a terminal over WS-Management."""

__version__ = "0.1.0"
