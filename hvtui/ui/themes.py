"""Which theme a run starts with: the command line's, else one the terminal can show, else the config's."""

from __future__ import annotations

from collections.abc import Container, Mapping

ANSI_THEME = "ansi-dark"
DEFAULT_THEME = "textual-dark"


def sixteen_colours(env: Mapping[str, str]) -> bool:
    """True when the terminal says it has only the 16 ANSI colours (no 256-colour TERM, no COLORTERM)."""
    term = env.get("TERM", "")
    colorterm = env.get("COLORTERM", "").lower()
    rich = colorterm in ("truecolor", "24bit") or any(m in term for m in ("256color", "truecolor", "direct"))
    return not rich


def choose_theme(requested: str | None, configured: str, env: Mapping[str, str]) -> str:
    """``--theme`` wins; else the terminal's ANSI colours when it has only 16; else the config."""
    if requested:
        return requested
    if sixteen_colours(env) and not configured.startswith("ansi-"):
        return ANSI_THEME
    return configured


def starting_theme(
    requested: str | None, configured: str, env: Mapping[str, str], available: Container[str]
) -> tuple[str, str | None]:
    """The theme to start with, and the problem to report when the one chosen does not exist."""
    theme = choose_theme(requested, configured, env)
    if theme in available:
        return theme, None
    problem = f"unknown theme '{theme}': using {DEFAULT_THEME} (ctrl+p → 'theme' lists the others)"
    return DEFAULT_THEME, problem
