"""The flows that span screens: logging in, the host list, verbs on VMs, the help screen."""
