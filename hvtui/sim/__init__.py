"""A Hyper-V host simulator: a real WS-Management server, sharing nothing with hvtui.wsman."""
