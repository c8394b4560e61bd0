"""Helpers for the text-installer tests: rendered screen text, typing into fields."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parents[2]
MACHINES = ROOT / "tests" / "fixtures" / "machines"
ANSWERS = ROOT / "tests" / "fixtures" / "answers"
DATA = Path(__file__).parent / "data"


def screen_text(app: App) -> str:  # type: ignore[type-arg]
    """What the terminal shows now, as plain text (the dialog on top included)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(s.text.rstrip() for s in strips)


async def type_into(pilot: Pilot, selector: str, text: str, clear: bool = True) -> None:  # type: ignore[type-arg]
    from textual.widgets import Input

    box = pilot.app.screen.query_one(selector, Input)
    box.focus()
    await pilot.pause()
    if clear:
        box.value = ""
        await pilot.pause()
    if text:
        await pilot.press(*[("space" if c == " " else c) for c in text])
    await pilot.pause()
