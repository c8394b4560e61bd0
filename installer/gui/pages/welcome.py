"""Welcome: language and keyboard layout."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from installer.backend.flow import KEYBOARDS, LANGUAGES
from installer.gui.context import GuiContext
from installer.gui.pages.base import Page
from installer.gui.widgets.a11y import named

LANGUAGE_NAMES = {
    "en_US.UTF-8": "English (United States)", "en_GB.UTF-8": "English (United Kingdom)",
    "de_DE.UTF-8": "Deutsch (Deutschland)", "fr_FR.UTF-8": "Français (France)",
    "es_ES.UTF-8": "Español (España)", "ja_JP.UTF-8": "日本語 (日本)", "zh_CN.UTF-8": "中文 (中国)",
}


class WelcomePage(Page):
    page_id = "welcome"
    title = "Welcome to Azure Linux"
    subtitle = ("This installer sets up Azure Linux on this computer. Nothing is written to a disk "
                "until you confirm the summary at the end.")

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        card = self.card()
        form = QFormLayout(card)
        form.setContentsMargins(20, 16, 20, 16)
        form.setVerticalSpacing(12)
        self.language = named(QComboBox(), "Language", "The language and formats of the installed system")
        for code in LANGUAGES:
            self.language.addItem(f"{LANGUAGE_NAMES.get(code, code)}  —  {code}", code)
        self.keyboard = named(QComboBox(), "Keyboard layout", "The keyboard layout of the installed system")
        for k in KEYBOARDS:
            self.keyboard.addItem(k, k)
        self.test = named(QLineEdit(), "Try your keyboard", "Type here to check the layout")
        self.test.setPlaceholderText("Type here to test the layout")
        form.addRow(self.label("&Language", self.language), self.language)
        form.addRow(self.label("&Keyboard layout", self.keyboard), self.keyboard)
        form.addRow(self.label("&Try it", self.test), self.test)
        self.body.addWidget(card)
        hint = QLabel("Use Tab to move between fields, Alt with the underlined letter to jump to one, "
                      "and Alt+N / Alt+B for Next and Back.")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        self.body.addWidget(hint)
        self.language.currentIndexChanged.connect(self._store)
        self.keyboard.currentIndexChanged.connect(self._store)

    def load(self) -> None:
        s = self.ctx.state
        for combo, value in ((self.language, s.language), (self.keyboard, s.keyboard)):
            i = combo.findData(value)
            if i < 0:
                combo.addItem(value, value)
                i = combo.count() - 1
            combo.setCurrentIndex(i)

    def _store(self) -> None:
        if self.loading:
            return
        self.ctx.state.language = str(self.language.currentData())
        self.ctx.state.keyboard = str(self.keyboard.currentData())
        self.changed.emit()
