"""1. Welcome: product, version, firmware and memory; keyboard layout and language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Label, Select, Static

from installer import __version__
from installer.backend import flow
from installer.backend.sizes import format_size
from installer.tui.screens.base import PageScreen


class WelcomeScreen(PageScreen):
    PAGE = "welcome"
    TITLE = "Welcome"
    BACK = False

    def body(self) -> ComposeResult:
        m = self.machine
        yield Static(f"Welcome to Azure Linux. Installer version {__version__}.", markup=False)
        yield Static(f"This machine: {m.firmware.upper()} firmware, {m.arch}, "
                     f"{format_size(m.memory)} memory, {len(m.disks)} disk(s).", id="machine", markup=False)
        with Grid(classes="form"):
            yield Label("Language")
            yield Select([(x, x) for x in flow.LANGUAGES], id="language", allow_blank=False, compact=True)
            yield Label("Keyboard")
            yield Select([(x, x) for x in flow.KEYBOARDS], id="keyboard", allow_blank=False, compact=True)
        yield Static("Nothing is written to any disk until you confirm on the summary page.",
                     classes="hint", markup=False)

    def load(self) -> None:
        self.query_one("#language", Select).value = self.state.language
        self.query_one("#keyboard", Select).value = self.state.keyboard

    def save(self) -> None:
        lang = self.query_one("#language", Select).value
        kb = self.query_one("#keyboard", Select).value
        if isinstance(lang, str):
            self.state.language = lang
        if isinstance(kb, str):
            self.state.keyboard = kb
