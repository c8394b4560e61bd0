"""Themes: the default look, and a high-contrast one (F2) for low vision and bad projectors."""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="azl-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#000000",
    success="#00ff00",
    warning="#ffff00",
    error="#ff5555",
    dark=True,
)
DEFAULT_THEME = "textual-dark"
