"""True pixels in the terminal: which image protocol it speaks, and the escape sequences for each.

Free of Textual, so the terminal can be asked before the app takes over its input.
"""
