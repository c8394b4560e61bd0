"""Host name: the computer's name on the network."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from installer.gui.context import GuiContext
from installer.gui.pages.base import Page
from installer.gui.widgets.a11y import named


class HostnamePage(Page):
    page_id = "hostname"
    title = "Computer name"
    subtitle = "The name this computer uses on the network: letters, digits and hyphens, dots between parts."

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        card = self.card()
        form = QFormLayout(card)
        form.setContentsMargins(20, 16, 20, 16)
        self.hostname = named(QLineEdit(), "Host name", "For example build-01 or web.example.com")
        self.hostname.setMaxLength(253)
        form.addRow(self.label("&Host name", self.hostname), self.hostname)
        form.addRow("", self.message("hostname"))
        example = QLabel("Examples: build-01, azurelinux-dev, web1.example.com")
        example.setProperty("role", "hint")
        form.addRow("", example)
        self.body.addWidget(card)
        self.hostname.textEdited.connect(self._edited)

    def load(self) -> None:
        self.hostname.setText(self.ctx.state.hostname)

    def _edited(self, text: str) -> None:
        self.ctx.state.hostname = text.strip()
        self.touch("hostname")
