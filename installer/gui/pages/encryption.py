"""Disk encryption: passphrase, confirmation, a strength meter; LUKS version under Advanced."""

from __future__ import annotations

from pydantic import SecretStr
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QToolButton,
    QWidget,
)

from installer.backend import validate
from installer.gui.context import GuiContext
from installer.gui.pages.base import Page
from installer.gui.widgets.a11y import named

STRENGTH_WORDS = ("Too short", "Weak", "Fair", "Good", "Strong")


class EncryptionPage(Page):
    page_id = "encryption"
    title = "Disk encryption"
    subtitle = ("Encryption protects your data if the disk is lost or stolen. You type the passphrase "
                "each time the computer starts. It cannot be recovered if you forget it.")

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.enable = named(QCheckBox("&Encrypt the system (LUKS)"), "Encrypt the system")
        self.body.addWidget(self.enable)
        self.card_ = self.card()
        form = QFormLayout(self.card_)
        form.setContentsMargins(20, 16, 20, 16)
        self.passphrase = named(QLineEdit(), "Passphrase", "At least 8 characters; longer is stronger")
        self.confirm = named(QLineEdit(), "Confirm passphrase")
        for e in (self.passphrase, self.confirm):
            e.setEchoMode(QLineEdit.EchoMode.Password)
        self.meter = named(QProgressBar(), "Passphrase strength")
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(8)
        self.meter_text = QLabel(STRENGTH_WORDS[0])
        self.meter_text.setAccessibleName("Passphrase strength")
        form.addRow(self.label("&Passphrase", self.passphrase), self.passphrase)
        form.addRow(self.label("&Confirm", self.confirm), self.confirm)
        form.addRow(self.label("Strength"), self.meter)
        form.addRow("", self.meter_text)
        form.addRow("", self.message("passphrase"))
        self.advanced_btn = named(QToolButton(), "Advanced encryption options")
        self.advanced_btn.setText("▸ &Advanced")
        self.advanced_btn.setCheckable(True)
        self.luks = named(QComboBox(), "LUKS version",
                          "LUKS2 (argon2id) is the default; LUKS1 only for old boot loaders")
        self.luks.addItem("LUKS2 (recommended)", "luks2")
        self.luks.addItem("LUKS1 (compatibility)", "luks1")
        self.luks_label = self.label("LUKS &version", self.luks)
        form.addRow(self.advanced_btn)
        form.addRow(self.luks_label, self.luks)
        self.body.addWidget(self.card_)
        self._set_advanced(False)

        self.enable.toggled.connect(self._store)
        self.passphrase.textEdited.connect(lambda _t: self._edited("passphrase"))
        self.confirm.textEdited.connect(lambda _t: self._edited("passphrase"))
        self.luks.currentIndexChanged.connect(self._store)
        self.advanced_btn.toggled.connect(self._set_advanced)

    def _set_advanced(self, on: bool) -> None:
        self.luks.setVisible(on)
        self.luks_label.setVisible(on)
        self.advanced_btn.setText(("▾" if on else "▸") + " &Advanced")

    def load(self) -> None:
        s = self.ctx.state
        self.enable.setChecked(s.encrypt)
        self.passphrase.setText(s.passphrase.get_secret_value())
        self.confirm.setText(s.passphrase_confirm.get_secret_value())
        self.luks.setCurrentIndex(max(self.luks.findData(s.luks_version), 0))
        if s.luks_version != "luks2":
            self.advanced_btn.setChecked(True)
        self._update_enabled()
        self._update_meter()

    def _edited(self, field: str) -> None:
        self._store()
        if self.confirm.text() or field != "passphrase":
            self.touched.add(field)
        self.changed.emit()

    def _store(self) -> None:
        if self.loading:
            return
        s = self.ctx.state
        s.encrypt = self.enable.isChecked()
        s.passphrase = SecretStr(self.passphrase.text())
        s.passphrase_confirm = SecretStr(self.confirm.text())
        s.luks_version = "luks1" if self.luks.currentData() == "luks1" else "luks2"
        self._update_enabled()
        self._update_meter()
        self.changed.emit()

    def _update_enabled(self) -> None:
        self.card_.setEnabled(self.enable.isChecked())

    def _update_meter(self) -> None:
        score = validate.strength(self.passphrase.text())
        self.meter.setValue(score)
        self.meter.setProperty("level", score)
        self.meter.style().unpolish(self.meter)
        self.meter.style().polish(self.meter)
        word = STRENGTH_WORDS[score] if self.passphrase.text() else "Empty"
        self.meter_text.setText(word)
        self.meter.setAccessibleDescription(f"strength: {word}")
