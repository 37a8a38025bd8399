"""The Hyper-V domain: host facts, VM inventory, power actions and jobs, over hvtui.wsman."""
