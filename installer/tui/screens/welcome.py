"""1. Welcome: product, version, firmware and memory; keyboard layout and language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Label, Select, Static

from installer import __version__
from installer.tui.screens.base import PageScreen


class WelcomeScreen(PageScreen):
    PAGE = "welcome"
    TITLE = "Welcome"
    BACK = False

    # The welcome page may be painted before the backend is loaded (a fast first screen on a slow
    # console); machine facts and the language/keyboard choices arrive in load().
    def body(self) -> ComposeResult:
        yield Static(f"Welcome to Azure Linux. Installer version {__version__}.", markup=False)
        yield Static("Looking at this machine...", id="machine", markup=False)
        with Grid(classes="form"):
            yield Label("Language")
            yield Select([], id="language", allow_blank=True, prompt="...", compact=True)
            yield Label("Keyboard")
            yield Select([], id="keyboard", allow_blank=True, prompt="...", compact=True)
        yield Static("Nothing is written to any disk until you confirm on the summary page.",
                     classes="hint", markup=False)

    def load(self) -> None:
        from installer.backend import flow
        from installer.backend.sizes import format_size

        m = self.machine
        self.query_one("#machine", Static).update(
            f"This machine: {m.firmware.upper()} firmware, {m.arch}, {format_size(m.memory)} memory, "
            f"{len(m.disks)} disk(s).")
        lang, kb = self.query_one("#language", Select), self.query_one("#keyboard", Select)
        lang.set_options([(x, x) for x in flow.LANGUAGES])
        kb.set_options([(x, x) for x in flow.KEYBOARDS])
        lang.value = self.state.language
        kb.value = self.state.keyboard

    def save(self) -> None:
        lang = self.query_one("#language", Select).value
        kb = self.query_one("#keyboard", Select).value
        if isinstance(lang, str):
            self.state.language = lang
        if isinstance(kb, str):
            self.state.keyboard = kb
