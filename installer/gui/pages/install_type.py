"""Installation type: Core or Full, with their sizes."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QRadioButton, QVBoxLayout, QWidget

from installer.backend.flow import PACKAGE_SETS
from installer.backend.sizes import format_size
from installer.gui.context import GuiContext
from installer.gui.pages.base import Page
from installer.gui.widgets.a11y import named


class InstallTypePage(Page):
    page_id = "install_type"
    title = "Installation type"
    subtitle = "Choose what to install. You can add packages later with tdnf."

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        row = QHBoxLayout()
        row.setSpacing(16)
        for i, ps in enumerate(PACKAGE_SETS):
            card = self.card()
            lay = QVBoxLayout(card)
            lay.setContentsMargins(18, 16, 18, 16)
            size = format_size(ps.installed_size)
            radio = named(QRadioButton(f"&{ps.title}" if i == 0 else ps.title.replace("Full", "&Full")),
                          ps.title, f"{ps.description} About {size} on disk.")
            radio.setProperty("role", "choice")
            desc = QLabel(ps.description)
            desc.setWordWrap(True)
            sz = QLabel(f"About {size} on disk")
            sz.setProperty("role", "size")
            lay.addWidget(radio)
            lay.addWidget(desc)
            lay.addStretch(1)
            lay.addWidget(sz)
            row.addWidget(card, 1)
            self.group.addButton(radio)
            self.radios[ps.id] = radio
            radio.toggled.connect(self._store)
        self.body.addLayout(row)

    def load(self) -> None:
        self.radios[self.ctx.state.package_set].setChecked(True)

    def _store(self) -> None:
        if self.loading:
            return
        for pid, r in self.radios.items():
            if r.isChecked():
                self.ctx.state.package_set = "full" if pid == "full" else "core"
        self.changed.emit()
