"""4. Encryption: LUKS on/off, passphrase + confirmation, strength, LUKS version (advanced)."""

from __future__ import annotations

from pydantic import SecretStr
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Checkbox, Collapsible, Input, Label, RadioButton, RadioSet, Static

from installer.backend import validate
from installer.tui.screens.base import PageScreen
from installer.tui.widgets.strength import StrengthMeter
from installer.tui.widgets.toggles import Check, Radio


class EncryptionScreen(PageScreen):
    PAGE = "encryption"
    TITLE = "Disk encryption"

    def body(self) -> ComposeResult:
        yield Check("Encrypt the installed system (LUKS)", id="encrypt", compact=True)
        yield Static("The passphrase is asked at every boot. It cannot be recovered if lost.",
                     classes="hint", markup=False)
        with Grid(classes="form"):
            yield Label("Passphrase")
            yield Input(id="passphrase", password=True, compact=True)
            yield Label("Confirm")
            yield Input(id="passphrase_confirm", password=True, compact=True)
        yield StrengthMeter(id="strength")
        with Collapsible(title="Advanced", id="advanced", collapsed_symbol=">", expanded_symbol="v"):
            yield Static("LUKS version (LUKS1 only for old boot loaders that need it):", markup=False)
            with RadioSet(id="luks_version"):
                yield Radio("LUKS2 (recommended)", id="luks-luks2")
                yield Radio("LUKS1", id="luks-luks1")

    def load(self) -> None:
        s = self.state
        self.query_one("#encrypt", Checkbox).value = s.encrypt
        self.query_one("#passphrase", Input).value = s.passphrase.get_secret_value()
        self.query_one("#passphrase_confirm", Input).value = s.passphrase_confirm.get_secret_value()
        self.query_one(f"#luks-{s.luks_version}", RadioButton).value = True
        self._enable(s.encrypt)

    def save(self) -> None:
        s = self.state
        s.encrypt = self.query_one("#encrypt", Checkbox).value
        s.passphrase = SecretStr(self.query_one("#passphrase", Input).value)
        s.passphrase_confirm = SecretStr(self.query_one("#passphrase_confirm", Input).value)
        pressed = self.query_one("#luks_version", RadioSet).pressed_button
        if pressed is not None:
            s.luks_version = "luks1" if pressed.id == "luks-luks1" else "luks2"
        self._enable(s.encrypt)

    def _enable(self, on: bool) -> None:
        for sel in ("#passphrase", "#passphrase_confirm", "#luks_version"):
            self.query_one(sel).disabled = not on

    def after_change(self) -> None:
        score = validate.strength(self.state.passphrase.get_secret_value()) if self.state.encrypt else 0
        meter = self.query_one(StrengthMeter)
        meter.set_score(score)
        meter.display = self.state.encrypt
