"""Screens and dialogs: main, VM detail, login, confirm, add host, help."""
